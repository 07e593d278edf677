//! The domain model between syn and the rules. A file is parsed once and turned into the facts
//! the rules share: bodies (fns, async blocks, closures) with their parameters, locals and the
//! places they use; loops; race sites (`select!`, `future::select`, `timeout`) with their
//! branches resolved to operations. Spans are our own values: no `proc_macro2::Span` leaves here.

mod collect;
pub mod imports;
pub mod liveness;
pub mod loss;
pub(crate) mod names;
pub mod operation;
pub mod race;
pub mod select;
pub mod signature;
pub mod suppression;
pub mod test_code;
pub mod workspace;

use std::collections::{HashMap, HashSet};

use crate::span::Span;

pub use loss::{Leaf, Loss, LossKind, LossReason, LossyBranch, Safety, Via};
pub use names::TRACKED_METHODS;
pub use operation::{OpTarget, Operation, Place};
pub use race::{Branch, RaceKind, RaceSite};
pub use workspace::{Callee, FnRef, Workspace};

/// Index of a [`Body`] in [`FileModel::bodies`].
pub type BodyId = usize;

/// Everything the rules know about one file.
#[derive(Debug, Default)]
pub struct FileModel {
    /// The path label, as given to the analysis.
    pub path: String,
    pub bodies: Vec<Body>,
    pub races: Vec<RaceSite>,
    /// Functions and methods with bodies, in file order.
    pub fns: Vec<FnItem>,
    /// Calls that block on a future.
    pub block_on_calls: Vec<BlockOnSite>,
    /// Spawns whose handle is dropped at once.
    pub detached_spawns: Vec<DetachedSpawn>,
    /// Public signatures whose futures are not required to be `Send`.
    pub missing_send: Vec<signature::MissingSend>,
    /// Where this file allows rustc's `async_fn_in_trait` for its submodules' files.
    pub async_fn_in_trait_allows: signature::InheritedAllows,
    /// Where the file's test code is (test fns, `#[cfg(test)]` items, a file of tests).
    pub test_code: test_code::TestCode,
    /// Lock guards and `RefCell` borrows alive at an `.await`.
    pub held_guards: Vec<liveness::HeldGuard>,
    /// Names of methods defined in `impl` blocks of this file.
    pub user_methods: HashSet<String>,
    /// Types (structs, enums, unions, aliases) defined in this file.
    pub user_types: HashSet<String>,
    /// Struct name -> field name -> the last segment of the field's declared type.
    pub fields: HashMap<String, HashMap<String, String>>,
    /// Names of every method called in this file.
    pub called_methods: HashSet<String>,
    /// Places assigned (`x = ..`, `x += ..`, `(a, b) = ..`) in each use scope.
    pub item_assigns: Vec<Vec<PlaceUse>>,
    /// Places used (read or written) in each use scope, with the byte offset of the use. A use
    /// scope is a fn (with the closures and async blocks inside it), or a top-level item
    /// outside any fn.
    pub item_uses: Vec<Vec<PlaceUse>>,
    /// `// cancel-check: allow(..)` comments and allow attributes.
    pub suppressions: suppression::Suppressions,
}

/// A function body, async block or closure: the unit in which loops and locals are scoped.
#[derive(Debug)]
pub struct Body {
    pub kind: BodyKind,
    /// The async block or closure; for a fn, its name.
    pub span: Span,
    /// The body this one is nested in (an async block inside a fn, ...).
    pub parent: Option<BodyId>,
    /// Index into [`FileModel::item_uses`]: the use scope of the fn this body belongs to.
    pub item: usize,
    pub params: Vec<Param>,
    /// The fn takes `&self` / `&mut self` (its `self` outlives the call).
    pub self_by_ref: bool,
    /// The type of the enclosing `impl`, if any.
    pub self_type: Option<String>,
    pub locals: Vec<LocalDecl>,
    /// The `.await`s directly in this body (not in nested async blocks or closures), in order.
    pub awaits: Vec<AwaitSite>,
    /// Locals mutated in this body (`buf.push(..)`, `&mut buf` passed to a call), in order.
    pub mutations: Vec<Mutation>,
    /// Every loop of this body.
    pub loops: Vec<LoopSite>,
    /// A closure handed to `spawn_blocking`, `std::thread::spawn` or `block_in_place`: its code
    /// runs where blocking is allowed.
    pub runs_blocking: bool,
    /// A closure handed to an iterator or `Option` adapter (`map`, `for_each`, ..): it runs
    /// right where it is written.
    pub runs_inline: bool,
}

