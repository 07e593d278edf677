//! Builds a [`FileModel`] from a syntax tree in one walk.

use std::collections::{HashMap, HashSet};

use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, FnArg, ImplItemFn, Item, ItemFn, Pat, ReturnType, Signature, Stmt, Token, Type};

use super::imports::{path_segments, Imports};
use super::operation::{future_shape, FutureShape};
use super::race::{Branch, RaceKind, RaceSite};
use super::select::parse_select_body;
use super::{
    AwaitSite, BlockOnSite, Body, BodyId, BodyKind, DetachedSpawn, FileModel, FnItem, LocalDecl,
    LoopSite, Mutation, Param, PlaceUse,
};
use crate::config::Config;
use crate::span::Span;

/// How deep macro bodies are re-parsed inside each other.
const MAX_MACRO_DEPTH: usize = 8;

const TIMEOUT_FNS: &[&str] = &[
    "tokio::time::timeout",
    "tokio::time::timeout_at",
    "async_std::future::timeout",
    "async_std::io::timeout",
];
const TRY_JOIN_FNS: &[&str] = &[
    "futures::future::try_join",
    "futures::future::try_join3",
    "futures::future::try_join4",
    "futures::future::try_join5",
    "futures::future::try_join_all",
    "futures::try_join",
    "futures::try_join_all",
];
const FUTURE_SELECT_FNS: &[&str] = &[
    "futures::future::select",
    "futures::future::select_all",
    "futures::future::select_ok",
    "futures::select",
    "futures::select_all",
    "futures::select_ok",
    "futures::future::try_select",
];
/// Methods whose presence in a file changes a verdict (the knowledge base's `lost_only_with`);
/// `tests/knowledge.rs` checks that every such name is here.
pub const TRACKED_METHODS: &[&str] = &["notify_waiters"];

/// The last path segments of every function `visit_expr_call` resolves: blocking contexts,
/// `block_on`, timeouts and future selects. Other calls are not resolved at all.
const INTERESTING_CALLS: &[&str] = &[
    "try_join",
    "try_join3",
    "try_join4",
    "try_join5",
    "try_join_all",
    "spawn_blocking",
    "block_in_place",
    "spawn",
    "spawn_scoped",
    "scope",
    "block_on",
    "timeout",
    "timeout_at",
    "select",
    "select_all",
    "select_ok",
    "try_select",
];

/// Functions whose closure argument runs where blocking is allowed.
const BLOCKING_CONTEXT_FNS: &[&str] = &[
    "tokio::task::spawn_blocking",
    "tokio::task::block_in_place",
    "std::thread::spawn",
    "std::thread::scope",
    "async_std::task::spawn_blocking",
];

/// Calls whose closure argument runs on a thread of its own (`std::thread::Builder::spawn`,
/// `crate::loom::thread::spawn`, `scope.spawn`), or where blocking is allowed.
const BLOCKING_CONTEXT_METHODS: &[&str] = &[
    "spawn",
    "spawn_scoped",
    "scope",
    "spawn_blocking",
    "block_in_place",
];

/// Methods whose closure argument runs synchronously, in the caller's context.
const INLINE_CLOSURE_METHODS: &[&str] = &[
    "map",
    "for_each",
    "filter",
    "filter_map",
    "flat_map",
    "and_then",
    "or_else",
    "map_or",
    "map_or_else",
    "unwrap_or_else",
    "fold",
    "try_fold",
    "try_for_each",
    "any",
    "all",
    "find",
    "find_map",
    "inspect",
    "retain",
    "take_while",
    "skip_while",
    "position",
    "sort_by",
    "sort_by_key",
    "then",
    "get_or_insert_with",
];

/// The span of an expression's first token, without turning the whole expression into tokens
/// (which is what `Spanned::span` does).
pub(super) fn first_token(expr: &Expr) -> proc_macro2::Span {
    use syn::spanned::Spanned;
    match expr {
        Expr::MethodCall(inner) => first_token(&inner.receiver),
        Expr::Call(inner) => first_token(&inner.func),
        Expr::Field(inner) => first_token(&inner.base),
        Expr::Await(inner) => first_token(&inner.base),
        Expr::Try(inner) => first_token(&inner.expr),
        Expr::Index(inner) => first_token(&inner.expr),
        Expr::Cast(inner) => first_token(&inner.expr),
        Expr::Binary(inner) => first_token(&inner.left),
        Expr::Paren(inner) => inner.paren_token.span.open(),
        Expr::Reference(inner) => inner.and_token.span,
        Expr::Async(inner) => inner.async_token.span,
        Expr::Block(inner) if inner.label.is_none() => inner.block.brace_token.span.open(),
        Expr::Path(inner) if inner.qself.is_none() => {
            match (&inner.path.leading_colon, inner.path.segments.first()) {
                (Some(colon), _) => colon.spans[0],
                (None, Some(segment)) => segment.ident.span(),
                (None, None) => expr.span(),
            }
        }
        Expr::Macro(inner) => match inner.mac.path.segments.first() {
            Some(segment) => segment.ident.span(),
            None => expr.span(),
        },
        Expr::Lit(inner) => inner.lit.span(),
        _ => expr.span(),
    }
}

/// From the first token of one node to a closing token, cheaply.
fn between(first: proc_macro2::Span, last: proc_macro2::Span) -> Span {
    Span::from_pm2(first).to(Span::from_pm2(last))
}

/// A macro call from its path to its closing delimiter.
fn macro_span(mac: &syn::Macro) -> Span {
    let first = match mac.path.segments.first() {
        Some(segment) => segment.ident.span(),
        None => mac.bang_token.span,
    };
    between(first, mac.delimiter.span().close())
}

/// `x.await`, `x.await?`, `x.await.unwrap()`: the value, not a future.
fn is_awaited(expr: &Expr) -> bool {
    match expr {
        Expr::Await(_) => true,
        Expr::Try(inner) => is_awaited(&inner.expr),
        Expr::MethodCall(call) => {
            matches!(&*call.receiver, Expr::Await(_)) || is_awaited(&call.receiver)
        }
        Expr::Paren(inner) => is_awaited(&inner.expr),
        _ => false,
    }
}

/// Stream methods that stop at the first error.
const TRY_COLLECTORS: &[&str] = &["try_collect", "try_for_each", "try_for_each_concurrent"];

