// Length: about 640 lines of code and 180 of unit tests; the main walk is one `Visit` impl, whose
// methods share the walk's state (open bodies, loops, races, pending bindings), and the focused
// passes it calls are in the files beside it.

//! Builds a [`FileModel`] from a syntax tree.
//!
//! The build makes two walks and three focused passes:
//! 1. [`declarations`]: imports, types, struct fields and method names (items only, no
//!    expressions), which the main walk needs up front;
//! 2. the main walk, [`Collector`], split by concern: [`scopes`] (bodies, loops, locals, uses),
//!    [`races`] (`select!`, `timeout`, `try_join`...) and [`calls`] (`block_on`, blocking
//!    contexts, detached spawns, mutations). Its `Visit` impl below only dispatches;
//! 3. `signature::missing_send` (items only), `suppression::suppressions` (only in files that
//!    mention `cancel-check`) and `liveness::held_guards` (only in files with an `.await`), each
//!    a walk of its own because each follows a different structure (signatures, comment lines,
//!    statement order).

mod calls;
mod declarations;
mod races;
mod scopes;

use foldhash::{HashMap, HashMapExt};

use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, ImplItemFn, Item, ItemFn, Stmt, Token};

use super::imports::{path_segments, Imports};
use super::names::{INTERESTING, INTERESTING_CALLS};
use super::operation::place_of_field;
use super::operation::{future_shape, FutureShape};
use super::select::parse_select_body;
use super::{AwaitSite, BodyId, BodyKind, FileModel, LoopSite};
use crate::config::Config;
use crate::span::Span;
use crate::syntax::{
    between, block_diverges, diverges, first_token, is_err_pattern, is_macro_rules, is_ok_pattern,
    macro_span, type_name,
};
use declarations::{Declarations, Places};
use proc_macro2::{TokenStream, TokenTree};

/// Whether a macro's body mentions an identifier that makes it worth parsing as code. `text` is
/// the text its spans point into: a body whose text holds none of the names, even as part of a
/// word, holds none of them as an identifier, and is ruled out without walking its tokens.
pub(super) fn mentions_interesting(text: &str, mac: &syn::Macro) -> bool {
    let body = Span::from_pm2(mac.delimiter.span().join());
    // A span that does not point into the text (an empty one) proves nothing.
    let body = text
        .get(body.start..body.end)
        .filter(|body| !body.is_empty());
    let may_mention = body.is_none_or(|body| {
        INTERESTING_STEMS
            .iter()
            .any(|stem| memchr::memmem::find(body.as_bytes(), stem.as_bytes()).is_some())
    });
    may_mention && mentions_interesting_tokens(&mac.tokens, 0)
}

/// Strings one of which each of [`INTERESTING`] contains.
const INTERESTING_STEMS: &[&str] = &["await", "async", "select", "timeout"];

/// Whether the tokens mention one of [`INTERESTING`].
fn mentions_interesting_tokens(tokens: &TokenStream, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => INTERESTING.iter().any(|name| ident == name),
        TokenTree::Group(group) => mentions_interesting_tokens(&group.stream(), depth + 1),
        _ => false,
    })
}

/// How deep macro bodies are re-parsed inside each other.
const MAX_MACRO_DEPTH: usize = 8;

pub(super) fn build(path: &str, file: &syn::File, text: &str, config: &Config) -> FileModel {
    let mut model = FileModel {
        path: path.to_string(),
        ..FileModel::default()
    };
    let mut imports = Imports::default();
    model.items.scopes.push(super::items::Scope::default());
    let mut declarations = Declarations {
        text,
        model: &mut model,
        imports: &mut imports,
        parsed_macros: HashMap::new(),
        scopes: vec![0],
        places: Places::default(),
    };
    declarations.visit_file(file);
    let parsed_macros = std::mem::take(&mut declarations.parsed_macros);
    let places = std::mem::take(&mut declarations.places);
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
        races_leaving: HashMap::new(),
        macro_depth: 0,
        places: &places,
        owners: Vec::new(),
        held_into: Vec::new(),
        awaited_base: None,
        next_closure_element: None,
        loop_statement: None,
        statements: 0,
        open_statements: Vec::new(),
        open_blocks: Vec::new(),
    };
    for item in &file.items {
        collector.open_scope();
        collector.visit_item(item);
        collector.scopes.pop();
    }
    model
}