/// A call that blocks the thread on a future: `Runtime::block_on`, `Handle::block_on`,
/// `futures::executor::block_on`.
#[derive(Debug, Clone)]
pub struct BlockOnSite {
    pub span: Span,
    pub body: BodyId,
    /// How the call was written: `block_on`, `rt.block_on`.
    pub callee: String,
}

/// A `tokio::spawn(..)` whose `JoinHandle` is dropped at once (`tokio::spawn(..);` or
/// `let _ = tokio::spawn(..);`).
#[derive(Debug, Clone)]
pub struct DetachedSpawn {
    pub span: Span,
    /// The spawn path as written.
    pub callee: String,
}

/// A local that grows or is filled: `buf.push(x)` (with the names its arguments mention), or
/// `&mut buf` handed to a call.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub name: String,
    pub span: Span,
    pub arg_names: Vec<String>,
    /// `&mut buf[n..]`: a part of the buffer is filled.
    pub indexed: bool,
}

/// An `.await` and what it awaits.
#[derive(Debug, Clone)]
pub struct AwaitSite {
    /// The operation that creates the awaited future, when it is a call.
    pub op: Option<Operation>,
    /// The whole `fut.await` expression.
    pub span: Span,
    /// The innermost loop of the same body around it.
    pub in_loop: Option<LoopSite>,
    /// Names bound from the awaited value (`let msg = rx.recv().await`, `while let Some(msg) = ..`).
    pub binds: Vec<String>,
}

/// A function, method or trait method with a body.
#[derive(Debug, Clone)]
pub struct FnItem {
    pub name: String,
    /// The name identifier.
    pub name_span: Span,
    /// Inline `mod` blocks around it, inside this file.
    pub module: Vec<String>,
    /// The type of the enclosing `impl` (or the trait, for a default method).
    pub self_type: Option<String>,
    /// `pub` (or a method of a `pub` trait).
    pub is_pub: bool,
    /// An `async fn`, or a fn returning `impl Future`.
    pub is_async: bool,
    /// Declared with the `async` keyword.
    pub async_keyword: bool,
    pub body: BodyId,
    /// What the docs and attributes say about its cancel safety.
    pub annotation: Option<crate::knowledge::docs::Annotation>,
    /// The docs have a `# Cancel safety` section (or an inline statement).
    pub documents_cancel_safety: bool,
}

/// What kind of body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    Fn { name: String, is_async: bool },
    AsyncBlock,
    Closure { is_async: bool },
}

/// A parameter of a fn or closure.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// The last segment of the declared type, references peeled (`&mut BufReader<T>` -> `BufReader`).
    pub ty: Option<String>,
    /// Declared as `&mut T`: the caller keeps the value and may poll it again.
    pub is_mut_ref: bool,
    /// The value outlives the call: a reference, or a shared handle (`Arc`, a channel sender).
    pub shared: bool,
    /// Declared as a reference (`&T`, `&mut T`).
    pub is_ref: bool,
}

/// A `let` binding.
#[derive(Debug, Clone)]
pub struct LocalDecl {
    pub name: String,
    /// The whole `let` statement.
    pub span: Span,
    /// The last segment of the declared or constructed type, when visible.
    pub ty: Option<String>,
    /// The operation that creates the value, when the initialiser is a call.
    pub init: Option<Operation>,
    /// Initialised as a collection that can grow or be filled piecewise (`Vec::new()`,
    /// `String::with_capacity(..)`, `BytesMut::new()`, `vec![]`, `[0u8; N]`).
    pub collection: bool,
    /// Initialised as a borrow of a place (`let s = &mut self.stream;`): the place's root.
    pub alias_of: Option<String>,
    /// Single-segment names the initialiser mentions.
    pub init_names: Vec<String>,
}