/// The futures of `iter.map(|x| op).collect::<FuturesUnordered<_>>()` (or `FuturesOrdered`, or
/// `FuturesUnordered::from_iter(..)`): the closure body of the `map`.
fn collected_futures(expr: &Expr) -> Option<Vec<Expr>> {
    let names_a_set =
        |text: &str| text.contains("FuturesUnordered") || text.contains("FuturesOrdered");
    match expr {
        Expr::MethodCall(collect) if collect.method == "collect" => {
            let turbofish = collect
                .turbofish
                .as_ref()
                .map(|args| quote::ToTokens::to_token_stream(args).to_string())
                .unwrap_or_default();
            names_a_set(&turbofish).then(|| joined_futures(&collect.receiver))
        }
        Expr::Call(call) => match &*call.func {
            Expr::Path(path)
                if path.path.segments.len() >= 2
                    && names_a_set(
                        &path.path.segments[path.path.segments.len() - 2]
                            .ident
                            .to_string(),
                    ) =>
            {
                call.args.first().map(joined_futures)
            }
            _ => None,
        },
        Expr::Paren(inner) => collected_futures(&inner.expr),
        _ => None,
    }
}

/// The futures of a `try_join!` body: `[biased;] a, b, c`.
fn parse_join_body(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<Expr>> {
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![;]>()?;
    }
    Ok(Punctuated::<Expr, Token![,]>::parse_terminated(input)?
        .into_iter()
        .collect())
}

/// The futures a `try_join_all` argument builds: the elements of `vec![..]` / `[..]`, or the
/// closure body of `.map(|x| ..)`.
fn joined_futures(arg: &Expr) -> Vec<Expr> {
    match arg {
        Expr::MethodCall(call) if call.method == "map" => match call.args.first() {
            Some(Expr::Closure(closure)) => vec![(*closure.body).clone()],
            _ => Vec::new(),
        },
        other => collection_elements(other),
    }
}

/// A closure, or a block that ends in one (`spawn_blocking({ let x = ..; move || .. })`).
fn is_closure(expr: &Expr) -> bool {
    match expr {
        Expr::Closure(_) => true,
        Expr::Block(block) => {
            matches!(block.block.stmts.last(), Some(Stmt::Expr(last, None)) if is_closure(last))
        }
        Expr::Paren(inner) => is_closure(&inner.expr),
        _ => false,
    }
}

/// Functions that block the thread until a future completes.
const BLOCK_ON_FNS: &[&str] = &[
    "futures::executor::block_on",
    "futures::future::block_on",
    "async_std::task::block_on",
    "smol::block_on",
    "pollster::block_on",
];

/// Functions that spawn a task and return its `JoinHandle`.
const SPAWN_FNS: &[&str] = &[
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_local",
];

/// Methods that add to a collection.
const MUTATORS: &[&str] = &[
    "push",
    "push_str",
    "push_back",
    "push_front",
    "extend",
    "extend_from_slice",
    "put",
    "put_slice",
    "put_u8",
    "append",
    "insert",
];
/// Identifiers that make a macro body worth parsing as code.
const INTERESTING: &[&str] = &[
    "await",
    "async",
    "select",
    "select_biased",
    "timeout",
    "timeout_at",
    "select_all",
    "select_ok",
];

pub(super) fn build(path: &str, file: &syn::File, text: &str, config: &Config) -> FileModel {
    let mut model = FileModel {
        path: path.to_string(),
        ..FileModel::default()
    };
    let mut imports = Imports::default();
    let mut declarations = Declarations {
        model: &mut model,
        imports: &mut imports,
        parsed_macros: HashMap::new(),
    };
    declarations.visit_file(file);
    let parsed_macros = std::mem::take(&mut declarations.parsed_macros);
    model.missing_send = super::signature::missing_send(file, text);
    model.suppressions = super::suppression::suppressions(file, text);
    if text.contains(".await") {
        let last_segment = |path: &'_ String| path.rsplit("::").next().unwrap_or(path).to_string();
        let lock_types: Vec<String> = config.lock_types.iter().map(last_segment).collect();
        let not_send: Vec<String> = config.not_send_types.iter().map(last_segment).collect();
        let not_send: Vec<&str> = not_send.iter().map(String::as_str).collect();
        let bare_lock_is_guard = text.contains("parking_lot")
            || lock_types.iter().any(|name| text.contains(name.as_str()));
        model.held_guards = super::liveness::held_guards(file, bare_lock_is_guard, &not_send);
    }
    let mut collector = Collector {
        text,
        parsed_macros: &parsed_macros,
        model: &mut model,
        imports: &imports,
        bodies: Vec::new(),
        loops: Vec::new(),
        impl_types: Vec::new(),
        scopes: Vec::new(),
        modules: Vec::new(),
        pub_traits: Vec::new(),
        pending_binds: None,
        next_closure_blocking: false,
        next_closure_inline: false,
        timeouts_leaving: HashSet::new(),
        macro_depth: 0,
    };
    for item in &file.items {
        collector.open_scope();
        collector.visit_item(item);
        collector.scopes.pop();
    }
    model
}

/// First pass: imports, types, struct fields and method names, in every module and in fn bodies'
/// statement-level items. It skips expressions, so it costs little next to the full walk.
struct Declarations<'m> {
    model: &'m mut FileModel,
    imports: &'m mut Imports,
    /// Item macros parsed as items, by start offset, for the second pass to reuse.
    parsed_macros: HashMap<usize, syn::File>,
}

impl<'ast> Visit<'ast> for Declarations<'_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        for stmt in &block.stmts {
            if let Stmt::Item(item) = stmt {
                self.visit_item(item);
            }
        }
    }

    fn visit_expr(&mut self, _: &'ast Expr) {}

    fn visit_type(&mut self, _: &'ast Type) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.imports.add_use(&item.tree, &item.vis);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let name = item.ident.to_string();
        let fields = self.model.fields.entry(name.clone()).or_default();
        for (index, field) in item.fields.iter().enumerate() {
            let field_name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            if let Some(ty) = type_name(&field.ty) {
                fields.insert(field_name, ty);
            }
        }
        self.model.user_types.insert(name);
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.model.user_types.insert(item.ident.to_string());
        visit::visit_item_enum(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.model.user_types.insert(item.ident.to_string());
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if is_macro_rules(&item.mac) || !mentions_interesting(&item.mac.tokens, 0) {
            return;
        }
        if let Ok(file) = syn::parse2::<syn::File>(item.mac.tokens.clone()) {
            self.visit_file(&file);
            self.parsed_macros.insert(macro_span(&item.mac).start, file);
        }
    }
}

/// The last segment of a type with references, pointers and smart pointers peeled:
/// `&mut BufReader<TcpStream>` -> `BufReader`, `Arc<Mutex<Conn>>` -> `Mutex`.
pub(super) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Reference(reference) => type_name(&reference.elem),
        Type::Paren(inner) => type_name(&inner.elem),
        Type::Group(inner) => type_name(&inner.elem),
        Type::Path(path) => {
            let last = path.path.segments.last()?;
            let name = last.ident.to_string();
            if matches!(name.as_str(), "Box" | "Arc" | "Rc" | "Pin") {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                        return type_name(inner);
                    }
                }
            }
            Some(name)
        }
        _ => None,
    }
}

