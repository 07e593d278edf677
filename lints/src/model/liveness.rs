// Length: about 830 lines of code and 70 of unit tests; one walk applies Rust's scoping rules
// (blocks, temporary scopes, moves, drops) to guards and borrows, and splitting it would split
// those rules between files that must agree.
//! Liveness of lock guards and `RefCell` borrows in async bodies: which guard is alive at which
//! `.await`. Statement by statement, with Rust's scoping rules:
//! - a `let g = m.lock().unwrap();` guard lives to the end of its block, unless an earlier
//!   statement of the same block drops it (`drop(g)`, `mem::drop(g)`), moves it into a call
//!   (`consume(g)`) or assigns over it; a drop in only one branch of an `if` leaves it alive on
//!   the other path, so it still counts;
//! - `let _ = m.lock().unwrap();` drops the guard at once; `let _g = ..` keeps it;
//! - shadowing (`let g = ..` again) does not drop the earlier guard;
//! - a temporary guard lives to the end of its temporary scope (the Reference's "Temporary
//!   scopes"): its statement; or, nested in it, a plain `if` or `while` condition, a match guard,
//!   a match arm's body, each operand of `&&` and `||`. One in the scrutinee of `match`,
//!   `if let` or `while let` (or the iterator of a `for`) lives through the whole construct; the
//!   initialiser's temporaries of a `let .. else` are gone before its `else` block runs;
//! - a guard moved into the awaited call itself (`cond.wait(g).await`) is not held by the caller;
//! - `try_lock()`, `try_read()` and `try_write()` on tokio's locks give tokio guards, made to be
//!   held across awaits (see [`LockTypes`] for how the lock is told apart).

use foldhash::{HashMap, HashMapExt};

use syn::visit::{self, Visit};
use syn::{BinOp, Block, Expr, Pat, Stmt};

use super::imports::{path_segments, Imports};
use crate::span::Span;
use crate::syntax::is_ok_pattern;

/// What kind of guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardKind {
    /// A `std::sync` or `parking_lot` `Mutex`/`RwLock` guard.
    Lock,
    /// A `RefCell` borrow (`Ref`/`RefMut`).
    Borrow,
    /// Another `!Send` value: an `Rc`, a raw pointer, a `&Cell`/`&RefCell`.
    NonSend,
}

/// A guard alive at one or more awaits.
#[derive(Clone, Debug)]
pub struct HeldGuard {
    pub kind: GuardKind,
    /// The guard's binding name, or `None` for a temporary.
    pub name: Option<String>,
    /// The expression that takes the guard (`m.lock().unwrap()`).
    pub taken: Span,
    /// The awaits it is alive at.
    pub awaits: Vec<Span>,
    /// The future it lives in must be `Send`: an async block handed to a task spawn, or a
    /// `pub async fn`.
    pub requires_send: bool,
    /// The statements that could be put in a block of their own to end the guard before the
    /// first await it is held at, when that is a move of code and nothing else.
    pub scope: Option<GuardScope>,
}

/// Statements of one block, from a named guard's `let` up to the statement before the first
/// one that awaits while it is alive, after which the guard is not mentioned: putting them in a
/// block of their own drops the guard before that await, and changes nothing else when no other
/// binding is declared among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardScope {
    /// The start of the guard's `let` statement.
    pub start: usize,
    /// The end of the last statement before the await.
    pub end: usize,
    /// Other bindings are declared among the statements (none used after them): in a block
    /// they are dropped earlier too.
    pub moves_other_locals: bool,
}

/// Finds the guards held across awaits in every async body of a file. `bare_lock_is_guard`:
/// the file uses `parking_lot` (or a configured lock type), whose `lock()`/`read()`/`write()`
/// return guards directly. `not_send_types`: the last path segments of configured `!Send`
/// types.
pub fn held_guards(
    file: &syn::File,
    bare_lock_is_guard: bool,
    not_send_types: &[&str],
) -> Vec<HeldGuard> {
    let mut finder = AsyncBodies {
        bare_lock_is_guard,
        not_send_types,
        found: Vec::new(),
        requires_send: false,
        spawned_blocks: Vec::new(),
        locks: LockTypes::of(file),
        names: HashMap::new(),
    };
    finder.visit_file(file);
    finder.found
}

