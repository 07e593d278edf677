//! What the workspace knows about a signature that hands out a future without `+ Send`
//! ([`MissingSend`]): whether another bound next to `Future` promises `Send` after all (a marker
//! trait with `Send` among its supertraits), and whether the item is the crate's public API.

use super::resolve::{Def, Res};
use super::signature::MissingSend;
use super::Workspace;

/// The answers for one [`MissingSend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPromise {
    /// A bound next to `Future` implies `Send`: `Send` itself, a workspace trait with `Send`
    /// among its supertraits (or its `cfg` twin), or a trait outside the workspace whose name
    /// says so (`MaybeSend`, `SendOutsideWasm`, `WasmNotSend`, `ConditionalSend`).
    pub promised: bool,
    /// The bounds outside the workspace that did not say: their supertraits are not known.
    pub unknown_bounds: Vec<String>,
    /// Whether the item is reachable from outside its crate: `Some(false)` when it is not (a
    /// private module that nothing re-exports, a binary crate), `None` when that cannot be told.
    pub is_api: Option<bool>,
}

impl Workspace<'_> {
    /// Answers the questions of `missing_send_bound` for a signature of file `file`.
    pub fn send_promise(&self, file: usize, missing: &MissingSend) -> SendPromise {
        let items = &self.units[file].model.items;
        let module = items
            .scopes
            .iter()
            .position(|scope| {
                !scope.is_block
                    && scope
                        .module
                        .iter()
                        .eq(missing.modules.iter().map(|module| &module.name))
            })
            .and_then(|scope| self.defs.scope(file, scope));
        let mut promised = false;
        let mut unknown_bounds = Vec::new();
        for bound in &missing.other_bounds {
            let written = bound.split('<').next().unwrap_or(bound);
            let segments: Vec<String> = written.split("::").map(str::to_string).collect();
            match module.and_then(|module| self.defs.bound_implies_send(module, &segments)) {
                Some(true) => promised = true,
                Some(false) => {}
                None if segments.last().is_some_and(|name| name.contains("Send")) => {
                    promised = true
                }
                None => unknown_bounds.push(bound.clone()),
            }
        }
        let is_api = module.and_then(|module| {
            let owner = missing
                .in_trait
                .as_ref()
                .or(missing.in_impl.as_ref())
                .unwrap_or(&missing.name);
            let path = [owner.clone()];
            // The item itself (or its trait or type): a re-export of it makes it API.
            let defs: Vec<Def> = [
                self.defs.resolve_path(module, &path),
                self.defs.resolve_value(module, &path),
            ]
            .into_iter()
            .filter_map(|res| match res {
                Some(Res::Def(def)) => Some(def),
                _ => None,
            })
            .collect();
            match self.defs.is_api(module, None) {
                Some(false) => Some(
                    defs.iter()
                        .any(|def| self.defs.is_api(module, Some(def)) == Some(true)),
                ),
                answer => answer,
            }
        });
        SendPromise {
            promised,
            unknown_bounds,
            is_api,
        }
    }
}
