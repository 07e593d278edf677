//! The resolution layer: which item a path names, seen from the scope it is written in, and what
//! type a written type is. Built once per run over every file of the workspace, it answers the
//! two questions every rule depends on: "which function(s) can this call reach" and "what is the
//! type of this place" (the latter with `Workspace::type_of_place`).
//!
//! Names resolve as rustc resolves them before type checking, simplified: each scope (a file's
//! module, an inline `mod`, a fn body that declares items) has its declared names and its imports;
//! imports are resolved to a fixed point once (re-exports across modules and crates, chains of
//! them, globs, renames); a path's first segment is looked up in its scope, then in the enclosing
//! block scopes, then among the workspace's crates, and anything else is a path outside the
//! workspace (`tokio::net::TcpStream`). Never a bare name matched across the workspace.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::items::{Generics, ItemRef, PathRef, ScopeId, TypeKind, TypeRef};
use super::workspace::{FnRef, Unit};
use super::FnOwner;

mod api;
mod send;
pub use api::Api;

/// Index of a module (or block scope) in the [`DefMap`].
pub type ModId = usize;

/// A type or trait of the workspace: file index and index into that file's `items.types` or
/// `items.traits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    pub file: usize,
    pub index: usize,
}

/// What a name resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Def {
    Module(ModId),
    Fn(FnRef),
    Type(ItemId),
    Trait(ItemId),
    /// An enum variant.
    Variant(ItemId, String),
    /// A path outside the workspace, with the file's imports applied (`tokio::net::TcpStream`).
    External(String),
}

/// What a whole path resolves to: an item, or an associated item of a type or trait
/// (`Conn::connect`, `Transport::recv`, `TcpStream::connect`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Res {
    Def(Def),
    Assoc { owner: Def, name: String },
}

/// A resolved type. Pointers are kept (see [`Ty::peeled`]) so that `Option`/`Result` wrapping
/// stays visible to `?` and `unwrap`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A struct, enum or union of the workspace, with its generic arguments.
    Adt {
        id: ItemId,
        args: Vec<Ty>,
    },
    /// A type outside the workspace, by its path (`tokio::net::TcpStream`, `Option`).
    External {
        path: String,
        args: Vec<Ty>,
    },
    /// A generic parameter, `impl Trait` or `dyn Trait`: what is known is its bounds.
    Bounds(Vec<TraitRef>),
    Tuple(Vec<Ty>),
    /// `&T`, `&mut T`.
    Ref {
        mutable: bool,
        inner: Box<Ty>,
    },
    /// A future whose output is known: what an `async fn` call, an `impl Future<Output = T>`
    /// or a `BoxFuture<'_, T>` gives before `.await`.
    Future(Box<Ty>),
    Unknown,
}

/// A trait a bound names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraitRef {
    Workspace(ItemId),
    External(String),
}

/// Types that deref to the value they hold (their methods are the held value's).
const POINTERS: &[&str] = &[
    "Box",
    "Arc",
    "Rc",
    "Pin",
    "Cow",
    "ManuallyDrop",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "OwnedMutexGuard",
    "OwnedRwLockReadGuard",
    "OwnedRwLockWriteGuard",
    "MappedMutexGuard",
    "Ref",
    "RefMut",
    "Weak",
];

/// Containers whose value a lock or cell hands out (`Mutex<T>::lock()` gives a guard of `T`).
pub(crate) const CELLS: &[&str] = &[
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "OnceCell",
    "UnsafeCell",
];

impl Ty {
    /// The last segment of an external path or the name of nothing else.
    pub fn external_name(&self) -> Option<&str> {
        match self {
            Ty::External { path, .. } => Some(path.rsplit("::").next().unwrap_or(path)),
            _ => None,
        }
    }

    /// The type with references and smart pointers taken off (`&mut Box<Conn>` is `Conn`):
    /// what method calls and field accesses auto-deref to.
    pub fn peeled(&self) -> &Ty {
        let mut ty = self;
        for _ in 0..16 {
            match ty {
                Ty::Ref { inner, .. } => ty = inner,
                Ty::External { args, .. }
                    if ty
                        .external_name()
                        .is_some_and(|name| POINTERS.contains(&name))
                        && !args.is_empty() =>
                {
                    ty = &args[0]
                }
                _ => break,
            }
        }
        ty
    }

