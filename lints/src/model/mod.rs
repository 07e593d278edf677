//! The domain model between syn and the rules. A file is parsed once and turned into the facts
//! the rules share: bodies (fns, async blocks, closures) with their parameters, locals and the
//! places they use; loops; race sites (`select!`, `future::select`, `timeout`) with their
//! branches resolved to operations. Spans are our own values: no `proc_macro2::Span` leaves here.

pub mod block_on;
pub(crate) mod call_graph;
mod collect;
pub mod imports;
pub mod items;
pub mod liveness;
pub mod loss;
pub(crate) mod names;
pub mod operation;
pub mod race;
pub mod resolve;
pub mod select;
pub mod send_promise;
pub mod signature;
pub mod suppression;
pub mod test_code;
pub mod typing;
pub mod value;
pub mod workspace;

use foldhash::{HashMap, HashSet};

use crate::span::Span;

pub use loss::{Leaf, Loss, LossKind, LossReason, LossyBranch, Safety, Via};
pub use names::TRACKED_METHODS;
pub use operation::{OpTarget, Operation};
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
    /// The file's scopes, types, traits and impls, for the resolution layer.
    pub items: items::Items,
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
    pub locals: Vec<LocalDecl>,
    /// Names bound by patterns of `if let`, `while let`, `match` arms and `for` loops.
    pub bindings: Vec<PatternBinding>,
    /// Futures assigned to a local after its `let` (`write = sink.send(msg).fuse();`): the
    /// local's name, the assignment and the call.
    pub future_assigns: Vec<(String, Span, Operation)>,
    /// The `.await`s directly in this body (not in nested async blocks or closures), in order.
    pub awaits: Vec<AwaitSite>,
    /// Locals mutated in this body (`buf.push(..)`, `&mut buf` passed to a call), in order.
    pub mutations: Vec<Mutation>,
    /// Every loop of this body.
    pub loops: Vec<LoopSite>,
    /// What the body returns (its tail expression and `return`s), when it is an await or a name.
    pub returns: Vec<Returned>,
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
    /// For a method call (`rt.block_on(..)`), the receiver, for its type.
    pub receiver: Option<value::ValueExpr>,
}

/// A `tokio::spawn(..)` whose `JoinHandle` is dropped at once (`tokio::spawn(..);` or
/// `let _ = tokio::spawn(..);`).
#[derive(Debug, Clone)]
pub struct DetachedSpawn {
    pub span: Span,
    /// The spawn path as written.
    pub callee: String,
    /// The `_` of `let _ = tokio::spawn(..)`; `None` for a statement of its own.
    pub wild: Option<Span>,
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
    /// The await is an argument of an awaited call (`process(rx.recv().await, out).await`): the
    /// value it gives is held across that outer await.
    pub held_into: Option<Span>,
    /// The futures the awaited call is given (`with_deadline(conn.read_frame()).await`), by
    /// argument index: what a race wrapper races.
    pub arg_futures: Vec<(usize, race::Branch)>,
    /// The code leaves when the awaited value is an error (`?`, `unwrap`, a `let .. else` that
    /// diverges).
    pub leaves_on_error: bool,
    /// It leaves by panicking (`unwrap`, `expect`).
    pub panics_on_error: bool,
}

/// What a fn body gives back, as far as the summaries need it: an awaited value, a name, or
/// something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// The value of the await starting at this offset (through `?`, `ok_or`, `map`...).
    Await(usize),
    /// A local or binding.
    Name(String),
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
    /// The scope the fn is declared in (its module or a block), where its signature resolves.
    pub scope: items::ScopeId,
    /// The scope its body's names resolve in first: a block scope when the body declares items,
    /// else `scope`.
    pub body_scope: items::ScopeId,
    /// The impl or trait it belongs to.
    pub owner: FnOwner,
    /// Its own generic parameters.
    pub generics: items::Generics,
    /// The return type as written (`None` for `()`).
    pub ret: Option<items::TypeRef>,
}