struct AsyncBodies<'c> {
    bare_lock_is_guard: bool,
    not_send_types: &'c [&'c str],
    found: Vec<HeldGuard>,
    /// Whether the body being scanned must be `Send`.
    requires_send: bool,
    /// Start offsets of async blocks handed to a task spawn (`tokio::spawn(async ..)`).
    spawned_blocks: Vec<usize>,
    /// What the file says about which locks its names and fields are.
    locks: LockTypes,
    /// The lock kind of the parameters and `let`s of the fn being scanned whose declared or
    /// constructed type shows it.
    names: HashMap<String, LockKind>,
}

impl<'ast> Visit<'ast> for AsyncBodies<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if item.sig.asyncness.is_some() {
            self.requires_send = matches!(item.vis, syn::Visibility::Public(_));
            self.names = self.locks.params(&item.sig);
            self.scan_block(&item.block);
        }
        visit::visit_item_fn(self, item);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let spawns = matches!(&*call.func, Expr::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "spawn"));
        if spawns {
            self.note_spawned(call.args.iter());
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "spawn" {
            self.note_spawned(call.args.iter());
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if item.sig.asyncness.is_some() {
            self.requires_send = matches!(item.vis, syn::Visibility::Public(_));
            self.names = self.locks.params(&item.sig);
            self.scan_block(&item.block);
        }
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let (Some(_), Some(block)) = (item.sig.asyncness, &item.default) {
            self.requires_send = false;
            self.names = self.locks.params(&item.sig);
            self.scan_block(block);
        }
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        self.requires_send = self
            .spawned_blocks
            .contains(&Span::start_of(expr.async_token.span));
        self.scan_block(&expr.block);
        visit::visit_expr_async(self, expr);
    }

    fn visit_expr_closure(&mut self, expr: &'ast syn::ExprClosure) {
        if expr.asyncness.is_some() {
            self.requires_send = false;
            match &*expr.body {
                Expr::Block(block) => self.scan_block(&block.block),
                other => self.scan_temporaries(other, other),
            }
        }
        visit::visit_expr_closure(self, expr);
    }
}