fn is_macro_rules(mac: &syn::Macro) -> bool {
    mac.path.is_ident("macro_rules")
}

/// Whether the tokens mention an identifier that makes them worth parsing as code.
fn mentions_interesting(tokens: &TokenStream, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => INTERESTING.iter().any(|name| ident == name),
        TokenTree::Group(group) => mentions_interesting(&group.stream(), depth + 1),
        _ => false,
    })
}

/// Second pass: bodies, loops, locals, uses and race sites.
struct Collector<'m> {
    /// The file's text, for cheap checks on raw source.
    text: &'m str,
    /// Item macros the first pass already parsed.
    parsed_macros: &'m HashMap<usize, syn::File>,
    model: &'m mut FileModel,
    imports: &'m Imports,
    /// The open bodies, innermost last.
    bodies: Vec<BodyId>,
    /// The open loops of each open body (parallel to `bodies`).
    loops: Vec<Vec<LoopSite>>,
    impl_types: Vec<Option<String>>,
    /// The open use scopes (indices into `item_uses`), innermost last.
    scopes: Vec<usize>,
    /// Inline `mod` blocks around the walk, outermost first.
    modules: Vec<String>,
    /// Whether each open trait is `pub`.
    pub_traits: Vec<bool>,
    /// Names a `let`/`if let`/`while let`/`match` binds from the `.await` starting at this offset.
    pending_binds: Option<(usize, Vec<String>)>,
    /// The next closure opened is an argument of `spawn_blocking` and the like.
    next_closure_blocking: bool,
    /// The next closure opened is an argument of an iterator or `Option` adapter.
    next_closure_inline: bool,
    /// Start offsets of timeout calls whose elapsed error leaves the code (`?`, `unwrap`,
    /// `let Ok(..) = .. else { return }`, a `match` whose `Err` arm diverges), found on the way
    /// down before the call itself is visited.
    timeouts_leaving: HashSet<usize>,
    macro_depth: usize,
}