/// Second pass: bodies, loops, locals, uses and race sites.
pub(super) struct Collector<'m> {
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
    /// Start offsets of timeout calls and joins whose error leaves the code (`?`, `unwrap`,
    /// `let Ok(..) = .. else { return }`, a `match` whose `Err` arm diverges), with how it
    /// leaves, found on the way down before the call itself is visited.
    races_leaving: HashMap<usize, races::Leaves>,
    macro_depth: usize,
    /// What the first pass found about each fn, impl and trait.
    places: &'m Places,
    /// The impls and traits around the walk, innermost last.
    owners: Vec<super::FnOwner>,
    /// The awaits whose call's arguments the walk is in, innermost last.
    held_into: Vec<Span>,
    /// The next closure opened is an iterator adapter's: its first parameter is an element of
    /// this value.
    next_closure_element: Option<super::value::ValueExpr>,
    /// The first-token offset of the expression an await being walked awaits, with the await.
    awaited_base: Option<(usize, Span)>,
    /// The start of a loop that is an expression statement, met on the way down to it.
    loop_statement: Option<usize>,
    /// How many statements the walk has met, and the numbers of those it is inside, innermost
    /// last: a `let` and the statement that races its binding are adjacent when nothing was met
    /// between them.
    statements: usize,
    open_statements: Vec<usize>,
    /// Where each block the walk is inside ends, innermost last: the scope of its `let`s.
    open_blocks: Vec<usize>,
}