/// A use of a place (`reader`, `self.conn.stream`) at a byte offset.
#[derive(Debug, Clone)]
pub struct PlaceUse {
    pub place: String,
    pub offset: usize,
    pub span: Span,
}

/// A loop (`loop`, `while`, `while let`, `for`).
#[derive(Debug, Clone, Copy)]
pub struct LoopSite {
    /// The loop keyword (and label), for a short secondary label.
    pub keyword: Span,
    /// The whole loop expression.
    pub span: Span,
}

impl FileModel {
    /// Builds the model of a parsed file (the config names extra lock and `!Send` types).
    pub fn build(
        path: &str,
        file: &syn::File,
        text: &str,
        config: &crate::config::Config,
    ) -> FileModel {
        let mut model = collect::build(path, file, text, config);
        model.async_fn_in_trait_allows = signature::inherited_allows(file);
        model.test_code = test_code::test_code(file, path);
        model
    }

    /// The body and its ancestors, innermost first.
    pub fn body_chain(&self, id: BodyId) -> impl Iterator<Item = &Body> + '_ {
        std::iter::successors(Some(id), move |&id| self.bodies[id].parent)
            .map(move |id| &self.bodies[id])
    }

    /// The most recent `let` of `name` before `offset`, searching the body and then its parents.
    pub fn local_before(&self, body: BodyId, name: &str, offset: usize) -> Option<&LocalDecl> {
        self.body_chain(body).find_map(|body| {
            body.locals
                .iter()
                .filter(|local| local.name == name && local.span.start < offset)
                .max_by_key(|local| local.span.start)
        })
    }

    /// The most recent `let` of `name` before `offset` and the body that declares it.
    pub fn local_owner(
        &self,
        body: BodyId,
        name: &str,
        offset: usize,
    ) -> Option<(BodyId, &LocalDecl)> {
        let mut id = Some(body);
        while let Some(current) = id {
            let found = self.bodies[current]
                .locals
                .iter()
                .filter(|local| local.name == name && local.span.start < offset)
                .max_by_key(|local| local.span.start);
            if let Some(local) = found {
                return Some((current, local));
            }
            id = self.bodies[current].parent;
        }
        None
    }

    /// The parameter named `name` of the body or one of its parents.
    pub fn param(&self, body: BodyId, name: &str) -> Option<&Param> {
        self.body_chain(body)
            .find_map(|body| body.params.iter().find(|param| param.name == name))
    }

    /// Whether a value rooted at `root` outlives this body: `self` borrowed from the caller, a
    /// parameter that is a reference or a shared handle, or a local that borrows one of those.
    /// A local created here, or a value moved in, dies with the future.
    pub fn root_outlives(&self, body: BodyId, root: &str, offset: usize) -> bool {
        if root == "self" {
            return self.self_outlives_call(body);
        }
        if let Some((owner, local)) = self.local_owner(body, root, offset) {
            // A local of an enclosing body (an async block using its fn's locals) outlives the
            // block's future.
            if owner != body {
                return true;
            }
            return match &local.alias_of {
                Some(target) if target != root => {
                    self.root_outlives(body, target, local.span.start)
                }
                _ => false,
            };
        }
        match self.param(body, root) {
            // A parameter of an enclosing fn outlives an async block or closure inside it.
            Some(param) => {
                param.shared || !self.bodies[body].params.iter().any(|own| own.name == root)
            }
            // Not a local or a parameter: a static, or a capture from an enclosing scope.
            None => true,
        }
    }

    /// Whether `self` in this body is borrowed from the caller (`&self`, `&mut self`).
    pub fn self_outlives_call(&self, body: BodyId) -> bool {
        self.body_chain(body)
            .find(|body| matches!(body.kind, BodyKind::Fn { .. }))
            .is_some_and(|body| body.self_by_ref)
    }

    /// The type of the enclosing `impl`.
    pub fn self_type(&self, body: BodyId) -> Option<&str> {
        self.body_chain(body)
            .find_map(|body| body.self_type.as_deref())
    }

    /// The first use of `place` (or of a place it is part of, or a part of it) after `offset`
    /// in the same fn that still refers to the same binding: a `let` that shadows
    /// the place's root in between ends the search.
    pub fn use_after(&self, body: BodyId, place: &str, offset: usize) -> Option<&PlaceUse> {
        let item = self.bodies[body].item;
        let root = place.split('.').next().unwrap_or(place);
        let binding = self.binding_at(body, root, offset);
        self.item_uses[item]
            .iter()
            .filter(|used| used.offset >= offset)
            .filter(|used| same_place(&used.place, place))
            .find(|used| self.binding_at(body, root, used.offset) == binding)
    }

    /// The start of the `let` that binds `name` at `offset` (a `let` is in scope once its
    /// statement has ended), or `None` for a parameter, `self` or an unknown name.
    fn binding_at(&self, body: BodyId, name: &str, offset: usize) -> Option<usize> {
        self.body_chain(body).find_map(|body| {
            body.locals
                .iter()
                .filter(|local| local.name == name && local.span.end <= offset)
                .map(|local| local.span.start)
                .max()
        })
    }

    /// Whether `name` is recomputed inside `span` (a loop): assigned there, or bound there (by
    /// a `let` or a pattern). A value fixed for the whole loop is a parameter, a constant, or a
    /// local declared before the loop and never assigned in it.
    pub fn recomputed_in(&self, body: BodyId, name: &str, span: &Span) -> bool {
        let item = self.bodies[body].item;
        let assigned = self.item_assigns[item].iter().any(|assign| {
            span.contains(&assign.span) && assign.place.split('.').next() == Some(name)
        });
        if assigned {
            return true;
        }
        let declared_before = self
            .body_chain(body)
            .flat_map(|body| &body.locals)
            .any(|local| local.name == name && local.span.end <= span.start);
        let fixed = declared_before
            || self.param(body, name).is_some()
            || name == "self"
            || name.starts_with(char::is_uppercase);
        !fixed
    }

    /// The declared type of a place's value, when visible: a parameter, a typed or constructed
    /// local, or a field of `self` whose struct is in `fields` (the workspace's structs).
    pub fn type_of_place_with(
        &self,
        body: BodyId,
        place: &Place,
        offset: usize,
        fields: &HashMap<String, HashMap<String, String>>,
    ) -> Option<String> {
        let mut parts = place.text.split('.');
        let root = parts.next()?;
        let field = parts.next();
        if root == "self" {
            let field = field?;
            if parts.next().is_some() {
                return None;
            }
            let owner = self.self_type(body)?;
            return fields.get(owner)?.get(field).cloned();
        }
        if field.is_some() {
            return None;
        }
        if let Some(local) = self.local_before(body, root, offset) {
            return local.ty.clone();
        }
        self.param(body, root).and_then(|param| param.ty.clone())
    }
}