    /// The value a `?`, `.unwrap()` or `.expect(..)` takes out of an `Option` or `Result`
    /// (through references and pointers); other types pass through.
    pub fn unwrapped(&self) -> Ty {
        let peeled = self.peeled();
        match peeled {
            Ty::External { args, .. }
                if matches!(peeled.external_name(), Some("Option" | "Result" | "Poll"))
                    && !args.is_empty() =>
            {
                args[0].clone()
            }
            _ => self.clone(),
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Ty::Unknown)
    }
}

/// One module or block scope of the workspace.
#[derive(Debug)]
struct Module {
    crate_id: usize,
    /// A fn body's scope: a name not found here is looked up in `parent`.
    is_block: bool,
    parent: Option<ModId>,
    /// Names declared here, in both namespaces (a tuple struct and a fn may share a name).
    defs: HashMap<String, Vec<Def>>,
    /// `use` items: (name or `None` for a glob, path as written, re-exported).
    uses: Vec<(Option<String>, Vec<String>, bool)>,
    /// Named imports resolved so far.
    imported: HashMap<String, Vec<Def>>,
    /// Glob imports resolved so far, and the external prefixes of globs that leave the
    /// workspace (`use tokio::sync::*`).
    globs: Vec<ModId>,
    external_globs: Vec<String>,
    /// Declared `pub` in its parent (a crate root counts as `pub`): part of the crate's API
    /// when its parent is.
    is_pub: bool,
    /// Some file's scope is this module (a `mod x;` whose file was not given has none).
    has_source: bool,
}

/// The workspace's modules and what each name in them stands for.
#[derive(Debug, Default)]
pub struct DefMap {
    modules: Vec<Module>,
    /// Crate name (as code writes it) -> its root module.
    crates: HashMap<String, ModId>,
    /// (crate, module path) -> module.
    by_path: HashMap<(usize, Vec<String>), ModId>,
    /// (file, scope) -> its module or block scope.
    scopes: HashMap<(usize, ScopeId), ModId>,
    /// What is reachable from outside each crate.
    api: Api,
    /// The workspace traits that imply `Send`.
    send_traits: HashSet<ItemId>,
    /// Per crate: the workspace crates it names in its `use` items and whose items it can
    /// therefore reach (itself included).
    crate_deps: Vec<HashSet<usize>>,
    /// Per module: [`DefMap::has_source`], worked out once the modules are all known.
    sourced: Vec<bool>,
    /// Every name some module declares or imports by name (known once the modules are built:
    /// resolving imports adds no new names), so that a lookup of any other name (`std`,
    /// `tokio`) fails at once instead of searching every glob on the way.
    names: HashSet<String>,
}

/// How many steps a chain of re-exports or globs is followed.
const MAX_HOPS: usize = 16;

