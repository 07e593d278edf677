//! Whether a `block_on` call parks the thread: a free `block_on` of an executor does; so does
//! the method of a runtime type (tokio's `Runtime`, `Handle`) or of a receiver whose type is not
//! known. A method of the workspace's own type blocks only when its body calls such a
//! `block_on` itself, outside a closure that runs where blocking is allowed (a project's
//! `Runtime::block_on` that hands the thread over with `block_in_place` does not). A type from
//! another crate that is not a runtime's has no runtime `block_on`.

use super::loss::Site;
use super::names::{BLOCK_ON_TYPES, BLOCK_ON_TYPE_CRATES};
use super::resolve::Ty;
use super::typing::Dispatch;
use super::workspace::FnRef;
use super::{BlockOnSite, BodyKind, Workspace};

/// How deep a chain of the workspace's own `block_on` methods is followed.
const MAX_DEPTH: usize = 4;

/// Why a `block_on` call blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocks {
    /// The call itself is an executor's or runtime's `block_on` (or its receiver's type is not
    /// known).
    Itself,
    /// The call reaches a workspace method (`callee`) that blocks at `site`.
    Through { callee: String, site: Site },
}

impl Workspace<'_> {
    /// Whether the `block_on` call `site` of `file` parks the thread, and how.
    pub fn block_on_blocks(&self, file: usize, site: &BlockOnSite) -> Option<Blocks> {
        self.blocks_at(file, site, 0)
    }

    fn blocks_at(&self, file: usize, site: &BlockOnSite, depth: usize) -> Option<Blocks> {
        let Some(receiver) = &site.receiver else {
            return Some(Blocks::Itself);
        };
        let ty = self.type_of_value(file, site.body, receiver, site.span.start);
        match ty.peeled() {
            Ty::External { path, .. } => {
                let name = path.rsplit("::").next().unwrap_or(path);
                let root = path.split("::").next().unwrap_or(path);
                let crate_known = path.contains("::");
                let runtime = BLOCK_ON_TYPES.contains(&name)
                    && (!crate_known || BLOCK_ON_TYPE_CRATES.contains(&root));
                runtime.then_some(Blocks::Itself)
            }
            peeled @ (Ty::Adt { .. } | Ty::Bounds(_)) => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                let methods: Vec<FnRef> = match self.dispatch(peeled, "block_on") {
                    Dispatch::Fn(fn_ref) => vec![fn_ref],
                    Dispatch::Trait(set) => {
                        let set = self.dispatch_set(set);
                        set.decl
                            .into_iter()
                            .chain(set.impls.iter().copied())
                            .collect()
                    }
                    // A bound of a trait outside the workspace: its `block_on` is not known.
                    Dispatch::None if matches!(peeled, Ty::Bounds(_)) => {
                        return Some(Blocks::Itself)
                    }
                    Dispatch::None => return None,
                };
                methods.into_iter().find_map(|method| {
                    let inner = self.blocking_site_in(method, depth)?;
                    Some(Blocks::Through {
                        callee: self.display_name(method),
                        site: inner,
                    })
                })
            }
            _ => Some(Blocks::Itself),
        }
    }

    /// The first `block_on` in the body of `fn_ref` that parks the thread it runs on: not in a
    /// closure handed to `spawn_blocking`, a thread spawn or `block_in_place`, nor in an `async`
    /// block or a closure that may run elsewhere.
    fn blocking_site_in(&self, fn_ref: FnRef, depth: usize) -> Option<Site> {
        let model = &self.units[fn_ref.file].model;
        let fn_body = self.item(fn_ref).body;
        model.block_on_calls.iter().find_map(|site| {
            let mut id = site.body;
            loop {
                let body = &model.bodies[id];
                if body.runs_blocking {
                    return None;
                }
                if id == fn_body {
                    break;
                }
                match body.kind {
                    BodyKind::Closure { is_async: false } if body.runs_inline => {}
                    _ => return None,
                }
                id = body.parent?;
            }
            let blocks = self.blocks_at(fn_ref.file, site, depth + 1)?;
            Some(match blocks {
                Blocks::Itself => Site::new(&model.path, site.span),
                Blocks::Through { site, .. } => site,
            })
        })
    }
}