impl Collector<'_> {
    fn current_body(&self) -> Option<BodyId> {
        self.bodies.last().copied()
    }

    /// Whether the innermost body is async code: an async fn, block or closure (or a closure in
    /// one).
    fn in_async_body(&self) -> bool {
        self.bodies
            .iter()
            .rev()
            .any(|&id| match &self.model.bodies[id].kind {
                BodyKind::Fn { is_async, .. } => *is_async,
                BodyKind::AsyncBlock | BodyKind::Closure { is_async: true } => true,
                BodyKind::Closure { is_async: false } => false,
            })
    }

    fn current_loop(&self) -> Option<LoopSite> {
        self.loops.last().and_then(|loops| loops.last().copied())
    }

    fn item_index(&self) -> usize {
        self.scopes.last().copied().unwrap_or(0)
    }

    /// Starts a use scope: a top-level item, or a fn.
    fn open_scope(&mut self) {
        self.scopes.push(self.model.item_uses.len());
        self.model.item_uses.push(Vec::new());
        self.model.item_assigns.push(Vec::new());
    }

    fn open_body(
        &mut self,
        kind: BodyKind,
        span: Span,
        params: Vec<Param>,
        self_by_ref: bool,
    ) -> BodyId {
        let id = self.model.bodies.len();
        self.model.bodies.push(Body {
            kind,
            span,
            parent: self.current_body(),
            item: self.item_index(),
            params,
            self_by_ref,
            self_type: self.impl_types.last().cloned().flatten(),
            locals: Vec::new(),
            awaits: Vec::new(),
            mutations: Vec::new(),
            loops: Vec::new(),
            runs_blocking: std::mem::take(&mut self.next_closure_blocking),
            runs_inline: std::mem::take(&mut self.next_closure_inline),
        });
        self.bodies.push(id);
        self.loops.push(Vec::new());
        id
    }

    fn close_body(&mut self) {
        self.bodies.pop();
        self.loops.pop();
    }

    fn in_loop(&mut self, keyword: Span, span: Span, walk: impl FnOnce(&mut Self)) {
        if let Some(loops) = self.loops.last_mut() {
            loops.push(LoopSite { keyword, span });
        }
        if let Some(body) = self.current_body() {
            self.model.bodies[body]
                .loops
                .push(LoopSite { keyword, span });
        }
        walk(self);
        if let Some(loops) = self.loops.last_mut() {
            loops.pop();
        }
    }

    fn fn_body(
        &mut self,
        sig: &Signature,
        attrs: &[syn::Attribute],
        is_pub: bool,
        walk: impl FnOnce(&mut Self),
    ) {
        let (params, self_by_ref) = signature_params(sig);
        let is_async = sig.asyncness.is_some() || returns_impl_future(&sig.output);
        let kind = BodyKind::Fn {
            name: sig.ident.to_string(),
            is_async,
        };
        self.open_scope();
        let body = self.open_body(kind, Span::of(&sig.ident), params, self_by_ref);
        // Reading docs costs (string literals are unescaped); only attributes whose source
        // mentions cancellation can say anything about it.
        let mentions_cancel = match (attrs.first(), attrs.last()) {
            (Some(first), Some(last)) => {
                let range = Span::of(first).start..Span::of(last).end;
                self.text
                    .get(range)
                    .is_some_and(|source| source.contains("ancel"))
            }
            _ => false,
        };
        let docs = if mentions_cancel {
            crate::knowledge::docs::doc_text(attrs)
        } else {
            String::new()
        };
        self.model.fns.push(FnItem {
            name: sig.ident.to_string(),
            name_span: Span::of(&sig.ident),
            module: self.modules.clone(),
            self_type: self.impl_types.last().cloned().flatten(),
            is_pub,
            is_async,
            async_keyword: sig.asyncness.is_some(),
            body,
            annotation: if mentions_cancel {
                crate::knowledge::docs::annotation(attrs)
            } else {
                None
            },
            documents_cancel_safety: crate::knowledge::docs::has_section(&docs)
                || crate::knowledge::docs::statement(&docs).is_some(),
        });
        walk(self);
        self.close_body();
        self.scopes.pop();
    }

    fn record_assign(&mut self, target: &Expr) {
        if let Expr::Tuple(tuple) = target {
            for elem in &tuple.elems {
                self.record_assign(elem);
            }
            return;
        }
        let Some(place) = super::operation::place_of(target) else {
            return;
        };
        let index = self.item_index();
        if let Some(assigns) = self.model.item_assigns.get_mut(index) {
            assigns.push(PlaceUse {
                place: place.text,
                offset: place.span.start,
                span: place.span,
            });
        }
    }

    fn record_mutation(&mut self, name: String, span: Span, arg_names: Vec<String>, indexed: bool) {
        if let Some(body) = self.current_body() {
            self.model.bodies[body].mutations.push(Mutation {
                name,
                span,
                arg_names,
                indexed,
            });
        }
    }

    /// `&mut buf` or `&mut buf[n..]` passed to a call: the local may be filled by it.
    fn record_mut_borrow(&mut self, arg: &Expr) {
        if let Expr::Reference(reference) = arg {
            if reference.mutability.is_some() {
                let (target, indexed) = match &*reference.expr {
                    Expr::Index(index) => (&*index.expr, true),
                    other => (other, false),
                };
                if let Expr::Path(path) = target {
                    if let Some(ident) = path.path.get_ident() {
                        self.record_mutation(ident.to_string(), Span::of(arg), Vec::new(), indexed);
                    }
                }
            }
        }
    }

    fn record_use(&mut self, place: String, span: Span) {
        let index = self.item_index();
        if let Some(uses) = self.model.item_uses.get_mut(index) {
            uses.push(PlaceUse {
                place,
                offset: span.start,
                span,
            });
        }
    }

    /// Turns a future expression at a race site into a branch.
    fn branch(&self, future: &Expr, handler: Option<&Expr>) -> Branch {
        let span = Span::of(future);
        let body = self.current_body();
        let in_loop = self.current_loop();
        let (op, created_in_loop, resumed) = match future_shape(future, self.imports) {
            FutureShape::Call(op) => (Some(*op), in_loop.is_some(), false),
            FutureShape::Binding(name) => {
                let local = body.and_then(|body| self.model.local_before(body, &name, span.start));
                match local {
                    Some(local) => {
                        let inside = in_loop.is_some_and(|lp| lp.span.contains(&local.span));
                        (local.init.clone(), inside, !inside)
                    }
                    None => (None, false, true),
                }
            }
            FutureShape::AsyncBlock | FutureShape::Other => (None, in_loop.is_some(), false),
        };
        Branch {
            span,
            op,
            created_in_loop,
            resumed,
            handler_diverges: handler.is_some_and(diverges),
            handler_continues: handler.is_some_and(ends_with_continue),
            block_body: None,
            handler_span: handler.map(Span::of),
        }
    }

    fn push_race(
        &mut self,
        kind: RaceKind,
        label_span: Span,
        span: Span,
        branches: Vec<Branch>,
        fallback_continues: bool,
        handlers_are_values: bool,
    ) {
        let Some(body) = self.current_body() else {
            return;
        };
        let in_loop = self.current_loop();
        self.model.races.push(RaceSite {
            kind,
            label_span,
            span,
            body,
            in_loop,
            branches,
            fallback_continues,
            handlers_are_values,
        });
    }

    /// Records `expr` when it is a `tokio::spawn(..)` whose handle is about to be dropped.
    fn note_detached_spawn(&mut self, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Expr::Path(func) = &*call.func else {
            return;
        };
        let named_spawn = func
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "spawn" || last.ident == "spawn_local");
        if !named_spawn {
            return;
        }
        let segments = path_segments(&func.path);
        if let Some(target) = self.imports.resolves_to(&segments, SPAWN_FNS) {
            self.model.detached_spawns.push(DetachedSpawn {
                span: Span::of(call),
                callee: if segments.len() == 1 {
                    target.to_string()
                } else {
                    segments.join("::")
                },
            });
        }
    }

    /// Notes the names `pat` binds from the `.await` that `expr` ends in (through `?` and
    /// `unwrap`-like calls), so that the await site knows what it produced.
    fn note_binds(&mut self, expr: &Expr, pat: &Pat) {
        let mut expr = expr;
        loop {
            match expr {
                Expr::Try(inner) => expr = &inner.expr,
                Expr::Paren(inner) => expr = &inner.expr,
                Expr::MethodCall(call)
                    if matches!(
                        call.method.to_string().as_str(),
                        "unwrap" | "expect" | "ok" | "context" | "with_context" | "map_err"
                    ) =>
                {
                    expr = &call.receiver
                }
                Expr::Await(_) => break,
                _ => return,
            }
        }
        let names = pat_names(pat);
        if names.is_empty() {
            return;
        }
        let start = Span::from_pm2(first_token(expr)).start;
        match &mut self.pending_binds {
            Some((at, existing)) if *at == start => existing.extend(names),
            _ => self.pending_binds = Some((start, names)),
        }
    }

    /// Records that the timeout awaited in `expr` (through `.await`, `?`, `.unwrap()` and other
    /// method calls) leaves the code when it elapses: `leaves` says the surrounding construct
    /// diverges on the error; `?`, `unwrap` and `expect` on the way down do too.
    fn note_timeout_outcome(&mut self, expr: &Expr, leaves: bool) {
        let mut leaves = leaves;
        let mut expr = expr;
        loop {
            match expr {
                Expr::Await(inner) => expr = &inner.base,
                Expr::Paren(inner) => expr = &inner.expr,
                Expr::Try(inner) => {
                    leaves = true;
                    expr = &inner.expr;
                }
                Expr::MethodCall(call) if call.method == "timeout" => break,
                Expr::MethodCall(call) => {
                    leaves |= matches!(call.method.to_string().as_str(), "unwrap" | "expect");
                    expr = &call.receiver;
                }
                _ => break,
            }
        }
        if leaves && matches!(expr, Expr::Call(_) | Expr::MethodCall(_)) {
            self.timeouts_leaving
                .insert(Span::from_pm2(first_token(expr)).start);
        }
    }

    /// `select!` and friends, or another macro whose body holds code.
    fn handle_macro(&mut self, mac: &syn::Macro) {
        if is_macro_rules(mac) || self.macro_depth >= MAX_MACRO_DEPTH {
            return;
        }
        let name = mac
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        let segments: Vec<String> = path_segments(&mac.path);
        let full = self.imports.expand(&segments);
        let foreign_select = full.starts_with("crossbeam") || full.starts_with("std::");
        if name == "try_join" && !foreign_select {
            if let Ok(futures) = mac.parse_body_with(parse_join_body) {
                let branches = futures
                    .iter()
                    .map(|future| self.branch(future, None))
                    .collect();
                let label_span = Span::of(&mac.path).to(Span::from_pm2(mac.bang_token.span));
                self.push_race(
                    RaceKind::TryJoin {
                        function: "try_join!".to_string(),
                    },
                    label_span,
                    macro_span(mac),
                    branches,
                    true,
                    false,
                );
                self.macro_depth += 1;
                for future in &futures {
                    self.visit_expr(future);
                }
                self.macro_depth -= 1;
                return;
            }
        }
        if (name == "select" || name == "select_biased") && !foreign_select {
            if let Some(body) = parse_select_body(mac.tokens.clone()) {
                self.handle_select(mac, &name, body);
                return;
            }
        }
        if !mentions_interesting(&mac.tokens, 0) {
            return;
        }
        self.macro_depth += 1;
        if let Ok(exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
        } else if let Ok(file) = syn::parse2::<syn::File>(mac.tokens.clone()) {
            for item in &file.items {
                self.visit_item(item);
            }
        }
        self.macro_depth -= 1;
    }

    fn handle_select(&mut self, mac: &syn::Macro, name: &str, body: super::select::SelectBody) {
        let branches = body
            .branches
            .iter()
            .map(|branch| self.branch(&branch.future, Some(&branch.handler)))
            .collect();
        let fallback_continues = body.fallbacks.iter().any(|handler| !diverges(handler));
        let handlers_are_values = body
            .branches
            .iter()
            .map(|branch| &branch.handler)
            .chain(&body.fallbacks)
            .all(is_plain_value);
        let label_span = Span::of(&mac.path).to(Span::from_pm2(mac.bang_token.span));
        let span = macro_span(mac);
        let before = self.model.races.len();
        self.push_race(
            RaceKind::Select {
                macro_name: name.to_string(),
                biased: body.biased,
            },
            label_span,
            span,
            branches,
            fallback_continues,
            handlers_are_values,
        );
        let race = (self.model.races.len() > before).then_some(before);
        self.macro_depth += 1;
        for (index, branch) in body.branches.iter().enumerate() {
            self.visit_pat(&branch.pat);
            let next_body = self.model.bodies.len();
            self.visit_expr(&branch.future);
            if matches!(branch.future, Expr::Async(_)) && next_body < self.model.bodies.len() {
                if let Some(race) = race {
                    self.model.races[race].branches[index].block_body = Some(next_body);
                }
            }
            if let Some(precondition) = &branch.precondition {
                self.visit_expr(precondition);
            }
            self.visit_expr(&branch.handler);
        }
        for handler in &body.fallbacks {
            self.visit_expr(handler);
        }
        self.macro_depth -= 1;
    }
}