/// What a fn belongs to: an impl block or a trait (indices into the file's `items`), or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnOwner {
    Free,
    Impl(usize),
    Trait(usize),
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
    /// Declared as `&mut T`: the caller keeps the value and may poll it again.
    pub is_mut_ref: bool,
    /// The value outlives the call: a reference, or a shared handle (`Arc`, a channel sender).
    pub shared: bool,
    /// Declared as a reference (`&T`, `&mut T`).
    pub is_ref: bool,
    /// The declared type as written.
    pub ty_ref: Option<items::TypeRef>,
    /// For a closure's first parameter: the element of what it iterates
    /// (`conns.iter_mut().map(|c| ..)` gives an element of `conns`).
    pub value: Option<value::ValueExpr>,
}

/// A `let` binding.
#[derive(Debug, Clone)]
pub struct LocalDecl {
    pub name: String,
    /// The whole `let` statement.
    pub span: Span,
    /// The declared or constructed type as written (`T::new(..)` gives `T`).
    pub ty_ref: Option<items::TypeRef>,
    /// `ty_ref` is the declared type (`let x: T`), not a guess from a constructor.
    pub ty_declared: bool,
    /// How the value was computed (`connect(addr).await?`), for its type.
    pub value: Option<value::ValueExpr>,
    /// The operation that creates the value, when the initialiser is a call.
    pub init: Option<Operation>,
    /// The body of the `async` block the initialiser creates (`let task = async { .. };`).
    pub init_block: Option<BodyId>,
    /// The initialiser is another future by name, pinned or adapted (`let fut = Box::pin(fut);`,
    /// `let mut fut = fut.fuse();`): that name.
    pub future_of: Option<String>,
    /// Initialised as a collection that can grow or be filled piecewise (`Vec::new()`,
    /// `String::with_capacity(..)`, `BytesMut::new()`, `vec![]`, `[0u8; N]`).
    pub collection: bool,
    /// Initialised as a borrow of a place (`let s = &mut self.stream;`): the place's root.
    pub alias_of: Option<String>,
    /// Single-segment names the initialiser mentions.
    pub init_names: Vec<String>,
    /// The `let`'s place in the order statements are met (see `Collector::statements`).
    pub statement: usize,
    /// Where the block the `let` is in ends: the name is out of scope after it (a `let` in one
    /// `match` arm is not the same-named binding of the next arm).
    pub scope_end: usize,
}

impl LocalDecl {
    /// Whether this is the `let` of `name` that `offset` can see: declared before it, in a block
    /// that has not ended.
    pub fn in_scope(&self, name: &str, offset: usize) -> bool {
        self.name == name && self.span.start < offset && offset <= self.scope_end
    }
}

/// A name a pattern binds outside a `let`: in an `if let`, `while let`, `match` arm or `for`
/// loop. It is in scope in `live` only.
#[derive(Debug, Clone)]
pub struct PatternBinding {
    pub name: String,
    /// The pattern.
    pub span: Span,
    /// Where the name is in scope: the arm, the `if let` block, the loop.
    pub live: Span,
    /// What the bound part of the matched value is, for its type.
    pub value: Option<value::ValueExpr>,
    /// The declared type, when the pattern writes one.
    pub ty_ref: Option<items::TypeRef>,
    /// The matched value borrows a place (`match &mut self.state`, `if let Some(c) =
    /// self.conn.as_mut()`): that place's root.
    pub alias_of: Option<String>,
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
    /// The loop is an expression statement (not a `let x = loop { .. }` or a tail expression
    /// with attributes): code can be put before it.
    pub statement: bool,
}

impl FileModel {
    /// Builds the model of a parsed file (the config names extra lock and `!Send` types).
    pub fn build(
        path: &str,
        file: &syn::File,
        text: &str,
        config: &crate::config::Config,
    ) -> FileModel {
        crate::span::with_lines(text, || {
            let mut model = collect::build(path, file, text, config);
            model.async_fn_in_trait_allows = signature::inherited_allows(file);
            model.test_code = test_code::test_code(file, path);
            model
        })
    }