impl DefMap {
    /// Builds the modules of every file and resolves every import.
    pub fn build(units: &[Unit]) -> DefMap {
        let mut map = DefMap::default();
        for unit in units {
            if !map.crates.contains_key(&unit.crate_name) {
                let crate_id = map.crates.len();
                let root = map.module_for(crate_id, &[]);
                map.crates.insert(unit.crate_name.clone(), root);
            }
        }
        for (file, unit) in units.iter().enumerate() {
            let crate_id = map.modules[map.crates[&unit.crate_name]].crate_id;
            let items = &unit.model.items;
            for (scope_id, scope) in items.scopes.iter().enumerate() {
                let id = if scope.is_block {
                    let parent = scope
                        .parent
                        .and_then(|parent| map.scopes.get(&(file, parent)).copied());
                    let id = map.modules.len();
                    map.modules.push(Module {
                        crate_id,
                        is_block: true,
                        parent,
                        defs: HashMap::new(),
                        uses: Vec::new(),
                        imported: HashMap::new(),
                        globs: Vec::new(),
                        external_globs: Vec::new(),
                        is_pub: false,
                        has_source: true,
                    });
                    id
                } else {
                    let mut path = unit.module.clone();
                    path.extend(scope.module.iter().cloned());
                    map.module_for(crate_id, &path)
                };
                map.scopes.insert((file, scope_id), id);
                map.modules[id].has_source = true;
                for decl in &scope.uses {
                    map.modules[id]
                        .uses
                        .push((decl.name.clone(), decl.path.clone(), decl.is_pub));
                }
                for (name, item) in &scope.items {
                    let def = match item {
                        ItemRef::Type(index) => Def::Type(ItemId {
                            file,
                            index: *index,
                        }),
                        ItemRef::Trait(index) => Def::Trait(ItemId {
                            file,
                            index: *index,
                        }),
                        ItemRef::Module(_) | ItemRef::ModuleFile(_) => {
                            let mut path = unit.module.clone();
                            path.extend(scope.module.iter().cloned());
                            if scope.is_block {
                                continue;
                            }
                            path.push(name.clone());
                            let child = map.module_for(crate_id, &path);
                            map.modules[child].is_pub |= match item {
                                ItemRef::Module(inner) => items.scopes[*inner].is_pub,
                                _ => matches!(item, ItemRef::ModuleFile(true)),
                            };
                            Def::Module(child)
                        }
                        // Free fns are added below, from the fns themselves.
                        ItemRef::Fn => continue,
                    };
                    map.modules[id]
                        .defs
                        .entry(name.clone())
                        .or_default()
                        .push(def);
                }
            }
            for (index, item) in unit.model.fns.iter().enumerate() {
                if item.owner != FnOwner::Free || item.self_type.is_some() {
                    continue;
                }
                if let Some(&id) = map.scopes.get(&(file, item.scope)) {
                    map.modules[id]
                        .defs
                        .entry(item.name.clone())
                        .or_default()
                        .push(Def::Fn(FnRef { file, index }));
                }
            }
        }
        map.names = map
            .modules
            .iter()
            .flat_map(|module| {
                let imported = module.uses.iter().filter_map(|(name, _, _)| name.clone());
                module.defs.keys().cloned().chain(imported)
            })
            .collect();
        map.sourced = (0..map.modules.len())
            .map(|id| map.has_source(id))
            .collect();
        map.resolve_imports();
        map.compute_api(units);
        map.compute_send_traits(units);
        map.compute_crate_deps();
        map
    }

    /// Which workspace crates each crate names in its imports.
    fn compute_crate_deps(&mut self) {
        let mut deps = vec![HashSet::new(); self.crates.len()];
        for (crate_id, seen) in deps.iter_mut().enumerate() {
            seen.insert(crate_id);
        }
        for module in &self.modules {
            for (_, path, _) in &module.uses {
                if let Some(&root) = path.first().and_then(|first| self.crates.get(first)) {
                    deps[module.crate_id].insert(self.modules[root].crate_id);
                }
            }
        }
        self.crate_deps = deps;
    }

    /// Whether code of `file`'s crate can call into `other`'s crate: the same crate, or one it
    /// imports from. A method found by its name alone is only a candidate when it can.
    pub fn crate_reaches(&self, file: usize, other: usize) -> bool {
        let crate_of = |file: usize| {
            self.scope(file, 0)
                .map(|module| self.modules[module].crate_id)
        };
        match (crate_of(file), crate_of(other)) {
            (Some(from), Some(to)) => self.crate_deps[from].contains(&to),
            _ => true,
        }
    }

    /// The module of a crate at a path, created (with its parents) when first met.
    fn module_for(&mut self, crate_id: usize, path: &[String]) -> ModId {
        if let Some(&id) = self.by_path.get(&(crate_id, path.to_vec())) {
            return id;
        }
        let parent = (!path.is_empty()).then(|| self.module_for(crate_id, &path[..path.len() - 1]));
        let id = self.modules.len();
        self.modules.push(Module {
            crate_id,
            is_block: false,
            parent,
            defs: HashMap::new(),
            uses: Vec::new(),
            imported: HashMap::new(),
            globs: Vec::new(),
            external_globs: Vec::new(),
            is_pub: path.is_empty(),
            has_source: false,
        });
        self.by_path.insert((crate_id, path.to_vec()), id);
        if let Some(parent) = parent {
            if let Some(name) = path.last() {
                let defs = self.modules[parent].defs.entry(name.clone()).or_default();
                if !defs.contains(&Def::Module(id)) {
                    defs.push(Def::Module(id));
                }
            }
        }
        id
    }