fn signature_params(sig: &Signature) -> (Vec<Param>, bool) {
    let mut params = Vec::new();
    let mut self_by_ref = false;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                self_by_ref = match &receiver.kind {
                    syn::ReceiverKind::Reference(..) => true,
                    // `self: Pin<&mut Self>`, `self: &Arc<Self>`; `self: Box<Self>` is owned.
                    syn::ReceiverKind::Typed(_, ty) => {
                        let text = quote::ToTokens::to_token_stream(&**ty).to_string();
                        text.contains('&') || text.starts_with("Arc") || text.starts_with("Rc")
                    }
                    _ => false,
                };
            }
            FnArg::Typed(typed) => {
                let is_mut_ref = matches!(&*typed.ty, Type::Reference(reference) if reference.mutability.is_some());
                let shared = is_shared_type(&typed.ty);
                let is_ref = matches!(&*typed.ty, Type::Reference(_));
                for name in pat_names(&typed.pat) {
                    params.push(Param {
                        name,
                        ty: type_name(&typed.ty),
                        is_mut_ref,
                        shared,
                        is_ref,
                    });
                }
            }
        }
    }
    (params, self_by_ref)
}

/// A type whose value outlives a call it is passed to: a reference, or a handle shared with
/// others (`Arc`, `Rc`, channel senders). An owned value moved in dies with the future.
fn is_shared_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) => true,
        Type::Paren(inner) => is_shared_type(&inner.elem),
        Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "Arc" | "Rc" | "Sender" | "UnboundedSender" | "SyncSender" | "WeakSender" | "Pin"
            )
        }),
        _ => false,
    }
}

/// A signature that hands out a future: `-> impl Future<..>`, `-> Pin<Box<dyn Future<..>>>`,
/// `-> BoxFuture<..>` / `LocalBoxFuture<..>`.
fn returns_impl_future(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    is_future_type(ty)
}

fn is_future_type(ty: &Type) -> bool {
    let bounds_name_future =
        |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, Token![+]>| {
            bounds.iter().any(|bound| match bound {
                syn::TypeParamBound::Trait(trait_bound) => trait_bound
                    .path
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident == "Future"),
                _ => false,
            })
        };
    match ty {
        Type::ImplTrait(imp) => bounds_name_future(&imp.bounds),
        Type::TraitObject(object) => bounds_name_future(&object.bounds),
        Type::Paren(inner) => is_future_type(&inner.elem),
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
                return true;
            }
            if last.ident == "Pin" || last.ident == "Box" {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    return args.args.iter().any(|arg| matches!(arg, syn::GenericArgument::Type(inner) if is_future_type(inner)));
                }
            }
            false
        }
        _ => false,
    }
}

/// The names a pattern binds.
fn pat_names(pat: &Pat) -> Vec<String> {
    let mut names = Vec::new();
    collect_pat_names(pat, &mut names);
    names
}

fn collect_pat_names(pat: &Pat, names: &mut Vec<String>) {
    match pat {
        Pat::Ident(ident) => {
            names.push(ident.ident.to_string());
            if let Some((_, sub)) = &ident.subpat {
                collect_pat_names(sub, names);
            }
        }
        Pat::Type(typed) => collect_pat_names(&typed.pat, names),
        Pat::Reference(reference) => collect_pat_names(&reference.pat, names),
        Pat::Tuple(tuple) => tuple
            .elems
            .iter()
            .for_each(|pat| collect_pat_names(pat, names)),
        Pat::TupleStruct(tuple) => tuple
            .elems
            .iter()
            .for_each(|pat| collect_pat_names(pat, names)),
        Pat::Struct(strukt) => strukt
            .fields
            .iter()
            .for_each(|field| collect_pat_names(&field.pat, names)),
        Pat::Slice(slice) => slice
            .elems
            .iter()
            .for_each(|pat| collect_pat_names(pat, names)),
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                collect_pat_names(first, names);
            }
        }
        Pat::Paren(paren) => collect_pat_names(&paren.pat, names),
        _ => {}
    }
}