/// `a` and `b` name overlapping places: equal, or one is a field path inside the other.
fn same_place(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long == short || (long.starts_with(short) && long.as_bytes()[short.len()] == b'.')
}

/// Builders for the model's unit tests: a file's model, or a workspace of files, from source
/// text.
#[cfg(test)]
pub(crate) mod test_support {
    use super::workspace::Unit;
    use super::{FileModel, Workspace};
    use crate::config::Config;
    use crate::knowledge::Knowledge;

    /// The model of one file (panics if it does not parse: test sources are valid Rust).
    pub fn model_of(text: &str) -> FileModel {
        let file = syn::parse_file(text).expect("test source parses");
        FileModel::build("test.rs", &file, text, &Config::default())
    }

    /// A workspace of files of one crate `demo`: `(module path, text)`, with `""` for the root.
    pub fn workspace_of(files: &[(&str, &str)]) -> Workspace<'static> {
        let units = files
            .iter()
            .map(|(module, text)| {
                let file = syn::parse_file(text).expect("test source parses");
                let label = if module.is_empty() {
                    "src/lib.rs".to_string()
                } else {
                    format!("src/{}.rs", module.replace("::", "/"))
                };
                Unit {
                    model: FileModel::build(&label, &file, text, &Config::default()),
                    crate_name: "demo".to_string(),
                    module: module
                        .split("::")
                        .filter(|part| !part.is_empty())
                        .map(str::to_string)
                        .collect(),
                }
            })
            .collect();
        Workspace::build(units, Knowledge::builtin())
    }
}