    /// Resolves every `use` to a fixed point: each round resolves the imports whose paths the
    /// previous rounds made resolvable (re-exports of re-exports, globs of modules that import).
    fn resolve_imports(&mut self) {
        // Strict rounds first: a first segment that is not (yet) a name of the workspace waits,
        // since a later round may import it; only when nothing moves may it be a path outside
        // the workspace. What that settles may let other imports resolve: twice is enough for
        // real code (a chain through an external re-export is rare and only loses precision).
        let mut external_globs_done = HashSet::new();
        for _ in 0..2 {
            self.resolve_strict_rounds();
            self.resolve_lenient_round(&mut external_globs_done);
        }
    }

    fn resolve_strict_rounds(&mut self) {
        // A strict first segment is a name some module declares or imports, a workspace crate
        // or a keyword: a use starting with any other name (`std`, `tokio`, most of them) can
        // never resolve in these rounds, and is not tried again in each.
        let mut known = self.names.clone();
        known.extend(self.crates.keys().cloned());
        known.extend(["crate", "self", "super"].map(String::from));
        let mut pending: Vec<(ModId, usize)> = Vec::new();
        for (id, module) in self.modules.iter().enumerate() {
            for (index, (_, path, _)) in module.uses.iter().enumerate() {
                if path.first().is_some_and(|first| known.contains(first)) {
                    pending.push((id, index));
                }
            }
        }
        // A use is tried until it resolves (a name keeps its first answer, as a glob does).
        for _ in 0..MAX_HOPS {
            let before = pending.len();
            pending.retain(|&(id, index)| {
                let (name, path, _) = &self.modules[id].uses[index];
                if let Some(name) = name {
                    if self.modules[id].imported.contains_key(name) {
                        return false;
                    }
                }
                let Some(defs) = self.resolve_use(id, path, true) else {
                    return true;
                };
                match name {
                    Some(name) => {
                        let name = name.clone();
                        self.modules[id].imported.insert(name, defs);
                    }
                    None => {
                        for def in defs {
                            if let Def::Module(target) = def {
                                if target != id && !self.modules[id].globs.contains(&target) {
                                    self.modules[id].globs.push(target);
                                }
                            }
                        }
                    }
                }
                false
            });
            if pending.len() == before {
                break;
            }
        }
    }