impl AsyncBodies<'_> {
    /// Async blocks among a task spawn's arguments must be `Send`.
    fn note_spawned<'a>(&mut self, args: impl Iterator<Item = &'a Expr>) {
        for arg in args {
            if let Expr::Async(block) = arg {
                self.spawned_blocks
                    .push(Span::start_of(block.async_token.span));
            }
        }
    }

    /// The statements of one block of an async body, and the blocks nested in them.
    fn scan_block(&mut self, block: &Block) {
        // Gathered at the first guard of the block.
        let mut block_awaits = None;
        for (index, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                Stmt::Local(local) => {
                    let Some(init) = &local.init else { continue };
                    if let Some(lock) = self.locks.of_local(&local.pat, &init.expr) {
                        if let Some(name) = binding_name(&local.pat) {
                            self.names.insert(name, lock);
                        }
                    }
                    let kind = self
                        .guard_kind(&init.expr)
                        .or_else(|| non_send_value(&local.pat, &init.expr, self.not_send_types));
                    if let (Some(kind), Some(name)) = (kind, binding_name(&local.pat)) {
                        let gathered =
                            block_awaits.get_or_insert_with(|| BlockAwaits::new(&block.stmts));
                        let awaits = gathered.while_alive(&name, index);
                        if !awaits.is_empty() {
                            let scope =
                                gathered
                                    .first_await_statement(&name, index)
                                    .and_then(|first| {
                                        gathered.guard_scope(&block.stmts, index, first, &name)
                                    });
                            self.found.push(HeldGuard {
                                kind,
                                name: Some(name),
                                taken: Span::of_expr(&init.expr),
                                awaits,
                                requires_send: self.requires_send,
                                scope,
                            });
                        }
                    } else {
                        // The initialiser is the statement's temporary scope; a `let .. else`
                        // drops its temporaries before the `else` block runs.
                        self.scan_temporaries(&init.expr, &init.expr);
                    }
                    self.scan_nested(&init.expr);
                    if let Some((_, diverge)) = &init.diverge {
                        self.scan_statement_expr(diverge);
                        self.scan_nested(diverge);
                    }
                }
                Stmt::Expr(expr, _) => {
                    self.scan_statement_expr(expr);
                    self.scan_nested(expr);
                }
                _ => {}
            }
        }
    }

    /// Temporaries of an expression statement, which is their temporary scope (the scopes nested
    /// in it are found by [`Temporaries`]).
    fn scan_statement_expr(&mut self, expr: &Expr) {
        self.scan_temporaries(expr, expr);
    }

    /// A temporary guard taken in `source` is alive at every await of `scope` that comes after it.
    /// The temporary scopes nested in `source` (a plain `if` condition, an operand of `&&`...)
    /// are scanned on their own, each its own scope; a guard bound by `if let Ok(g) = m.lock()`
    /// is alive in the `then` block.
    fn scan_temporaries(&mut self, source: &Expr, scope: &Expr) {
        let mut temps = Temporaries {
            finder: self,
            found: Vec::new(),
            before: None,
            scopes: Vec::new(),
            bound: Vec::new(),
        };
        temps.visit_expr(source);
        let Temporaries {
            found,
            scopes,
            bound,
            ..
        } = temps;
        for (kind, taken, evaluated_first) in found {
            let mut awaits = Awaits::default();
            awaits.visit_expr(scope);
            let after: Vec<Span> = awaits
                .spans
                .into_iter()
                .filter(|span| {
                    span.start > taken.end
                        && !evaluated_first.is_some_and(|first| first.contains(span))
                })
                .collect();
            if !after.is_empty() {
                self.found.push(HeldGuard {
                    kind,
                    name: None,
                    taken,
                    awaits: after,
                    requires_send: self.requires_send,
                    scope: None,
                });
            }
        }
        for (taken, then_branch) in bound {
            let mut awaits = Awaits::default();
            awaits.visit_block(then_branch);
            if !awaits.spans.is_empty() {
                self.found.push(HeldGuard {
                    kind: GuardKind::Lock,
                    name: None,
                    taken,
                    awaits: awaits.spans,
                    requires_send: self.requires_send,
                    scope: None,
                });
            }
        }
        for inner in scopes {
            self.scan_temporaries(inner, inner);
        }
    }

    /// Blocks nested in an expression (if/else, loops, match arms, plain blocks), but not in
    /// async blocks or closures, which are bodies of their own.
    fn scan_nested(&mut self, expr: &Expr) {
        let mut blocks = NestedBlocks { blocks: Vec::new() };
        blocks.visit_expr(expr);
        for block in blocks.blocks {
            self.scan_block(block);
        }
    }

    /// The kind of guard an expression evaluates to, when it is one.
    fn guard_kind(&self, expr: &Expr) -> Option<GuardKind> {
        match expr {
            Expr::MethodCall(call)
                if matches!(call.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                self.lock_call(&call.receiver).map(|_| GuardKind::Lock)
            }
            Expr::Try(inner) => self.lock_call(&inner.expr).map(|_| GuardKind::Lock),
            Expr::MethodCall(call)
                if call.args.is_empty()
                    && (call.method == "borrow_mut" || call.method == "borrow") =>
            {
                Some(GuardKind::Borrow)
            }
            Expr::MethodCall(call)
                if self.bare_lock_is_guard
                    && call.args.is_empty()
                    && matches!(call.method.to_string().as_str(), "lock" | "read" | "write") =>
            {
                Some(GuardKind::Lock)
            }
            _ => None,
        }
    }

    /// `x.lock()`, `x.read()`, `x.write()`, `x.try_lock()` with no arguments; `x.try_lock()`,
    /// `x.try_read()` and `x.try_write()` only when `x` is not one of tokio's locks.
    fn lock_call<'e>(&self, expr: &'e Expr) -> Option<&'e syn::ExprMethodCall> {
        match expr {
            Expr::MethodCall(call) if call.args.is_empty() => {
                match call.method.to_string().as_str() {
                    "lock" | "read" | "write" => Some(call),
                    "try_lock" | "try_read" | "try_write"
                        if !self.locks.is_async_lock(&call.receiver, &self.names) =>
                    {
                        Some(call)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// A `let` whose value is `!Send`: `Rc::new(..)`/`Rc::clone(..)`, a raw-pointer cast, or a
/// declared `Rc<..>`, raw pointer, `&Cell<..>` or `&RefCell<..>`; or a configured type,
/// declared or built with `T::new/from/clone/default(..)`.
fn non_send_value(pat: &Pat, init: &Expr, configured: &[&str]) -> Option<GuardKind> {
    let declared = match pat {
        Pat::Type(typed) => {
            let text = quote::ToTokens::to_token_stream(&*typed.ty)
                .to_string()
                .replace(' ', "");
            text.starts_with("Rc<")
                || text.starts_with("std::rc::Rc<")
                || text.starts_with("*const")
                || text.starts_with("*mut")
                || text.starts_with("&Cell<")
                || text.starts_with("&RefCell<")
                || configured.iter().any(|name| {
                    let last = text.rsplit("::").next().unwrap_or(&text);
                    last == *name || last.starts_with(&format!("{name}<"))
                })
        }
        _ => false,
    };
    let constructed = match init {
        Expr::Call(call) => matches!(&*call.func, Expr::Path(path) if {
            let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let n = segments.len();
            n >= 2
                && (segments[n - 2] == "Rc" || configured.contains(&segments[n - 2].as_str()))
                && matches!(segments[n - 1].as_str(), "new" | "clone" | "from" | "default")
        }),
        Expr::Cast(cast) => matches!(&*cast.ty, syn::Type::Ptr(_)),
        _ => false,
    };
    (declared || constructed).then_some(GuardKind::NonSend)
}

/// The single name a `let` pattern binds (`g`, `_g`, `mut g`); `None` for `_` and patterns.
fn binding_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) => Some(ident.ident.to_string()),
        Pat::Type(typed) => binding_name(&typed.pat),
        _ => None,
    }
}

/// The awaits recorded for one guard, at most: enough for any real finding, and a body of
/// thousands of shadowed guards and awaits costs linear time and memory, not quadratic.
const MAX_HELD_AWAITS: usize = 64;

/// The awaits of a block's statements and the statements that end a guard, gathered once per
/// block: each guard's liveness is then a search, not a scan of the rest of the block.
struct BlockAwaits {
    /// Every await of the block's statements in order: its statement, its span, and the names
    /// its awaited call takes by value (`cond.wait(g).await` takes `g`).
    awaits: Vec<(usize, Span, Vec<String>)>,
    /// The statements that end a guard of each name: `drop(g)`, `mem::drop(g)`, `g = ..`, or
    /// `f(g)` moving it.
    enders: HashMap<String, Vec<usize>>,
    /// The last statement that mentions each identifier (macro arguments included).
    last_mention: HashMap<String, usize>,
}

impl BlockAwaits {
    fn new(stmts: &[Stmt]) -> BlockAwaits {
        let mut awaits = Vec::new();
        let mut enders: HashMap<String, Vec<usize>> = HashMap::new();
        let mut last_mention = HashMap::new();
        for (index, stmt) in stmts.iter().enumerate() {
            let mut idents = Idents::default();
            idents.visit_stmt(stmt);
            for name in idents.names {
                last_mention.insert(name, index);
            }
            let mut found = Awaits::default();
            found.visit_stmt(stmt);
            awaits.extend(
                found
                    .spans
                    .into_iter()
                    .zip(found.takes)
                    .map(|(span, takes)| (index, span, takes)),
            );
            let ended: Vec<&Expr> = match stmt {
                Stmt::Expr(Expr::Call(call), _) => call.args.iter().collect(),
                Stmt::Expr(Expr::Assign(assign), _) => vec![&assign.left],
                _ => Vec::new(),
            };
            for name in ended.into_iter().filter_map(plain_name) {
                enders.entry(name).or_default().push(index);
            }
        }
        BlockAwaits {
            awaits,
            enders,
            last_mention,
        }
    }

    /// The awaits reached while the guard named `name`, bound by statement `index`, is alive:
    /// up to the statement that ends it, skipping the awaits that take it by value.
    fn while_alive(&self, name: &str, index: usize) -> Vec<Span> {
        let end = self
            .enders
            .get(name)
            .and_then(|at| at.get(at.partition_point(|at| *at <= index)))
            .copied()
            .unwrap_or(usize::MAX);
        let from = self.awaits.partition_point(|(at, _, _)| *at <= index);
        self.awaits[from..]
            .iter()
            .take_while(|(at, _, _)| *at < end)
            .filter(|(_, _, takes)| !takes.iter().any(|taken| taken == name))
            .map(|(_, span, _)| *span)
            .take(MAX_HELD_AWAITS)
            .collect()
    }
}

impl BlockAwaits {
    /// The statement of the first await reached while the guard named `name`, bound by
    /// statement `index`, is alive (what [`BlockAwaits::while_alive`] gives first).
    fn first_await_statement(&self, name: &str, index: usize) -> Option<usize> {
        let end = self
            .enders
            .get(name)
            .and_then(|at| at.get(at.partition_point(|at| *at <= index)))
            .copied()
            .unwrap_or(usize::MAX);
        let from = self.awaits.partition_point(|(at, _, _)| *at <= index);
        self.awaits[from..]
            .iter()
            .take_while(|(at, _, _)| *at < end)
            .find(|(_, _, takes)| !takes.iter().any(|taken| taken == name))
            .map(|(at, _, _)| *at)
    }
}

impl BlockAwaits {
    /// The statements `index..first` as a [`GuardScope`] for the guard `name` bound by
    /// statement `index`, when neither the guard nor a binding declared among them is mentioned
    /// from `first` on, and they declare no item. A guard named with a leading `_` is held for
    /// what holding it means (a critical section around the await), not for its value: never.
    fn guard_scope(
        &self,
        stmts: &[Stmt],
        index: usize,
        first: usize,
        name: &str,
    ) -> Option<GuardScope> {
        if name.starts_with('_') || first <= index || first > stmts.len() {
            return None;
        }
        let between = &stmts[index + 1..first];
        if between.iter().any(|stmt| matches!(stmt, Stmt::Item(_))) {
            return None;
        }
        let mut others = Vec::new();
        for stmt in between {
            if let Stmt::Local(local) = stmt {
                let mut bound = Idents::default();
                bound.visit_pat(&local.pat);
                others.extend(bound.names);
            }
        }
        let mentioned_later = |name: &str| {
            self.last_mention
                .get(name)
                .is_some_and(|last| *last >= first)
        };
        if mentioned_later(name) || others.iter().any(|other| mentioned_later(other)) {
            return None;
        }
        Some(GuardScope {
            start: Span::of(&stmts[index]).start,
            end: Span::of(&stmts[first - 1]).end,
            moves_other_locals: !others.is_empty(),
        })
    }
}

/// Every identifier in a piece of syntax, macro arguments included.
#[derive(Default)]
struct Idents {
    names: Vec<String>,
}

impl Idents {
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Ident(ident) => self.names.push(ident.to_string()),
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Idents {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.names.push(ident.to_string());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        self.tokens(mac.tokens.clone());
    }
}

/// The name of an expression that is a plain local name (`g`).
fn plain_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}