/// Whether evaluating the expression never completes normally: `break`, `return`, a panic, a
/// `?` on `Err(..)`, or a block / `if` / `match` all of whose ways end so.
pub(super) fn diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Break(_) | Expr::Return(_) => true,
        Expr::Block(block) => block_diverges(&block.block),
        Expr::Paren(inner) => diverges(&inner.expr),
        Expr::Macro(mac) => mac.mac.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
            )
        }),
        Expr::Try(try_expr) => {
            matches!(&*try_expr.expr, Expr::Call(call) if matches!(&*call.func, Expr::Path(path) if path.path.is_ident("Err")))
        }
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "exit")
            && path.path.segments.len() >= 2)
        }
        Expr::If(if_expr) => {
            block_diverges(&if_expr.then_branch)
                && if_expr
                    .else_branch
                    .as_ref()
                    .is_some_and(|(_, other)| diverges(other))
        }
        Expr::Match(match_expr) => {
            !match_expr.arms.is_empty() && match_expr.arms.iter().all(|arm| diverges(&arm.body))
        }
        _ => false,
    }
}

/// An expression that only computes a value: a literal, a path, a constructor (`Some(x)`,
/// `Reason::Timer`, `Event { .. }`), `x?`, or a block of `let`s, `?`s and logging macros ending in
/// one. Anything that calls a method or awaits does work.
fn is_plain_value(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Paren(inner) => is_plain_value(&inner.expr),
        Expr::Tuple(tuple) => tuple.elems.iter().all(is_plain_value),
        Expr::Struct(strukt) => strukt
            .fields
            .iter()
            .all(|field| is_plain_value(&field.expr)),
        Expr::Try(inner) => is_plain_value(&inner.expr),
        // `() = result?;` checks an outcome; it does no work.
        Expr::Assign(assign) => {
            matches!(&*assign.left, Expr::Tuple(unit) if unit.elems.is_empty())
                && is_plain_value(&assign.right)
        }
        Expr::Call(call) => {
            let constructor = matches!(&*call.func, Expr::Path(path) if path.path.segments.last()
                .is_some_and(|segment| segment.ident.to_string().starts_with(char::is_uppercase)));
            constructor && call.args.iter().all(is_plain_value)
        }
        Expr::Block(block) => block.block.stmts.iter().all(|stmt| match stmt {
            Stmt::Local(local) => local
                .init
                .as_ref()
                .is_none_or(|init| is_plain_value(&init.expr)),
            Stmt::Expr(expr, _) => is_plain_value(expr),
            Stmt::Macro(_) => true,
            Stmt::Item(_) => false,
        }),
        Expr::Macro(_) => true,
        _ => false,
    }
}

/// `continue`, or a block whose last statement is `continue`.
fn ends_with_continue(expr: &Expr) -> bool {
    match expr {
        Expr::Continue(_) => true,
        Expr::Block(block) => block.block.stmts.last().is_some_and(|stmt| match stmt {
            Stmt::Expr(expr, _) => ends_with_continue(expr),
            _ => false,
        }),
        _ => false,
    }
}