    /// Resolves the imports still open, paths outside the workspace allowed. A glob found to
    /// leave the workspace is settled (`done` holds it): resolved again, its own first segment
    /// would meet the guess that the module's one external glob gives for unknown names, and
    /// `use my_sync::*` would also become `my_sync::my_sync::*`.
    fn resolve_lenient_round(&mut self, done: &mut HashSet<(ModId, usize)>) {
        for id in 0..self.modules.len() {
            let uses = self.modules[id].uses.clone();
            for (index, (name, path, _)) in uses.iter().enumerate() {
                match name {
                    Some(name) if !self.modules[id].imported.contains_key(name) => {
                        if let Some(defs) = self.resolve_use(id, path, false) {
                            self.modules[id].imported.insert(name.clone(), defs);
                        }
                    }
                    None if done.contains(&(id, index)) => {}
                    None => {
                        if let Some(defs) = self.resolve_use(id, path, false) {
                            if defs.iter().any(|def| matches!(def, Def::External(_))) {
                                done.insert((id, index));
                            }
                            for def in defs {
                                if let Def::External(prefix) = def {
                                    if !self.modules[id].external_globs.contains(&prefix) {
                                        self.modules[id].external_globs.push(prefix);
                                    }
                                }
                            }
                        }
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// What a `use` path names, seen from module `id`, with what is resolved so far; `None` while
    /// a workspace module it goes through does not have the name yet.
    fn resolve_use(&self, id: ModId, path: &[String], strict: bool) -> Option<Vec<Def>> {
        let (first, rest) = path.split_first()?;
        let mut current = self.first_segment(id, first, !strict)?;
        for segment in rest {
            current = self.next_segment(&current, segment)?;
        }
        Some(current)
    }

    /// What the first segment of a path stands for in module `id`: `crate`, `self`, `super`, a
    /// name of the module (declared, imported, through a glob, or of an enclosing block scope's
    /// module), a workspace crate, or a path outside the workspace.
    fn first_segment(&self, id: ModId, name: &str, external: bool) -> Option<Vec<Def>> {
        match name {
            "crate" => {
                let root = self.root_of(id);
                return Some(vec![Def::Module(root)]);
            }
            "self" => return Some(vec![Def::Module(self.real_module(id))]),
            "super" => {
                let real = self.real_module(id);
                return self.modules[real]
                    .parent
                    .map(|parent| vec![Def::Module(parent)]);
            }
            _ => {}
        }
        let mut scope = Some(id);
        while let Some(current) = scope {
            if let Some(defs) = self.lookup(current, name, 0) {
                return Some(defs);
            }
            let module = &self.modules[current];
            scope = if module.is_block { module.parent } else { None };
        }
        if let Some(&root) = self.crates.get(name) {
            return Some(vec![Def::Module(root)]);
        }
        if !external {
            return None;
        }
        // A path relative to the crate root, as the 2015 edition wrote them (`use codec::x;`),
        // and as loose files given together are read: still the crate's own module tree.
        let root = self.root_of(id);
        if root != self.real_module(id) {
            if let Some(defs) = self.lookup(root, name, 0) {
                return Some(defs);
            }
        }
        // One external glob gives a guess; several cannot be told apart.
        let real = self.real_module(id);
        if let [prefix] = self.modules[real].external_globs.as_slice() {
            if !is_prelude_name(name) {
                return Some(vec![Def::External(format!("{prefix}::{name}"))]);
            }
        }
        Some(vec![Def::External(normalise(name))])
    }

    /// The next segment of a path after `current`.
    fn next_segment(&self, current: &[Def], name: &str) -> Option<Vec<Def>> {
        for def in current {
            match def {
                Def::Module(id) => {
                    if name == "super" {
                        return self.modules[*id]
                            .parent
                            .map(|parent| vec![Def::Module(parent)]);
                    }
                    if let Some(defs) = self.lookup(*id, name, 0) {
                        return Some(defs);
                    }
                }
                Def::External(prefix) => {
                    return Some(vec![Def::External(format!("{prefix}::{name}"))]);
                }
                Def::Type(item) => return Some(vec![Def::Variant(*item, name.to_string())]),
                Def::Fn(_) | Def::Trait(_) | Def::Variant(..) => {}
            }
        }
        None
    }

    /// A name in one module: declared there, imported by name, or through a glob (the modules
    /// globs reach are searched breadth first, each once: globs often import each other, as
    /// `use super::*` in a child and `pub use child::*` in its parent do).
    fn lookup(&self, id: ModId, name: &str, _hops: usize) -> Option<Vec<Def>> {
        if !self.names.contains(name) {
            return None;
        }
        if let Some(defs) = self.lookup_here(id, name) {
            return Some(defs);
        }
        if self.modules[id].globs.is_empty() {
            return None;
        }
        // Breadth first through the globs: the modules met so far are also the queue, from
        // `next` on; `id` itself was looked in above.
        let mut seen = [id; 4 * MAX_HOPS];
        let mut met = 1;
        let mut next = 0;
        while next < met {
            let current = seen[next];
            if next > 0 {
                if let Some(defs) = self.lookup_here(current, name) {
                    return Some(defs);
                }
            }
            next += 1;
            for &glob in &self.modules[current].globs {
                if met < seen.len() && !seen[..met].contains(&glob) {
                    seen[met] = glob;
                    met += 1;
                }
            }
        }
        None
    }

    /// A name declared in one module or imported there by name.
    fn lookup_here(&self, id: ModId, name: &str) -> Option<Vec<Def>> {
        let module = &self.modules[id];
        if let Some(defs) = module.defs.get(name) {
            // A module none of the given files is (`mod x;` whose file is elsewhere) hides
            // nothing: its name may be found further out.
            let known: Vec<Def> = defs
                .iter()
                .filter(|def| match def {
                    Def::Module(module) => self.has_source(*module),
                    _ => true,
                })
                .cloned()
                .collect();
            if !known.is_empty() {
                return Some(known);
            }
        }
        module.imported.get(name).cloned()
    }

    /// Whether some given file is this module or one inside it.
    fn has_source(&self, id: ModId) -> bool {
        if let Some(&sourced) = self.sourced.get(id) {
            return sourced;
        }
        let module = &self.modules[id];
        module.has_source
            || module
                .defs
                .values()
                .flatten()
                .any(|def| matches!(def, Def::Module(child) if *child != id && self.modules[*child].has_source))
    }

    /// The real module a block scope is in.
    fn real_module(&self, mut id: ModId) -> ModId {
        for _ in 0..MAX_HOPS {
            let module = &self.modules[id];
            match (module.is_block, module.parent) {
                (true, Some(parent)) => id = parent,
                _ => break,
            }
        }
        id
    }

    fn root_of(&self, id: ModId) -> ModId {
        let crate_id = self.modules[id].crate_id;
        self.by_path[&(crate_id, Vec::new())]
    }

    /// The module (or block scope) of a file's scope.
    pub fn scope(&self, file: usize, scope: ScopeId) -> Option<ModId> {
        self.scopes.get(&(file, scope)).copied()
    }

    /// What a path written in module `id` names as a type, trait or module (or an associated
    /// item of one: `Conn::connect`, `Transport::recv`, `TcpStream::connect`).
    pub fn resolve_path(&self, id: ModId, segments: &[String]) -> Option<Res> {
        self.resolve(id, segments, false)
    }

    /// What a path written in module `id` names as a value: a fn is preferred where a type of
    /// the same name exists (a tuple struct and its constructor).
    pub fn resolve_value(&self, id: ModId, segments: &[String]) -> Option<Res> {
        self.resolve(id, segments, true)
    }

    fn resolve(&self, id: ModId, segments: &[String], value: bool) -> Option<Res> {
        let (first, rest) = segments.split_first()?;
        let mut current = self.first_segment(id, first, true)?;
        for (index, segment) in rest.iter().enumerate() {
            if index + 1 == rest.len() {
                let owner = current
                    .iter()
                    .find(|def| matches!(def, Def::Type(_) | Def::Trait(_)));
                if let Some(owner) = owner {
                    return Some(Res::Assoc {
                        owner: owner.clone(),
                        name: segment.clone(),
                    });
                }
            }
            current = self.next_segment(&current, segment)?;
        }
        let wanted = |def: &&Def| matches!(def, Def::Fn(_)) == value;
        let def = current
            .iter()
            .find(wanted)
            .or_else(|| current.first())?
            .clone();
        Some(Res::Def(def))
    }
}

/// Names every module sees without importing them (the std prelude's types).
fn is_prelude_name(name: &str) -> bool {
    matches!(
        name,
        "Option"
            | "Some"
            | "None"
            | "Result"
            | "Ok"
            | "Err"
            | "Vec"
            | "String"
            | "Box"
            | "ToString"
            | "Default"
            | "Clone"
            | "Send"
            | "Sync"
            | "Sized"
            | "Drop"
            | "Fn"
            | "FnMut"
            | "FnOnce"
            | "Iterator"
            | "IntoIterator"
            | "std"
            | "core"
            | "alloc"
    )
}

/// Maps re-exporting crates onto the crate users usually name (`futures_util` is `futures`).
pub(crate) fn normalise(path: &str) -> String {
    let path = path.trim_start_matches("::");
    for (from, to) in [("futures_util", "futures"), ("futures_lite", "futures")] {
        if path == from {
            return to.to_string();
        }
        if let Some(rest) = path.strip_prefix(from).and_then(|r| r.strip_prefix("::")) {
            return format!("{to}::{rest}");
        }
    }
    path.to_string()
}

/// Where a type is written: its module, the generic parameters in scope (innermost first) and
/// what `Self` is.
pub struct TypeScope<'g> {
    pub module: ModId,
    pub generics: Vec<&'g Generics>,
    pub self_ty: Option<Ty>,
    /// Substitutions of generic parameters by known arguments (a field of `Session<Tcp>`).
    pub subst: Vec<(String, Ty)>,
}

impl DefMap {
    /// The type a written type stands for, in a scope.
    pub fn resolve_type(&self, units: &[Unit], scope: &TypeScope<'_>, ty: &TypeRef) -> Ty {
        self.resolve_type_at(units, scope, ty, 0)
    }

    fn resolve_type_at(
        &self,
        units: &[Unit],
        scope: &TypeScope<'_>,
        ty: &TypeRef,
        depth: usize,
    ) -> Ty {
        if depth > 24 {
            return Ty::Unknown;
        }
        match ty {
            TypeRef::Ref { mutable, inner } => Ty::Ref {
                mutable: *mutable,
                inner: Box::new(self.resolve_type_at(units, scope, inner, depth + 1)),
            },
            TypeRef::Tuple(elems) => Ty::Tuple(
                elems
                    .iter()
                    .map(|elem| self.resolve_type_at(units, scope, elem, depth + 1))
                    .collect(),
            ),
            TypeRef::Impl(bounds) | TypeRef::Dyn(bounds) => {
                let output = bounds.iter().find_map(|bound| {
                    (bound.name() == "Future")
                        .then(|| bound.bindings.iter().find(|(name, _)| name == "Output"))
                        .flatten()
                });
                match output {
                    Some((_, output)) => Ty::Future(Box::new(self.resolve_type_at(
                        units,
                        scope,
                        output,
                        depth + 1,
                    ))),
                    None => Ty::Bounds(self.resolve_bounds(scope, bounds)),
                }
            }
            TypeRef::Slice(_) | TypeRef::Other => Ty::Unknown,
            TypeRef::Path(path) => self.resolve_path_type(units, scope, path, depth),
        }
    }

    fn resolve_path_type(
        &self,
        units: &[Unit],
        scope: &TypeScope<'_>,
        path: &PathRef,
        depth: usize,
    ) -> Ty {
        if let [name] = path.segments.as_slice() {
            if let Some((_, ty)) = scope.subst.iter().find(|(param, _)| param == name) {
                return ty.clone();
            }
            if name == "Self" {
                return scope.self_ty.clone().unwrap_or(Ty::Unknown);
            }
            if let Some(bounds) = scope
                .generics
                .iter()
                .find_map(|generics| generics.bounds_of(name))
            {
                return Ty::Bounds(self.resolve_bounds(scope, bounds));
            }
        }
        let args: Vec<Ty> = path
            .args
            .iter()
            .map(|arg| self.resolve_type_at(units, scope, arg, depth + 1))
            .collect();
        match self.resolve_path(scope.module, &path.segments) {
            Some(Res::Def(Def::Type(id))) => {
                let decl = &units[id.file].model.items.types[id.index];
                if decl.kind == TypeKind::Alias {
                    let Some(aliased) = &decl.aliased else {
                        return Ty::Unknown;
                    };
                    let Some(module) = self.scope(id.file, decl.scope) else {
                        return Ty::Unknown;
                    };
                    let subst = decl
                        .generics
                        .params
                        .iter()
                        .map(|param| param.name.clone())
                        .zip(args)
                        .collect();
                    let alias_scope = TypeScope {
                        module,
                        generics: vec![&decl.generics],
                        self_ty: None,
                        subst,
                    };
                    return self.resolve_type_at(units, &alias_scope, aliased, depth + 1);
                }
                Ty::Adt { id, args }
            }
            Some(Res::Def(Def::Trait(id))) => Ty::Bounds(vec![TraitRef::Workspace(id)]),
            Some(Res::Def(Def::External(path))) => {
                let name = path.rsplit("::").next().unwrap_or(&path);
                if matches!(name, "BoxFuture" | "LocalBoxFuture") && !args.is_empty() {
                    return Ty::Future(Box::new(args[0].clone()));
                }
                Ty::External { path, args }
            }
            _ => Ty::Unknown,
        }
    }

    /// The traits some bounds name, resolved in a scope.
    pub fn resolve_bounds(&self, scope: &TypeScope<'_>, bounds: &[PathRef]) -> Vec<TraitRef> {
        bounds
            .iter()
            .filter_map(
                |bound| match self.resolve_path(scope.module, &bound.segments)? {
                    Res::Def(Def::Trait(id)) => Some(TraitRef::Workspace(id)),
                    Res::Def(Def::External(path)) => Some(TraitRef::External(path)),
                    _ => None,
                },
            )
            .collect()
    }
}