/// Every `.await` in a statement or expression, not in nested async blocks or closures, with
/// the plain names its awaited call takes as arguments (`cond.wait(g).await` takes `g`).
#[derive(Default)]
struct Awaits {
    spans: Vec<Span>,
    takes: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Awaits {
    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        let args: Vec<&Expr> = match &*expr.base {
            Expr::Call(call) => call.args.iter().collect(),
            Expr::MethodCall(call) => call.args.iter().collect(),
            _ => Vec::new(),
        };
        self.spans.push(Span::of(&expr.await_token));
        self.takes
            .push(args.into_iter().filter_map(plain_name).collect());
        visit::visit_expr_await(self, expr);
    }

    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

/// Guard-taking subexpressions of an expression (temporaries), not in async blocks or closures,
/// and the temporary scopes nested in it.
struct Temporaries<'f, 'ast> {
    finder: &'f AsyncBodies<'f>,
    /// Each guard, with the span whose awaits run before it is taken (the value side of an
    /// assignment to a place behind the guard: `*m.lock().unwrap() = f().await`).
    found: Vec<(GuardKind, Span, Option<Span>)>,
    before: Option<Span>,
    /// Temporary scopes of their own inside the expression: a plain `if` or `while` condition,
    /// a match guard, a match arm's body, an operand of `&&` or `||`.
    scopes: Vec<&'ast Expr>,
    /// Guards bound by `if let Ok(g) = m.lock()`, with the block they are alive in.
    bound: Vec<(Span, &'ast Block)>,
}

impl<'ast> Visit<'ast> for Temporaries<'_, 'ast> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // `x.lock().await`: an async lock (tokio, async-std), made to be held across awaits.
            Expr::Await(awaited) => {
                if let Some(call) = self.finder.lock_call(&awaited.base) {
                    self.visit_expr(&call.receiver);
                    return;
                }
            }
            // Each operand of a lazy boolean operator is a temporary scope; a `let` in a chain
            // (`if let Some(x) = m.lock().unwrap().get() && ..`) binds for the whole `if`.
            Expr::Binary(binary) if matches!(binary.op, BinOp::And(_) | BinOp::Or(_)) => {
                for operand in [&*binary.left, &*binary.right] {
                    match operand {
                        Expr::Let(_) => self.visit_expr(operand),
                        Expr::Binary(inner) if matches!(inner.op, BinOp::And(_) | BinOp::Or(_)) => {
                            self.visit_expr(operand);
                        }
                        other => self.scopes.push(other),
                    }
                }
                return;
            }
            Expr::If(if_expr) => {
                match &*if_expr.cond {
                    Expr::Let(cond)
                        if is_ok_pattern(&cond.pat)
                            && self.finder.lock_call(&cond.expr).is_some() =>
                    {
                        // `if let Ok(guard) = m.lock() { .. }`: the guard is bound by the pattern.
                        self.bound
                            .push((Span::of_expr(&cond.expr), &if_expr.then_branch));
                    }
                    // The scrutinee of `if let` lives through the whole `if`.
                    Expr::Let(cond) => self.visit_expr(&cond.expr),
                    cond if is_let_chain(cond) => self.visit_expr(cond),
                    cond => self.scopes.push(cond),
                }
                // The blocks are scanned on their own; an `else if` has a condition of its own.
                if let Some((_, otherwise)) = &if_expr.else_branch {
                    self.visit_expr(otherwise);
                }
                return;
            }
            Expr::While(while_expr) => {
                match &*while_expr.cond {
                    // The scrutinee of `while let` lives through the body, each time round.
                    Expr::Let(cond) => self.visit_expr(&cond.expr),
                    cond if is_let_chain(cond) => self.visit_expr(cond),
                    cond => self.scopes.push(cond),
                }
                return;
            }
            Expr::Match(matched) => {
                self.visit_expr(&matched.expr);
                for arm in &matched.arms {
                    if let Pat::Guard(guarded) = &arm.pat {
                        self.scopes.push(&guarded.guard);
                    }
                    if !matches!(&*arm.body, Expr::Block(_)) {
                        self.scopes.push(&arm.body);
                    }
                }
                return;
            }
            _ => {}
        }
        if let Some(kind) = self.finder.guard_kind(expr) {
            self.found.push((kind, Span::of(expr), self.before));
            return;
        }
        visit::visit_expr(self, expr);
    }

    // Rust evaluates an assignment's value before the place it assigns to.
    fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
        self.visit_expr(&expr.right);
        let outer = self.before.replace(Span::of_expr(&expr.right));
        self.visit_expr(&expr.left);
        self.before = outer;
    }

    // A block's statements have their own temporaries, scanned with the block.
    fn visit_block(&mut self, _: &'ast Block) {}

    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

/// A condition that binds with `let` somewhere in its chain of `&&` (`let Some(x) = a && b`).
fn is_let_chain(expr: &Expr) -> bool {
    match expr {
        Expr::Let(_) => true,
        Expr::Binary(binary) if matches!(binary.op, BinOp::And(_)) => {
            is_let_chain(&binary.left) || is_let_chain(&binary.right)
        }
        _ => false,
    }
}

/// Whether a lock's guards may be held across an `.await` (tokio's, async-std's, futures'), or
/// block the thread (std's, parking_lot's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LockKind {
    Async,
    Blocking,
}