impl Collector<'_> {
    /// The await whose awaited expression is the call starting at `start`, if the walk just
    /// came from one (taken, so that nested calls do not see it).
    fn awaited_call(&mut self, start: usize) -> Option<Span> {
        match self.awaited_base {
            Some((at, span)) if at == start => {
                self.awaited_base = None;
                Some(span)
            }
            _ => None,
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
        if name == "try_join" && !foreign_select && self.try_join_macro(mac) {
            return;
        }
        if (name == "select" || name == "select_biased") && !foreign_select {
            if let Some(body) = parse_select_body(mac.tokens.clone()) {
                self.handle_select(mac, &name, &full, body);
                return;
            }
        }
        if !mentions_interesting(self.text, mac) {
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
        self.fn_body(&item.sig, &item.attrs, is_pub, Some(&item.block), |this| {
            visit::visit_item_fn(this, item)
        });
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.modules.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.modules.pop();
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let index = self.places.impls.get(&Span::of(&item.impl_token).start);
        self.owners
            .push(index.map_or(super::FnOwner::Free, |&index| super::FnOwner::Impl(index)));
        self.impl_types.push(type_name(&item.self_ty));
        visit::visit_item_impl(self, item);
        self.impl_types.pop();
        self.owners.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let index = self.places.traits.get(&Span::of(&item.trait_token).start);
        self.owners
            .push(index.map_or(super::FnOwner::Free, |&index| super::FnOwner::Trait(index)));
        self.impl_types.push(Some(item.ident.to_string()));
        self.pub_traits
            .push(matches!(item.vis, syn::Visibility::Public(_)));
        visit::visit_item_trait(self, item);
        self.pub_traits.pop();
        self.impl_types.pop();
        self.owners.pop();
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        let is_pub = matches!(item.vis, syn::Visibility::Public(_));
        self.fn_body(&item.sig, &item.attrs, is_pub, Some(&item.block), |this| {
            visit::visit_impl_item_fn(this, item)
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let is_pub = self.pub_traits.last().copied().unwrap_or(false);
        self.fn_body(
            &item.sig,
            &item.attrs,
            is_pub,
            item.default.as_ref(),
            |this| visit::visit_trait_item_fn(this, item),
        );
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
        let mut params = scopes::closure_params(expr);
        if let (Some(first), Some(element)) = (params.first_mut(), self.next_closure_element.take())
        {
            first.value = Some(element);
        }
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
                    let live =
                        Span::of(&cond.pat).to(Span::from_pm2(expr.body.brace_token.span.close()));
                    this.record_bindings(&cond.pat, &cond.expr, false, live);
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
                // `let read = stream.read_buf(&mut buf); read.await`: the binding's call.
                FutureShape::Binding(name) => self
                    .model
                    .local_before(body, &name, span.start)
                    .and_then(|local| local.init.clone()),
                _ => None,
            };
            let in_loop = self.current_loop();
            let held_into = self.held_into.last().copied();
            let arg_futures = self.arg_futures(&expr.base);
            let leaves = self.races_leaving.get(&span.start).copied();
            let leaves_on_error = leaves.is_some();
            let panics_on_error = leaves == Some(races::Leaves::Panics);
            self.model.bodies[body].awaits.push(AwaitSite {
                op,
                span,
                in_loop,
                binds,
                held_into,
                arg_futures,
                leaves_on_error,
                panics_on_error,
            });
            let base_is_call = matches!(
                &*expr.base,
                Expr::Call(_) | Expr::MethodCall(_) | Expr::Paren(_)
            );
            self.awaited_base =
                base_is_call.then(|| (Span::start_of(first_token(&expr.base)), span));
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
                let live =
                    Span::of(&expr.pat).to(Span::from_pm2(expr.body.brace_token.span.close()));
                this.record_bindings(&expr.pat, &expr.expr, true, live);
                this.visit_pat(&expr.pat);
                this.visit_block(&expr.body);
            },
        );
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        // `let r = timeout(..).await;` checked by the next statement with `assert!(r.is_ok())`,
        // `r.unwrap()` or `r.expect(..)`: the lost race panics there.
        for pair in block.stmts.windows(2) {
            let Stmt::Local(local) = &pair[0] else {
                continue;
            };
            let (syn::Pat::Ident(binding), Some(init)) = (&local.pat, &local.init) else {
                continue;
            };
            if init.diverge.is_none() && races::panics_unless_ok(&pair[1], &binding.ident) {
                self.note_race_outcome(&init.expr, Some(races::Leaves::Panics));
            }
        }
        self.open_blocks
            .push(Span::start_of(block.brace_token.span.close()));
        visit::visit_block(self, block);
        self.open_blocks.pop();
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if let Stmt::Expr(expr, Some(_)) = stmt {
            self.note_detached_spawn(expr, None);
        }
        if let Stmt::Expr(expr @ (Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_)), _) = stmt {
            self.loop_statement = Some(Span::of_expr(expr).start);
        }
        self.statements += 1;
        self.open_statements.push(self.statements);
        visit::visit_stmt(self, stmt);
        self.open_statements.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (syn::Pat::Wild(wild), Some(init)) = (&local.pat, &local.init) {
            self.note_detached_spawn(&init.expr, Some(Span::of(wild)));
        }
        if let Some(init) = &local.init {
            let diverging_else = init
                .diverge
                .as_ref()
                .is_some_and(|(_, other)| diverges(other));
            self.note_timeout_outcome(&init.expr, diverging_else);
            self.note_binds(&init.expr, &local.pat);
        }
        let body = self.current_body();
        let declared = body.map_or(0, |body| self.model.bodies[body].locals.len());
        self.record_local(local);
        visit::visit_local(self, local);
        // The `let` ends after the statements inside its initialiser.
        if let Some(body) = body {
            for decl in &mut self.model.bodies[body].locals[declared..] {
                decl.statement = self.statements;
            }
        }
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.note_timeout_outcome(&expr.expr, true);
        visit::visit_expr_try(self, expr);
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        for arm in &expr.arms {
            self.note_binds(&expr.expr, &arm.pat);
            self.record_bindings(&arm.pat, &expr.expr, false, Span::of(arm));
        }
        // The elapsed error leaves when every arm it can take does (`Err(_) if retry => ..`
        // next to `Err(_) => return ..` goes on).
        let catches_err = |pat: &syn::Pat| {
            is_err_pattern(pat) || matches!(pat, syn::Pat::Wild(_) | syn::Pat::Ident(_))
        };
        let err_arms: Vec<&syn::Arm> = expr
            .arms
            .iter()
            .filter(|arm| catches_err(&arm.pat))
            .collect();
        let err_arm_leaves = !err_arms.is_empty() && err_arms.iter().all(|arm| diverges(&arm.body));
        self.note_timeout_outcome(&expr.expr, err_arm_leaves);
        visit::visit_expr_match(self, expr);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        let then_leaves = block_diverges(&expr.then_branch);
        if let Expr::Let(cond) = &*expr.cond {
            self.note_binds(&cond.expr, &cond.pat);
            let live =
                Span::of(&cond.pat).to(Span::from_pm2(expr.then_branch.brace_token.span.close()));
            self.record_bindings(&cond.pat, &cond.expr, false, live);
            let else_leaves = expr
                .else_branch
                .as_ref()
                .is_some_and(|(_, other)| diverges(other));
            // `if let Ok(v) = timeout(..).await { .. } else { leave }`, and
            // `if let Err(_) = timeout(..).await { leave }`.
            let leaves = (is_ok_pattern(&cond.pat) && else_leaves)
                || (is_err_pattern(&cond.pat) && then_leaves);
            self.note_timeout_outcome(&cond.expr, leaves);
        } else if then_leaves {
            // `if timeout(..).await.is_err() { leave }`, `if !timeout(..).await.is_ok() { .. }`.
            if let Some(elapsed) = races::tests_elapsed(&expr.cond) {
                self.note_timeout_outcome(elapsed, true);
            }
        }
        visit::visit_expr_if(self, expr);
    }

    fn visit_expr_macro(&mut self, expr: &'ast syn::ExprMacro) {
        self.handle_macro(&expr.mac);
    }

    fn visit_stmt_macro(&mut self, stmt: &'ast syn::StmtMacro) {
        if let Some(local) = scopes::listener_local(&stmt.mac, self.imports) {
            self.visit_local(&local);
            return;
        }
        self.handle_macro(&stmt.mac);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        for arg in &call.args {
            self.record_mut_borrow(arg);
        }
        // Only calls named like one of the functions the model knows need resolving.
        if let Expr::Path(func) = &*call.func {
            let interesting = func
                .path
                .segments
                .last()
                .is_some_and(|last| INTERESTING_CALLS.iter().any(|name| last.ident == name));
            if interesting {
                self.note_call_context(call, func);
                self.race_call(call, func);
            }
        }
        // The arguments of an awaited call are held across its await.
        let holder = self.awaited_call(Span::start_of(first_token(&call.func)));
        self.visit_expr(&call.func);
        self.held_into.extend(holder);
        for arg in &call.args {
            self.visit_expr(arg);
        }
        if holder.is_some() {
            self.held_into.pop();
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `timeout(..).await.unwrap()` panics when the time runs out, wherever it is written.
        if call.method == "unwrap" || call.method == "expect" {
            self.note_race_outcome(&call.receiver, Some(races::Leaves::Panics));
        }
        self.race_method_call(call);
        self.note_method_call(call);
        let holder = self.awaited_call(Span::start_of(first_token(&call.receiver)));
        self.visit_expr(&call.receiver);
        self.held_into.extend(holder);
        for arg in &call.args {
            self.visit_expr(arg);
        }
        if holder.is_some() {
            self.held_into.pop();
        }
    }

    fn visit_expr_return(&mut self, expr: &'ast syn::ExprReturn) {
        if let Some(value) = &expr.expr {
            self.note_returned(value);
        }
        visit::visit_expr_return(self, expr);
    }

    fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
        self.record_assign(&expr.left);
        // `write = sink.send(msg).fuse();`: a future made now and raced later by name.
        if let (Expr::Path(target), Some(body)) = (&*expr.left, self.current_body()) {
            if let Some(name) = target.path.get_ident() {
                if self.in_async_body() {
                    if let FutureShape::Call(op) = future_shape(&expr.right, self.imports) {
                        let span = Span::from_pm2(first_token(&expr.left));
                        self.model.bodies[body]
                            .future_assigns
                            .push((name.to_string(), span, *op));
                    }
                }
            }
        }
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
                let span = if expr.attrs.is_empty() {
                    Span::of_word(expr.path.segments[0].ident.span(), name.len())
                } else {
                    Span::of(expr)
                };
                self.record_use(name, span);
            }
        }
    }

    fn visit_expr_field(&mut self, expr: &'ast syn::ExprField) {
        match place_of_field(expr) {
            Some(place) => self.record_use(place.text, place.span),
            None => visit::visit_expr_field(self, expr),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::items::TypeRef;

    #[test]
    fn every_interesting_name_contains_a_stem() {
        for name in super::INTERESTING {
            assert!(
                super::INTERESTING_STEMS
                    .iter()
                    .any(|stem| name.contains(stem)),
                "{name}"
            );
        }
    }
    use crate::model::test_support::model_of;
    use crate::model::{BodyKind, OpTarget, RaceKind};

    const PUMP: &str = r#"
use tokio::io::AsyncReadExt;
use tokio::select;

struct Conn { stream: tokio::net::TcpStream }

impl Conn {
    async fn pump(&mut self, mut rx: tokio::sync::mpsc::Receiver<u8>) {
        let mut header = [0u8; 4];
        let mut seen: Vec<u8> = Vec::new();
        loop {
            select! {
                res = self.stream.read_exact(&mut header) => { res.unwrap(); }
                Some(byte) = rx.recv() => seen.push(byte),
                else => break,
            }
        }
    }
}
"#;

    #[test]
    fn a_select_in_a_loop_is_a_race_with_its_branches_resolved_to_operations() {
        let model = model_of(PUMP);
        assert_eq!(model.races.len(), 1);
        let race = &model.races[0];
        assert!(
            matches!(&race.kind, RaceKind::Select { macro_name, biased: false, .. } if macro_name == "select")
        );
        assert!(race.in_loop.is_some(), "the select is in the loop");
        assert_eq!(race.branches.len(), 2);
        let read = race.branches[0].op.as_ref().expect("an operation");
        assert_eq!(read.name, "read_exact");
        assert!(
            matches!(&read.target, OpTarget::Method { receiver: Some(place) } if place.text == "self.stream")
        );
        assert_eq!(
            read.resource.as_ref().map(|p| p.text.as_str()),
            Some("self.stream")
        );
        assert!(race.branches[0].created_in_loop && !race.branches[0].resumed);
        assert_eq!(
            race.branches[1].op.as_ref().map(|op| op.name.as_str()),
            Some("recv")
        );
        // `else => break` leaves the loop.
        assert!(!race.fallback_continues);
    }

    #[test]
    fn bodies_record_their_parameters_locals_loops_and_mutations() {
        let model = model_of(PUMP);
        let item = model.fns.iter().find(|f| f.name == "pump").expect("pump");
        assert_eq!(item.self_type.as_deref(), Some("Conn"));
        assert!(item.is_async && item.async_keyword && !item.is_pub);
        let body = &model.bodies[item.body];
        assert!(matches!(&body.kind, BodyKind::Fn { name, is_async: true } if name == "pump"));
        assert!(body.self_by_ref);
        assert_eq!(body.params.len(), 1);
        assert_eq!(body.params[0].name, "rx");
        let param_ty = body.params[0].ty_ref.as_ref().expect("a declared type");
        assert!(
            matches!(param_ty, TypeRef::Path(path) if path.segments == ["tokio", "sync", "mpsc", "Receiver"]),
            "{param_ty:?}"
        );
        let locals: Vec<(&str, bool, bool)> = body
            .locals
            .iter()
            .map(|l| (l.name.as_str(), l.ty_declared, l.collection))
            .collect();
        assert_eq!(locals, [("header", false, true), ("seen", true, true)]);
        assert_eq!(body.loops.len(), 1);
        let mutated: Vec<&str> = body.mutations.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(mutated, ["header", "seen"]);
        assert_eq!(model.fields["Conn"]["stream"], "TcpStream");
    }

    #[test]
    fn awaits_know_what_they_bind_and_timeouts_whether_they_leave() {
        let model = model_of(
            r#"
async fn f(rx: &mut Receiver<Job>, s: &mut Stream) -> Result<(), E> {
    while let Some(job) = rx.recv().await {
        let n = tokio::time::timeout(D, s.read_u32()).await?;
        handle(job, n).await;
    }
    let _ = tokio::time::timeout(D, s.read_u32()).await;
    Ok(())
}
"#,
        );
        let body = &model.bodies[model.fns[0].body];
        let binds: Vec<Vec<String>> = body.awaits.iter().map(|a| a.binds.clone()).collect();
        assert_eq!(binds[0], ["job"]);
        assert_eq!(binds[1], ["n"]);
        let timeouts: Vec<bool> = model
            .races
            .iter()
            .map(|race| race.fallback_continues)
            .collect();
        // `?` leaves on the elapsed error; `let _ =` goes on.
        assert_eq!(timeouts, [false, true]);
    }

    #[test]
    fn lost_timeouts_and_joins_know_whether_they_return_or_panic() {
        let model = model_of(
            r#"
async fn f(s: &mut Stream, t: &mut Stream) -> Result<(), E> {
    tokio::time::timeout(D, s.read_u32()).await.unwrap();
    tokio::time::timeout(D, s.read_u32()).await?.unwrap();
    let joined = tokio::try_join!(s.read_u8(), t.read_u8());
    tokio::try_join!(s.read_u8(), t.read_u8())?;
    futures::future::try_join(s.read_u8(), t.read_u8()).await.expect("both");
    Ok(())
}
"#,
        );
        let outcomes: Vec<(bool, bool)> = model
            .races
            .iter()
            .map(|race| (race.fallback_continues, race.fallback_panics))
            .collect();
        // The `?` nearest the timeout handles its error; the `unwrap` after it is the read's.
        assert_eq!(
            outcomes,
            [
                (false, true),
                (false, false),
                (true, false),
                (false, false),
                (false, true)
            ]
        );
    }

    #[test]
    fn blocking_contexts_spawns_and_block_on_are_recorded() {
        let model = model_of(
            r#"
async fn f(rt: &tokio::runtime::Handle) {
    tokio::spawn(async {});
    tokio::task::spawn_blocking(|| futures::executor::block_on(g()));
    rt.block_on(g());
}
"#,
        );
        assert_eq!(model.detached_spawns.len(), 1);
        assert_eq!(model.detached_spawns[0].callee, "tokio::spawn");
        let callees: Vec<&str> = model
            .block_on_calls
            .iter()
            .map(|site| site.callee.as_str())
            .collect();
        assert_eq!(callees, ["futures::executor::block_on", "rt.block_on"]);
        let closure = model
            .bodies
            .iter()
            .find(|b| matches!(b.kind, BodyKind::Closure { .. }))
            .expect("the closure");
        assert!(closure.runs_blocking);
    }
}