fn block_diverges(block: &syn::Block) -> bool {
    block.stmts.iter().any(|stmt| match stmt {
        Stmt::Expr(expr, _) => diverges(expr),
        Stmt::Macro(mac) => diverges(&Expr::Macro(syn::ExprMacro {
            attrs: Vec::new(),
            mac: mac.mac.clone(),
        })),
        _ => false,
    })
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        match item {
            Item::Macro(item) => match self.parsed_macros.get(&macro_span(&item.mac).start) {
                Some(file) if self.macro_depth < MAX_MACRO_DEPTH => {
                    self.macro_depth += 1;
                    for inner in &file.items {
                        self.visit_item(inner);
                    }
                    self.macro_depth -= 1;
                }
                _ => self.handle_macro(&item.mac),
            },
            _ => visit::visit_item(self, item),
        }
    }

    fn visit_item_fn(&mut self, item: &'ast ItemFn) {
        let is_pub = matches!(item.vis, syn::Visibility::Public(_));
        self.fn_body(&item.sig, &item.attrs, is_pub, |this| {
            visit::visit_item_fn(this, item)
        });
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.modules.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.modules.pop();
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.impl_types.push(type_name(&item.self_ty));
        visit::visit_item_impl(self, item);
        self.impl_types.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.impl_types.push(Some(item.ident.to_string()));
        self.pub_traits
            .push(matches!(item.vis, syn::Visibility::Public(_)));
        visit::visit_item_trait(self, item);
        self.pub_traits.pop();
        self.impl_types.pop();
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        let is_pub = matches!(item.vis, syn::Visibility::Public(_));
        self.fn_body(&item.sig, &item.attrs, is_pub, |this| {
            visit::visit_impl_item_fn(this, item)
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let is_pub = self.pub_traits.last().copied().unwrap_or(false);
        self.fn_body(&item.sig, &item.attrs, is_pub, |this| {
            visit::visit_trait_item_fn(this, item)
        });
    }

    fn visit_impl_item_macro(&mut self, item: &'ast syn::ImplItemMacro) {
        self.handle_macro(&item.mac);
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        let span = between(expr.async_token.span, expr.block.brace_token.span.close());
        self.open_body(BodyKind::AsyncBlock, span, Vec::new(), false);
        visit::visit_expr_async(self, expr);
        self.close_body();
    }

    fn visit_expr_closure(&mut self, expr: &'ast syn::ExprClosure) {
        let params = expr
            .inputs
            .iter()
            .flat_map(|pat| {
                let ty = match pat {
                    Pat::Type(typed) => type_name(&typed.ty),
                    _ => None,
                };
                pat_names(pat).into_iter().map(move |name| Param {
                    name,
                    ty: ty.clone(),
                    is_mut_ref: false,
                    shared: true,
                    is_ref: false,
                })
            })
            .collect();
        let kind = BodyKind::Closure {
            is_async: expr.asyncness.is_some(),
        };
        let span = between(expr.inputs_begin.span, expr.inputs_end.span);
        self.open_body(kind, span, params, false);
        visit::visit_expr_closure(self, expr);
        self.close_body();
    }

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        let keyword = match &expr.label {
            Some(label) => Span::of(label).to(Span::of(&expr.loop_token)),
            None => Span::of(&expr.loop_token),
        };
        self.in_loop(
            keyword,
            between(expr.loop_token.span, expr.body.brace_token.span.close()),
            |this| visit::visit_expr_loop(this, expr),
        );
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        let keyword = between(expr.while_token.span, first_token(&expr.cond));
        self.in_loop(
            keyword,
            between(expr.while_token.span, expr.body.brace_token.span.close()),
            |this| {
                if let Expr::Let(cond) = &*expr.cond {
                    this.note_binds(&cond.expr, &cond.pat);
                }
                visit::visit_expr_while(this, expr)
            },
        );
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        if let Some(body) = self.current_body() {
            let span = between(first_token(&expr.base), expr.await_token.span);
            let binds = match self.pending_binds.take() {
                Some((start, names)) if start == span.start => names,
                other => {
                    self.pending_binds = other;
                    Vec::new()
                }
            };
            let op = match future_shape(&expr.base, self.imports) {
                FutureShape::Call(op) => Some(*op),
                _ => None,
            };
            let in_loop = self.current_loop();
            self.model.bodies[body].awaits.push(AwaitSite {
                op,
                span,
                in_loop,
                binds,
            });
        }
        visit::visit_expr_await(self, expr);
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        let keyword = between(expr.for_token.span, first_token(&expr.expr));
        self.visit_expr(&expr.expr);
        self.in_loop(
            keyword,
            between(expr.for_token.span, expr.body.brace_token.span.close()),
            |this| {
                this.visit_pat(&expr.pat);
                this.visit_block(&expr.body);
            },
        );
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if let Stmt::Expr(expr, Some(_)) = stmt {
            self.note_detached_spawn(expr);
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Pat::Wild(_), Some(init)) = (&local.pat, &local.init) {
            self.note_detached_spawn(&init.expr);
        }
        if let Some(init) = &local.init {
            let diverging_else = init
                .diverge
                .as_ref()
                .is_some_and(|(_, other)| diverges(other));
            self.note_timeout_outcome(&init.expr, diverging_else);
            self.note_binds(&init.expr, &local.pat);
        }
        if let Some(body) = self.current_body() {
            let declared = match &local.pat {
                Pat::Type(typed) => type_name(&typed.ty),
                _ => None,
            };
            let init = local.init.as_ref().map(|init| &*init.expr);
            // A local holds a future only when its initialiser is a call that is not awaited, in
            // async code (where futures are raced); other lets need no operation.
            let may_hold_future =
                self.in_async_body() && init.is_some_and(|expr| !is_awaited(expr));
            let op = init.filter(|_| may_hold_future).and_then(|expr| {
                match future_shape(expr, self.imports) {
                    FutureShape::Call(op) => Some(*op),
                    _ => None,
                }
            });
            let constructed = init.and_then(constructed_type);
            let span = between(local.let_token.span, local.semi_token.span);
            let collection = init.is_some_and(is_collection_init);
            // Only locals computed inside a loop carry data from one await to a buffer.
            let init_names = match (init, self.current_loop()) {
                (Some(expr), Some(_)) => super::operation::names_in(std::iter::once(expr)),
                _ => Vec::new(),
            };
            let alias_of = init.and_then(|expr| match expr {
                Expr::Reference(reference) => super::operation::place_of(&reference.expr)
                    .map(|place| place.root().to_string()),
                _ => None,
            });
            for name in pat_names(&local.pat) {
                self.model.bodies[body].locals.push(LocalDecl {
                    name,
                    span,
                    ty: declared.clone().or_else(|| constructed.clone()),
                    init: op.clone(),
                    collection,
                    alias_of: alias_of.clone(),
                    init_names: init_names.clone(),
                });
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.note_timeout_outcome(&expr.expr, true);
        visit::visit_expr_try(self, expr);
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        for arm in &expr.arms {
            self.note_binds(&expr.expr, &arm.pat);
        }
        let err_arm_leaves = expr
            .arms
            .iter()
            .any(|arm| is_err_pattern(&arm.pat) && diverges(&arm.body));
        self.note_timeout_outcome(&expr.expr, err_arm_leaves);
        visit::visit_expr_match(self, expr);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        if let Expr::Let(cond) = &*expr.cond {
            self.note_binds(&cond.expr, &cond.pat);
            let else_leaves = expr
                .else_branch
                .as_ref()
                .is_some_and(|(_, other)| diverges(other));
            self.note_timeout_outcome(&cond.expr, is_ok_pattern(&cond.pat) && else_leaves);
        }
        visit::visit_expr_if(self, expr);
    }

    fn visit_expr_macro(&mut self, expr: &'ast syn::ExprMacro) {
        self.handle_macro(&expr.mac);
    }

    fn visit_stmt_macro(&mut self, stmt: &'ast syn::StmtMacro) {
        self.handle_macro(&stmt.mac);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        for arg in &call.args {
            self.record_mut_borrow(arg);
        }
        // Only calls named like one of the functions the model knows need resolving.
        let interesting = match &*call.func {
            Expr::Path(func) => func
                .path
                .segments
                .last()
                .is_some_and(|last| INTERESTING_CALLS.iter().any(|name| last.ident == name)),
            _ => false,
        };
        if let (true, Expr::Path(func)) = (interesting, &*call.func) {
            let segments = path_segments(&func.path);
            let last = segments.last().map(String::as_str).unwrap_or_default();
            let closure_arg = call.args.iter().any(is_closure);
            if self
                .imports
                .resolves_to(&segments, BLOCKING_CONTEXT_FNS)
                .is_some()
                || (closure_arg && BLOCKING_CONTEXT_METHODS.contains(&last))
            {
                self.next_closure_blocking = closure_arg;
            } else if let Some(target) = self.imports.resolves_to(&segments, BLOCK_ON_FNS) {
                if let Some(body) = self.current_body() {
                    self.model.block_on_calls.push(BlockOnSite {
                        span: Span::of(call),
                        body,
                        callee: target.to_string(),
                    });
                }
            }
        }
        if let (true, Expr::Path(func)) = (interesting, &*call.func) {
            let segments: Vec<String> = path_segments(&func.path);
            if let Some(target) = self.imports.resolves_to(&segments, TIMEOUT_FNS) {
                if let Some(future) = call.args.iter().nth(1) {
                    let branches = vec![self.branch(future, None)];
                    let function = target.rsplit("::").next().unwrap_or(target).to_string();
                    let goes_on = !self
                        .timeouts_leaving
                        .contains(&Span::from_pm2(first_token(&call.func)).start);
                    self.push_race(
                        RaceKind::Timeout { function },
                        Span::of(&func.path),
                        Span::of(call),
                        branches,
                        goes_on,
                        false,
                    );
                }
            } else if let Some(target) = self.imports.resolves_to(&segments, TRY_JOIN_FNS) {
                let futures: Vec<Expr> = if target.ends_with("try_join_all") {
                    call.args.iter().flat_map(joined_futures).collect()
                } else {
                    call.args.iter().cloned().collect()
                };
                let branches = futures
                    .iter()
                    .map(|future| self.branch(future, None))
                    .collect();
                let function = target.rsplit("::").next().unwrap_or(target).to_string();
                self.push_race(
                    RaceKind::TryJoin { function },
                    Span::of(&func.path),
                    Span::of(call),
                    branches,
                    true,
                    false,
                );
            } else if let Some(target) = self.imports.resolves_to(&segments, FUTURE_SELECT_FNS) {
                let futures: Vec<Expr> =
                    if target.ends_with("select") || target.ends_with("try_select") {
                        call.args.iter().cloned().collect()
                    } else {
                        call.args.iter().flat_map(collection_elements).collect()
                    };
                let branches = futures
                    .iter()
                    .map(|future| self.branch(future, None))
                    .collect();
                let function = target.rsplit("::").next().unwrap_or(target).to_string();
                self.push_race(
                    RaceKind::FutureSelect { function },
                    Span::of(&func.path),
                    Span::of(call),
                    branches,
                    true,
                    false,
                );
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `iter.map(|x| op(x)).collect::<FuturesUnordered<_>>().try_collect()`: the first error
        // drops the futures still running, like `try_join_all`.
        if TRY_COLLECTORS.iter().any(|name| call.method == name) {
            if let Some(futures) = collected_futures(&call.receiver) {
                let branches = futures
                    .iter()
                    .map(|future| self.branch(future, None))
                    .collect();
                let kind = RaceKind::TryJoin {
                    function: call.method.to_string(),
                };
                self.push_race(
                    kind,
                    Span::of(&call.method),
                    Span::of(call),
                    branches,
                    true,
                    false,
                );
            }
        }
        // A closure handed to `spawn`-like methods runs on a thread of its own (task spawns take
        // futures, not closures); one handed to an iterator or `Option` adapter runs right here.
        if call.args.iter().any(is_closure) {
            if BLOCKING_CONTEXT_METHODS
                .iter()
                .any(|name| call.method == name)
            {
                self.next_closure_blocking = true;
            } else if INLINE_CLOSURE_METHODS
                .iter()
                .any(|name| call.method == name)
            {
                self.next_closure_inline = true;
            }
        }
        if call.method == "block_on" && call.args.len() == 1 {
            if let Some(body) = self.current_body() {
                let receiver = super::operation::place_of(&call.receiver)
                    .map_or_else(|| "..".to_string(), |place| place.text);
                self.model.block_on_calls.push(BlockOnSite {
                    span: Span::of(call),
                    body,
                    callee: format!("{receiver}.block_on"),
                });
            }
        }
        if let Some(tracked) = TRACKED_METHODS.iter().find(|name| call.method == name) {
            self.model.called_methods.insert((*tracked).to_string());
        }
        if MUTATORS.iter().any(|name| call.method == name) {
            if let Expr::Path(path) = &*call.receiver {
                if let Some(ident) = path.path.get_ident() {
                    let arg_names = super::operation::names_in(call.args.iter());
                    self.record_mutation(ident.to_string(), Span::of(call), arg_names, false);
                }
            }
        }
        for arg in &call.args {
            self.record_mut_borrow(arg);
        }
        if call.method == "timeout" && call.args.len() == 1 {
            let branches = vec![self.branch(&call.receiver, None)];
            let label = Span::of(&call.method);
            let goes_on = !self
                .timeouts_leaving
                .contains(&Span::from_pm2(first_token(&call.receiver)).start);
            let kind = RaceKind::Timeout {
                function: "timeout".into(),
            };
            self.push_race(kind, label, Span::of(call), branches, goes_on, false);
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
        self.record_assign(&expr.left);
        visit::visit_expr_assign(self, expr);
    }

    fn visit_expr_binary(&mut self, expr: &'ast syn::ExprBinary) {
        use syn::BinOp::*;
        if matches!(
            expr.op,
            AddAssign(_)
                | SubAssign(_)
                | MulAssign(_)
                | DivAssign(_)
                | RemAssign(_)
                | BitXorAssign(_)
                | BitAndAssign(_)
                | BitOrAssign(_)
                | ShlAssign(_)
                | ShrAssign(_)
        ) {
            self.record_assign(&expr.left);
        }
        visit::visit_expr_binary(self, expr);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        // Places are locals, parameters and `self`; capitalised names are constants, types
        // and variants.
        if expr.qself.is_none() && expr.path.segments.len() == 1 {
            let name = expr.path.segments[0].ident.to_string();
            if !name.starts_with(char::is_uppercase) {
                self.record_use(name, Span::of(expr));
            }
        }
    }

    fn visit_expr_field(&mut self, expr: &'ast syn::ExprField) {
        match super::operation::place_of(&Expr::Field(expr.clone())) {
            Some(place) => self.record_use(place.text, place.span),
            None => visit::visit_expr_field(self, expr),
        }
    }
}

/// `Err(..)`, `Err(_)`: the arm taken when a timeout elapses.
fn is_err_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(tuple) => tuple.path.segments.last().is_some_and(|s| s.ident == "Err"),
        Pat::Or(or) => or.cases.iter().any(is_err_pattern),
        _ => false,
    }
}

/// `Ok(..)`: the pattern of `if let` / `let .. else` on a timeout's result.
fn is_ok_pattern(pat: &Pat) -> bool {
    matches!(pat, Pat::TupleStruct(tuple) if tuple.path.segments.last().is_some_and(|s| s.ident == "Ok"))
}

/// The elements of `vec![a, b]` or `[a, b]`, for `select_all`.
fn collection_elements(expr: &Expr) -> Vec<Expr> {
    match expr {
        Expr::Array(array) => array.elems.iter().cloned().collect(),
        Expr::Reference(reference) => collection_elements(&reference.expr),
        Expr::Macro(mac) if mac.mac.path.is_ident("vec") => mac
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map(|elems| elems.into_iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// An initialiser that makes a growable or piecewise-filled collection.
fn is_collection_init(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let n = segments.len();
                n >= 2
                    && matches!(
                        segments[n - 2].as_str(),
                        "Vec" | "String" | "BytesMut" | "VecDeque"
                    )
                    && matches!(
                        segments[n - 1].as_str(),
                        "new" | "with_capacity" | "default"
                    )
            }
            _ => false,
        },
        Expr::Macro(mac) => mac.mac.path.is_ident("vec"),
        Expr::Repeat(_) => true,
        _ => false,
    }
}

/// `T::new(..)`, `T::connect(..).await?`, `T { .. }`: the constructed type's name.
fn constructed_type(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) if path.path.segments.len() >= 2 => {
                let owner = &path.path.segments[path.path.segments.len() - 2].ident;
                let owner = owner.to_string();
                owner
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
                    .then_some(owner)
            }
            _ => None,
        },
        Expr::Struct(strukt) => strukt
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string()),
        Expr::Await(inner) => constructed_type(&inner.base),
        Expr::Try(inner) => constructed_type(&inner.expr),
        Expr::MethodCall(call)
            if matches!(call.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            constructed_type(&call.receiver)
        }
        _ => None,
    }
}