/// What a file says about which locks its names and fields are, to tell a tokio
/// `try_lock()`/`try_read()`/`try_write()` (whose guard is made to be held across awaits) from
/// std's or parking_lot's. The receiver's declared type decides when it is visible: a parameter,
/// a `let` with a type or a `Mutex::new(..)` initialiser, a struct field or a static of this
/// file, whose type names `Mutex` or `RwLock` (written in full, as `tokio::sync::Mutex<..>`, or
/// through the file's `use` items). Otherwise the file's imports decide: a receiver of unknown
/// type is tokio's unless the file imports or names a std or parking_lot lock.
struct LockTypes {
    imports: Imports,
    /// Field (or static) name -> the kind of lock its declared type is, over the file's
    /// structs; `None` when two declarations of that name disagree.
    fields: HashMap<String, Option<LockKind>>,
    /// The file imports or names std's or parking_lot's `Mutex`/`RwLock`.
    names_blocking_lock: bool,
}

impl LockTypes {
    fn of(file: &syn::File) -> LockTypes {
        let mut collect = LockDeclarations {
            imports: Imports::default(),
            fields: Vec::new(),
        };
        collect.visit_file(file);
        let mut locks = LockTypes {
            imports: collect.imports,
            fields: HashMap::new(),
            names_blocking_lock: false,
        };
        let declared: Vec<(String, Option<LockKind>)> = collect
            .fields
            .iter()
            .map(|(name, ty)| (name.clone(), locks.of_type(ty)))
            .collect();
        for (name, kind) in declared {
            if let Some(kind) = kind {
                let entry = locks.fields.entry(name).or_insert(Some(kind));
                if *entry != Some(kind) {
                    *entry = None;
                }
            }
        }
        locks.names_blocking_lock = ["Mutex", "RwLock"].iter().any(|name| {
            let full = locks.imports.expand(&[name.to_string()]);
            blocking_path(&full)
        }) || collect
            .fields
            .iter()
            .any(|(_, ty)| locks.of_type(ty) == Some(LockKind::Blocking));
        locks
    }

