//! Marker traits that mean `Send`: a workspace trait with `Send` among its supertraits, directly
//! or through other workspace traits (`trait SendOutsideWasm: Send {}`, `trait Store:
//! MaybeSend + Sync`). A bound naming one promises `Send` as `+ Send` would.
//!
//! A trait often has a twin under the opposite `cfg` (`#[cfg(target_family = "wasm")] trait
//! SendOutsideWasm {}` next to the native one): a bound resolves to one of them, so a trait
//! counts when any trait of its name in its module implies `Send`, which is what the build for
//! a multi-threaded target sees.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::VecDeque;

use super::{Def, DefMap, ItemId, ModId, Res};
use crate::model::workspace::Unit;

/// Whether an external path is the `Send` auto trait.
fn is_send(path: &str) -> bool {
    matches!(path, "Send" | "core::marker::Send" | "std::marker::Send")
}

impl DefMap {
    /// Finds every trait that implies `Send`: those naming it as a supertrait, then, walking
    /// the supertrait edges backwards, every trait that names one of those. Linear in the traits
    /// and their supertraits.
    pub(super) fn compute_send_traits(&mut self, units: &[Unit]) {
        let mut subtraits: HashMap<ItemId, Vec<ItemId>> = HashMap::new();
        let mut twins: HashMap<(usize, usize, &str), Vec<ItemId>> = HashMap::new();
        let mut queue = VecDeque::new();
        for (file, unit) in units.iter().enumerate() {
            for (index, decl) in unit.model.items.traits.iter().enumerate() {
                let id = ItemId { file, index };
                twins
                    .entry((file, decl.scope, decl.name.as_str()))
                    .or_default()
                    .push(id);
                let Some(module) = self.scope(file, decl.scope) else {
                    continue;
                };
                for bound in &decl.supertraits {
                    match self.resolve_path(module, &bound.segments) {
                        Some(Res::Def(Def::External(path))) if is_send(&path) => {
                            queue.push_back(id);
                        }
                        Some(Res::Def(Def::Trait(supertrait))) => {
                            subtraits.entry(supertrait).or_default().push(id);
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut send = HashSet::new();
        while let Some(id) = queue.pop_front() {
            let decl = &units[id.file].model.items.traits[id.index];
            let group = twins.get(&(id.file, decl.scope, decl.name.as_str()));
            for &twin in group.into_iter().flatten() {
                if send.insert(twin) {
                    queue.extend(subtraits.get(&twin).into_iter().flatten().copied());
                }
            }
        }
        self.send_traits = send.into_iter().collect();
    }

    /// Whether a bound written in module `id` (`SendOutsideWasm`, `crate::sync::MaybeSend`)
    /// promises `Send`: `Some(true)` for `Send` itself or a workspace trait that implies it,
    /// `Some(false)` for a workspace trait that does not, `None` for a trait outside the
    /// workspace, or one that does not resolve.
    pub fn bound_implies_send(&self, id: ModId, segments: &[String]) -> Option<bool> {
        match self.resolve_path(id, segments)? {
            Res::Def(Def::External(path)) if is_send(&path) => Some(true),
            Res::Def(Def::Trait(id)) => Some(self.send_traits.contains(&id)),
            _ => None,
        }
    }
}