    /// The body and its ancestors, innermost first.
    pub fn body_chain(&self, id: BodyId) -> impl Iterator<Item = &Body> + '_ {
        std::iter::successors(Some(id), move |&id| self.bodies[id].parent)
            .map(move |id| &self.bodies[id])
    }

    /// The most recent `let` of `name` before `offset`, searching the body and then its parents.
    pub fn local_before(&self, body: BodyId, name: &str, offset: usize) -> Option<&LocalDecl> {
        self.local_owner(body, name, offset).map(|(_, local)| local)
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
                .filter(|local| local.in_scope(name, offset))
                .max_by_key(|local| local.span.start);
            if let Some(local) = found {
                return Some((current, local));
            }
            id = self.bodies[current].parent;
        }
        None
    }

    /// The pattern binding of `name` in scope at `offset`, searching the body and then its
    /// parents, when it is more recent than any `let` of the name there.
    pub fn binding_before(
        &self,
        body: BodyId,
        name: &str,
        offset: usize,
    ) -> Option<&PatternBinding> {
        let local = self
            .local_before(body, name, offset)
            .map(|local| local.span.start);
        self.body_chain(body)
            .find_map(|body| {
                body.bindings
                    .iter()
                    .filter(|binding| {
                        binding.name == name
                            && binding.span.start < offset
                            && binding.live.start <= offset
                            && offset < binding.live.end
                    })
                    .max_by_key(|binding| binding.span.start)
            })
            .filter(|binding| local.is_none_or(|local| binding.span.start > local))
    }

    /// [`FileModel::binding_before`] with the body that binds it.
    pub fn binding_owner(
        &self,
        body: BodyId,
        name: &str,
        offset: usize,
    ) -> Option<(BodyId, &PatternBinding)> {
        let found = self.binding_before(body, name, offset)?;
        std::iter::successors(Some(body), |&id| self.bodies[id].parent)
            .find(|&id| {
                self.bodies[id]
                    .bindings
                    .iter()
                    .any(|binding| std::ptr::eq(binding, found))
            })
            .map(|id| (id, found))
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
        if let Some((owner, binding)) = self.binding_owner(body, root, offset) {
            // A name an enclosing body binds outlives this body's future; one bound here lives
            // as long as what it borrows, or dies with the future.
            if owner != body {
                return true;
            }
            return match &binding.alias_of {
                Some(target) if target != root => {
                    self.root_outlives(body, target, binding.span.start)
                }
                _ => false,
            };
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

    /// The root a local or pattern binding borrows from, followed through other borrowing
    /// locals (`let s = &mut self.conn;`, `if let Some(s) = self.conn.as_mut()`): `None` for a
    /// name that borrows nothing.
    pub fn borrowed_root<'a>(&'a self, body: BodyId, name: &str, offset: usize) -> Option<&'a str> {
        let mut current: Option<&'a str> = None;
        let mut name = name.to_string();
        let mut offset = offset;
        for _ in 0..8 {
            let target = match self.binding_before(body, &name, offset) {
                Some(binding) => binding.alias_of.as_deref().map(|t| (t, binding.span.start)),
                None => self
                    .local_before(body, &name, offset)
                    .and_then(|local| local.alias_of.as_deref().map(|t| (t, local.span.start))),
            };
            let Some((target, at)) = target else { break };
            if target == name {
                break;
            }
            current = Some(target);
            name = target.to_string();
            offset = at;
        }
        current
    }

    /// Whether `self` in this body is borrowed from the caller (`&self`, `&mut self`).
    pub fn self_outlives_call(&self, body: BodyId) -> bool {
        self.body_chain(body)
            .find(|body| matches!(body.kind, BodyKind::Fn { .. }))
            .is_some_and(|body| body.self_by_ref)
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