    /// The kind of lock a type is or wraps (`Arc<tokio::sync::Mutex<T>>`, `&RwLock<T>`).
    fn of_type(&self, ty: &syn::Type) -> Option<LockKind> {
        let mut finder = LockPath { found: None };
        finder.visit_type(ty);
        let segments = finder.found?;
        let full = self.imports.expand(&segments);
        if blocking_path(&full) {
            Some(LockKind::Blocking)
        } else if ["tokio::", "async_std::", "futures::", "async_lock::"]
            .iter()
            .any(|prefix| full.starts_with(prefix))
        {
            Some(LockKind::Async)
        } else {
            None
        }
    }

    /// The lock kinds of a fn's parameters that show it.
    fn params(&self, sig: &syn::Signature) -> HashMap<String, LockKind> {
        sig.inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(typed) => {
                    let name = binding_name(&typed.pat)?;
                    Some((name, self.of_type(&typed.ty)?))
                }
                syn::FnArg::Receiver(_) => None,
            })
            .collect()
    }

    /// The lock kind of a `let` binding: its declared type, or a `Mutex::new(..)` (maybe in an
    /// `Arc::new(..)`) initialiser.
    fn of_local(&self, pat: &Pat, init: &Expr) -> Option<LockKind> {
        if let Pat::Type(typed) = pat {
            return self.of_type(&typed.ty);
        }
        let mut call = init;
        loop {
            let Expr::Call(inner) = call else { return None };
            let Expr::Path(func) = &*inner.func else {
                return None;
            };
            let segments = path_segments(&func.path);
            let n = segments.len();
            if n >= 2 && matches!(segments[n - 2].as_str(), "Mutex" | "RwLock") {
                let full = self.imports.expand(&segments[..n - 1]);
                return if blocking_path(&full) {
                    Some(LockKind::Blocking)
                } else if full.starts_with("tokio::") || full.starts_with("async_std::") {
                    Some(LockKind::Async)
                } else {
                    None
                };
            }
            call = inner.args.first()?;
        }
    }

    /// Whether the receiver of a `try_lock()` is an async lock: by its declared type when
    /// visible, else by the file's imports.
    fn is_async_lock(&self, receiver: &Expr, names: &HashMap<String, LockKind>) -> bool {
        let known = match peel(receiver) {
            Expr::Path(path) => path.path.get_ident().and_then(|ident| {
                let name = ident.to_string();
                names
                    .get(&name)
                    .copied()
                    .or_else(|| self.fields.get(&name).copied().flatten())
            }),
            Expr::Field(field) => match &field.member {
                syn::Member::Named(name) => self.fields.get(&name.to_string()).copied().flatten(),
                syn::Member::Unnamed(_) => None,
            },
            _ => None,
        };
        match known {
            Some(kind) => kind == LockKind::Async,
            None => !self.names_blocking_lock,
        }
    }
}

