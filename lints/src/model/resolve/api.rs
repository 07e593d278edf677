//! Which items are the crate's public API, as rustc's reachability sees it before type checking:
//! an item declared `pub` in a module reachable from the root of a library crate through `pub`
//! modules, or named by a `pub use` (a re-export, a glob of a module, a chain of them) in such a
//! module. A `pub trait` in a private module that nothing re-exports is not API, and a binary
//! crate has none.
//!
//! What kind a crate is comes from its root files' paths (`main.rs`, `build.rs`, a file under
//! `bin/`, `examples/`, `tests/` or `benches/` is a binary's root; any other root makes the crate
//! a library). A crate whose root is not among the analysed files, or an item below a module
//! none of them is, has an unknown answer: callers keep reporting, as before.

use foldhash::{HashSet, HashSetExt};
use std::collections::VecDeque;

use super::{Def, DefMap, ModId};
use crate::model::workspace::Unit;

/// The answer for every module and re-export of the workspace.
#[derive(Debug, Default)]
pub struct Api {
    /// Crates whose root is among the files and that are libraries.
    libraries: HashSet<usize>,
    /// Crates whose roots are all binaries' roots.
    binaries: HashSet<usize>,
    /// Modules whose `pub` items are API.
    reachable: HashSet<ModId>,
    /// Items a `pub use` of a reachable module names.
    reexported: HashSet<Def>,
}

/// Whether a crate root file is a binary's (or a build script's, a test's, an example's): named
/// `main.rs` or `build.rs`, or in a `bin/` folder under `src/`, or in an `examples/`, `tests/`
/// or `benches/` folder.
fn is_binary_root(path: &str) -> bool {
    let path = path.replace('\\', "/");
    let mut parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    let file = parts.pop().unwrap_or_default();
    if matches!(file, "main.rs" | "build.rs") {
        return true;
    }
    match parts.iter().rposition(|part| *part == "src") {
        Some(src) => parts[src + 1..].first() == Some(&"bin"),
        None => parts
            .last()
            .is_some_and(|dir| matches!(*dir, "examples" | "tests" | "benches")),
    }
}

impl DefMap {
    /// Walks each library crate from its root: `pub` child modules and what reachable `pub use`
    /// items name. Linear in the modules and imports.
    pub(super) fn compute_api(&mut self, units: &[Unit]) {
        let mut api = Api::default();
        let mut library_roots = HashSet::new();
        let mut binary_roots = HashSet::new();
        for unit in units.iter().filter(|unit| unit.module.is_empty()) {
            let Some(&root) = self.crates.get(&unit.crate_name) else {
                continue;
            };
            let crate_id = self.modules[root].crate_id;
            if is_binary_root(&unit.model.path) {
                binary_roots.insert(crate_id);
            } else {
                library_roots.insert(crate_id);
            }
        }
        api.binaries = binary_roots.difference(&library_roots).copied().collect();
        let mut queue: VecDeque<ModId> = VecDeque::new();
        for (_, &root) in self.crates.iter() {
            let crate_id = self.modules[root].crate_id;
            if library_roots.contains(&crate_id) && api.reachable.insert(root) {
                queue.push_back(root);
            }
        }
        api.libraries = library_roots;
        while let Some(id) = queue.pop_front() {
            let module = &self.modules[id];
            let mut next = Vec::new();
            for def in module.defs.values().flatten() {
                if let Def::Module(child) = def {
                    let child_module = &self.modules[*child];
                    if child_module.parent == Some(id) && child_module.is_pub {
                        next.push(*child);
                    }
                }
            }
            for (name, path, is_pub) in &module.uses {
                if !is_pub {
                    continue;
                }
                let defs = match name {
                    Some(name) => module.imported.get(name).cloned(),
                    None => self.resolve_use(id, path, false),
                };
                for def in defs.into_iter().flatten() {
                    match def {
                        Def::Module(target) => next.push(target),
                        Def::External(_) => {}
                        other => {
                            api.reexported.insert(other);
                        }
                    }
                }
            }
            for target in next {
                if !self.modules[target].is_block && api.reachable.insert(target) {
                    queue.push_back(target);
                }
            }
        }
        self.api = api;
    }

    /// Whether an item written `pub` in module (or block scope) `id` is the crate's API:
    /// `Some(false)` when it is not reachable from outside its crate, `None` when that cannot
    /// be told (the crate's root or a module above the item is not among the files). `item` is
    /// the item itself (a trait, a type, a fn) or, for a method, the type or trait it belongs
    /// to, when known: a re-export of it makes it API wherever it is declared.
    pub fn is_api(&self, id: ModId, item: Option<&Def>) -> Option<bool> {
        let real = self.real_module(id);
        let crate_id = self.modules[real].crate_id;
        if self.api.binaries.contains(&crate_id) {
            return Some(false);
        }
        if !self.api.libraries.contains(&crate_id) {
            return None;
        }
        if self.api.reachable.contains(&real)
            || item.is_some_and(|def| self.api.reexported.contains(def))
        {
            return Some(true);
        }
        // A module above none of the files is: its declarations and re-exports are not seen.
        let mut above = self.modules[real].parent;
        while let Some(module) = above {
            if !self.modules[module].has_source {
                return None;
            }
            above = self.modules[module].parent;
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::is_binary_root;

    #[test]
    fn binary_roots_are_told_by_their_paths() {
        for path in [
            "src/main.rs",
            "crates/app/src/main.rs",
            "build.rs",
            "src/bin/tool.rs",
            "src/bin/tool/main.rs",
            "examples/demo.rs",
            "tests/it.rs",
        ] {
            assert!(is_binary_root(path), "{path}");
        }
        for path in [
            "src/lib.rs",
            "crates/net/src/lib.rs",
            "crates/tests/src/lib.rs",
            "lib.rs",
            "missing_send_bound/basic.rs",
        ] {
            assert!(!is_binary_root(path), "{path}");
        }
    }
}