/// A path that names std's, core's or parking_lot's locks.
fn blocking_path(full: &str) -> bool {
    ["std::sync::", "parking_lot::", "core::sync::"]
        .iter()
        .any(|prefix| full.starts_with(prefix))
}

/// An expression without references, dereferences, parentheses and `.as_ref()`/`.clone()`.
fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(inner) => peel(&inner.expr),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => peel(&unary.expr),
        Expr::Paren(inner) => peel(&inner.expr),
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "as_ref" | "clone" | "deref"
                ) =>
        {
            peel(&call.receiver)
        }
        _ => expr,
    }
}

/// The `use` items of a file and the declared types of its struct fields and statics.
struct LockDeclarations {
    imports: Imports,
    fields: Vec<(String, syn::Type)>,
}

impl<'ast> Visit<'ast> for LockDeclarations {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.imports.add_use(&item.tree, &item.vis);
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(name) = &field.ident {
            self.fields.push((name.to_string(), field.ty.clone()));
        }
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.fields
            .push((item.ident.to_string(), (*item.ty).clone()));
    }

    // Declarations only: bodies are skipped (a `use` inside a fn is rare, and costs a walk).
    fn visit_block(&mut self, _: &'ast Block) {}
}

/// The first path in a type whose last segment is `Mutex` or `RwLock`, as written up to it.
struct LockPath {
    found: Option<Vec<String>>,
}

impl<'ast> Visit<'ast> for LockPath {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if self.found.is_some() {
            return;
        }
        if let Some(at) = path
            .segments
            .iter()
            .position(|segment| matches!(segment.ident.to_string().as_str(), "Mutex" | "RwLock"))
        {
            self.found = Some(
                path.segments
                    .iter()
                    .take(at + 1)
                    .map(|segment| segment.ident.to_string())
                    .collect(),
            );
            return;
        }
        visit::visit_path(self, path);
    }
}

/// The blocks directly nested in an expression.
struct NestedBlocks<'ast> {
    blocks: Vec<&'ast Block>,
}

impl<'ast> Visit<'ast> for NestedBlocks<'ast> {
    fn visit_block(&mut self, block: &'ast Block) {
        self.blocks.push(block);
    }

    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(text: &str) -> Vec<(Option<String>, usize)> {
        let file = syn::parse_file(text).expect("test source parses");
        held_guards(&file, false, &[])
            .into_iter()
            .map(|guard| (guard.name, guard.awaits.len()))
            .collect()
    }

    #[test]
    fn a_guard_alive_at_an_await_is_held() {
        let found = held("async fn f(m: &std::sync::Mutex<u8>) { let g = m.lock().unwrap(); x().await; drop(g); }");
        assert_eq!(found, [(Some("g".to_string()), 1)]);
    }

    #[test]
    fn drops_block_scopes_and_moves_end_a_guard() {
        for text in [
            "async fn f(m: &M) { let g = m.lock().unwrap(); drop(g); x().await; }",
            "async fn f(m: &M) { { let g = m.lock().unwrap(); *g += 1; } x().await; }",
            "async fn f(m: &M) { let g = m.lock().unwrap(); consume(g); x().await; }",
            "async fn f(m: &M) { let n = *m.lock().unwrap(); x(n).await; }",
        ] {
            assert_eq!(held(text), [], "{text}");
        }
    }

    #[test]
    fn a_scrutinee_temporary_lives_through_the_match() {
        let found = held("async fn f(m: &M) { match m.lock().unwrap().get() { Some(_) => x().await, None => {} } }");
        assert_eq!(found, [(None, 1)]);
    }

    #[test]
    fn each_operand_and_plain_condition_is_a_temporary_scope() {
        for text in [
            "async fn f(m: &M) { if m.lock().unwrap().ready() { x().await; } }",
            "async fn f(m: &M) { let _ = m.lock().unwrap().ready() || x().await; }",
            "async fn f(m: &M) { let v = if a { 1 } else if m.lock().unwrap().ready() { x().await } else { 2 }; }",
            "async fn f(m: &M) { match a { b if m.lock().unwrap().has(b) => x().await, _ => {} } }",
            "async fn f(m: &M) { let Some(v) = m.lock().unwrap().pop() else { x().await; return }; }",
            "async fn f(m: &M) { while m.lock().unwrap().busy() { x().await; } }",
        ] {
            assert_eq!(held(text), [], "{text}");
        }
        for text in [
            "async fn f(m: &M) { while let Some(v) = m.lock().unwrap().pop() { x(v).await; } }",
            "async fn f(m: &M) { let _ = a && y(m.lock().unwrap().get(), x().await); }",
            "async fn f(m: &M) { if let Some(v) = m.lock().unwrap().pop() && v > 1 { x().await; } }",
        ] {
            assert_eq!(held(text), [(None, 1)], "{text}");
        }
    }

    #[test]
    fn tokio_try_lock_guards_are_not_held_guards() {
        let tokio = "use tokio::sync::Mutex; struct S { m: Mutex<u8> } impl S { async fn f(&self) { let g = self.m.try_lock().unwrap(); x().await; } }";
        assert_eq!(held(tokio), []);
        let unknown = "use tokio::sync::Mutex; async fn f(s: &Other) { let g = s.m.try_lock().unwrap(); x().await; }";
        assert_eq!(held(unknown), []);
        let std = "use std::sync::Mutex; async fn f(s: &Other) { let g = s.m.try_lock().unwrap(); x().await; }";
        assert_eq!(held(std), [(Some("g".to_string()), 1)]);
        let declared = "use tokio::sync::Mutex; async fn f(m: &std::sync::Mutex<u8>) { let g = m.try_lock().unwrap(); x().await; }";
        assert_eq!(held(declared), [(Some("g".to_string()), 1)]);
    }
}
