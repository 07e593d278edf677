//! Race sites, recognised during the main walk: `select!` and `select_biased!`, `try_join!`,
//! `timeout`/`timeout_at`/`.timeout(..)`, `futures::future::select*`, `try_join*` and
//! `FuturesUnordered` drained with `try_collect`. Each raced future becomes a [`Branch`].

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

use super::super::imports::path_segments;
use super::super::names::{FUTURE_SELECT_FNS, TIMEOUT_FNS, TRY_COLLECTORS, TRY_JOIN_FNS};
use super::super::operation::{future_shape, FutureShape};
use super::super::race::{Branch, RaceKind, RaceSite};
use super::super::select::SelectBody;
use super::super::BodyId;
use super::Collector;
use crate::span::Span;
use crate::syntax::{
    collection_elements, diverges, ends_with_continue, first_token, is_plain_value, macro_span,
};

impl Collector<'_> {
    /// Turns a future expression at a race site into a branch.
    fn branch(&self, future: &Expr, handler: Option<&Expr>) -> Branch {
        let span = Span::of_expr(future);
        let body = self.current_body();
        let in_loop = self.current_loop();
        let mut block_body = None;
        let mut binding = None;
        let mut bound = None;
        let mut checked_after_binding = false;
        let (op, created_in_loop, resumed) = match future_shape(future, self.imports) {
            FutureShape::Call(op) => (Some(*op), in_loop.is_some(), false),
            FutureShape::Binding(name) => {
                bound = Some(name.clone());
                let local = body.and_then(|body| self.model.local_before(body, &name, span.start));
                match local {
                    Some(local) => {
                        let inside = in_loop.is_some_and(|lp| lp.span.contains(&local.span));
                        checked_after_binding = self
                            .open_statements
                            .last()
                            .is_some_and(|&here| here > local.statement + 1);
                        block_body = local.init_block;
                        binding = local.future_of.clone();
                        (local.init.clone(), inside, !inside)
                    }
                    None => {
                        binding = Some(name);
                        (None, false, true)
                    }
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
            block_body,
            handler_span: handler.map(Span::of),
            body: None,
            binding,
            bound,
            checked_after_binding,
        }
    }

    /// Once a fn body is walked: the futures its races poll by name get the call last assigned
    /// to that name in the loop around the race (`pending = sink.send(msg).fuse();` in a handler
    /// of the same `select!`), or before the race.
    pub(super) fn settle_assigned_futures(&mut self, body: BodyId, first_race: usize) {
        if self.model.bodies[body].future_assigns.is_empty() {
            return;
        }
        for index in first_race..self.model.races.len() {
            if self.model.races[index].body != body {
                continue;
            }
            let race_span = self.model.races[index].span;
            let in_loop = self.model.races[index].in_loop;
            for branch_index in 0..self.model.races[index].branches.len() {
                let Some(name) = self.model.races[index].branches[branch_index].bound.clone()
                else {
                    continue;
                };
                // Replacing the future in its own handler, once it has completed, loses nothing.
                let own_handler = self.model.races[index].branches[branch_index].handler_span;
                let assigned = self.model.bodies[body]
                    .future_assigns
                    .iter()
                    .filter(|(target, at, _)| {
                        *target == name
                            && !own_handler.is_some_and(|handler| handler.contains(at))
                            && (at.start < race_span.start
                                || in_loop.is_some_and(|lp| lp.span.contains(at)))
                    })
                    .max_by_key(|(_, at, _)| at.start)
                    .cloned();
                if let Some((_, at, op)) = assigned {
                    let inside = in_loop.is_some_and(|lp| lp.span.contains(&at));
                    let branch = &mut self.model.races[index].branches[branch_index];
                    branch.op = Some(op);
                    branch.created_in_loop = inside;
                    branch.resumed = !inside;
                }
            }
        }
    }

    /// The arguments of an awaited call that are futures made on the spot (a call, or an
    /// `async` block), as branches: the call may be a wrapper that races them.
    pub(super) fn arg_futures(&self, awaited: &Expr) -> Vec<(usize, Branch)> {
        let args = match awaited {
            Expr::Call(call) => &call.args,
            Expr::MethodCall(call) => &call.args,
            _ => return Vec::new(),
        };
        args.iter()
            .enumerate()
            .filter(|(_, arg)| {
                matches!(
                    future_shape(arg, self.imports),
                    FutureShape::Call(_) | FutureShape::AsyncBlock
                )
            })
            .map(|(index, arg)| (index, self.branch(arg, None)))
            .collect()
    }

    /// The branches of the futures a collection of them holds, each from a closure when it
    /// comes from `.map(|x| ..)` (the closure is the next body the walk opens).
    fn collection_branches(&self, futures: Vec<(Expr, bool)>) -> Vec<Branch> {
        futures
            .iter()
            .map(|(future, from_closure)| {
                let mut branch = self.branch(future, None);
                if *from_closure {
                    branch.body = Some(self.model.bodies.len());
                }
                branch
            })
            .collect()
    }

    /// Records a race site. `leaves` says how the code leaves when the race is lost (a timeout
    /// elapses, a join fails; for a select: its `else` handlers all diverge), if it does.
    fn push_race(
        &mut self,
        kind: RaceKind,
        label_span: Span,
        span: Span,
        branches: Vec<Branch>,
        leaves: Option<Leaves>,
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
            fallback_continues: leaves.is_none(),
            fallback_panics: leaves == Some(Leaves::Panics),
            handlers_are_values,
        });
    }

    /// Records that the timeout or join awaited in `expr` (through `.await`, `?`, `.unwrap()`
    /// and other method calls) leaves the code when it is lost: `leaves` says the surrounding
    /// construct diverges on the error; `?`, `unwrap` and `expect` on the way down do too. The
    /// one nearest the call handles its error: an `unwrap`/`expect` there panics.
    pub(super) fn note_timeout_outcome(&mut self, expr: &Expr, leaves: bool) {
        self.note_race_outcome(expr, leaves.then_some(Leaves::Returns));
    }

    /// [`Collector::note_timeout_outcome`], the construct around `expr` leaving as `outcome`.
    pub(super) fn note_race_outcome(&mut self, expr: &Expr, outcome: Option<Leaves>) {
        let mut outcome = outcome;
        let mut expr = expr;
        loop {
            match expr {
                Expr::Await(inner) => expr = &inner.base,
                Expr::Paren(inner) => expr = &inner.expr,
                Expr::Try(inner) => {
                    outcome = Some(Leaves::Returns);
                    expr = &inner.expr;
                }
                Expr::MethodCall(call) if call.method == "timeout" => break,
                Expr::MethodCall(call) => {
                    if matches!(call.method.to_string().as_str(), "unwrap" | "expect") {
                        outcome = Some(Leaves::Panics);
                    }
                    expr = &call.receiver;
                }
                _ => break,
            }
        }
        let Some(outcome) = outcome else { return };
        if matches!(expr, Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_)) {
            self.races_leaving
                .insert(Span::start_of(first_token(expr)), outcome);
        }
    }

    /// How the race whose expression starts at `start` leaves when it is lost, if it does.
    fn leaving(&self, start: proc_macro2::Span) -> Option<Leaves> {
        self.races_leaving.get(&Span::start_of(start)).copied()
    }

    /// [`Collector::leaving`] for a macro.
    fn macro_leaving(&self, mac: &syn::Macro) -> Option<Leaves> {
        self.races_leaving.get(&Span::of(&mac.path).start).copied()
    }

    /// `try_join!(a, b)`: a race whose first error drops the others. Returns whether the macro
    /// was one.
    pub(super) fn try_join_macro(&mut self, mac: &syn::Macro) -> bool {
        let Ok(futures) = mac.parse_body_with(parse_join_body) else {
            return false;
        };
        let branches = futures
            .iter()
            .map(|future| self.branch(future, None))
            .collect();
        let label_span = Span::of(&mac.path).to(Span::from_pm2(mac.bang_token.span));
        let leaves = self.macro_leaving(mac);
        self.push_race(
            RaceKind::TryJoin {
                function: "try_join!".to_string(),
            },
            label_span,
            macro_span(mac),
            branches,
            leaves,
            false,
        );
        self.macro_depth += 1;
        for future in &futures {
            self.visit_expr(future);
        }
        self.macro_depth -= 1;
        true
    }

    pub(super) fn handle_select(
        &mut self,
        mac: &syn::Macro,
        name: &str,
        path: &str,
        body: SelectBody,
    ) {
        let branches = body
            .branches
            .iter()
            .map(|branch| self.branch(&branch.future, Some(&branch.handler)))
            .collect();
        let fallback_continues = body.fallbacks.iter().any(|handler| !diverges(handler));
        let leaves = (!fallback_continues).then_some(Leaves::Returns);
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
                path: path.to_string(),
                biased: body.biased,
            },
            label_span,
            span,
            branches,
            leaves,
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

    /// A call through a path that races futures: `timeout(d, fut)`, `try_join(a, b)`,
    /// `try_join_all(..)`, `select(a, b)`, `select_all(..)`.
    pub(super) fn race_call(&mut self, call: &syn::ExprCall, func: &syn::ExprPath) {
        let segments: Vec<String> = path_segments(&func.path);
        if let Some(target) = self.imports.resolves_to(&segments, TIMEOUT_FNS) {
            if let Some(future) = call.args.iter().nth(1) {
                let branches = vec![self.branch(future, None)];
                let function = target.rsplit("::").next().unwrap_or(target).to_string();
                let leaves = self.leaving(first_token(&call.func));
                self.push_race(
                    RaceKind::Timeout { function },
                    Span::of(&func.path),
                    Span::of_call(call),
                    branches,
                    leaves,
                    false,
                );
            }
        } else if let Some(target) = self.imports.resolves_to(&segments, TRY_JOIN_FNS) {
            let futures: Vec<(Expr, bool)> = if target.ends_with("try_join_all") {
                call.args.iter().flat_map(joined_futures).collect()
            } else {
                call.args.iter().map(|arg| (arg.clone(), false)).collect()
            };
            let branches = self.collection_branches(futures);
            let function = target.rsplit("::").next().unwrap_or(target).to_string();
            let leaves = self.leaving(first_token(&call.func));
            self.push_race(
                RaceKind::TryJoin { function },
                Span::of(&func.path),
                Span::of_call(call),
                branches,
                leaves,
                false,
            );
        } else if let Some(target) = self.imports.resolves_to(&segments, FUTURE_SELECT_FNS) {
            let futures: Vec<(Expr, bool)> =
                if target.ends_with("select") || target.ends_with("try_select") {
                    call.args.iter().map(|arg| (arg.clone(), false)).collect()
                } else {
                    call.args.iter().flat_map(joined_futures).collect()
                };
            let branches = self.collection_branches(futures);
            let function = target.rsplit("::").next().unwrap_or(target).to_string();
            self.push_race(
                RaceKind::FutureSelect { function },
                Span::of(&func.path),
                Span::of_call(call),
                branches,
                None,
                false,
            );
        }
    }

    /// A method call that races futures: `fut.timeout(d)`, and
    /// `iter.map(|x| op(x)).collect::<FuturesUnordered<_>>().try_collect()`, whose first error
    /// drops the futures still running, like `try_join_all`.
    pub(super) fn race_method_call(&mut self, call: &syn::ExprMethodCall) {
        if TRY_COLLECTORS.iter().any(|name| call.method == name) {
            if let Some(futures) = collected_futures(&call.receiver) {
                let branches = self.collection_branches(futures);
                let kind = RaceKind::TryJoin {
                    function: call.method.to_string(),
                };
                let leaves = self.leaving(first_token(&call.receiver));
                self.push_race(
                    kind,
                    Span::of(&call.method),
                    Span::of_method_call(call),
                    branches,
                    leaves,
                    false,
                );
            }
        }
        if call.method == "timeout" && call.args.len() == 1 {
            let branches = vec![self.branch(&call.receiver, None)];
            let label = Span::of(&call.method);
            let leaves = self.leaving(first_token(&call.receiver));
            let kind = RaceKind::Timeout {
                function: "timeout".into(),
            };
            self.push_race(
                kind,
                label,
                Span::of_method_call(call),
                branches,
                leaves,
                false,
            );
        }
    }
}

/// How the code leaves when a race is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Leaves {
    /// It returns (or breaks): `?`, a diverging `else` or `Err` arm.
    Returns,
    /// It panics: `.unwrap()` or `.expect(..)` on the race's error.
    Panics,
}

/// The futures of `iter.map(|x| op).collect::<FuturesUnordered<_>>()` (or `FuturesOrdered`, or
/// `FuturesUnordered::from_iter(..)`): the closure body of the `map`.
fn collected_futures(expr: &Expr) -> Option<Vec<(Expr, bool)>> {
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

/// The futures a collection argument builds (`try_join_all`, `select_all`, `select_ok`): the
/// elements of `vec![..]` / `[..]`, or the closure body of `.map(|x| ..)` (seen through
/// `.collect()` and `.into_iter()`), marked as coming from a closure.
fn joined_futures(arg: &Expr) -> Vec<(Expr, bool)> {
    match arg {
        Expr::MethodCall(call) if call.method == "map" => match call.args.first() {
            Some(Expr::Closure(closure)) => vec![((*closure.body).clone(), true)],
            _ => Vec::new(),
        },
        Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "collect" | "into_iter" | "iter" | "iter_mut"
            ) =>
        {
            joined_futures(&call.receiver)
        }
        Expr::Reference(reference) => joined_futures(&reference.expr),
        Expr::Paren(inner) => joined_futures(&inner.expr),
        other => collection_elements(other)
            .into_iter()
            .map(|future| (future, false))
            .collect(),
    }
}

/// Whether `stmt` panics unless the result bound to `name` is a success: `assert!(name.is_ok())`
/// (or `is_some`, `assert_matches!`/`assert!(matches!(name, Ok(..)))`), `name.unwrap()`,
/// `name.expect(..)`.
pub(super) fn panics_unless_ok(stmt: &syn::Stmt, name: &syn::Ident) -> bool {
    use syn::{Expr, Stmt};
    let written = name.to_string();
    let mac = match stmt {
        Stmt::Macro(stmt) => Some(&stmt.mac),
        Stmt::Expr(Expr::Macro(expr), _) => Some(&expr.mac),
        _ => None,
    };
    if let Some(mac) = mac {
        let asserts = mac.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "assert" | "assert_matches"
            )
        });
        if !asserts {
            return false;
        }
        let tokens: Vec<String> = mac
            .tokens
            .clone()
            .into_iter()
            .take(6)
            .map(|token| token.to_string())
            .collect();
        let is_name = |token: Option<&String>| token.is_some_and(|token| *token == written);
        return match tokens.first().map(String::as_str) {
            Some("matches") => tokens.get(2).is_some_and(|group| {
                group
                    .trim_start_matches('(')
                    .trim_start()
                    .starts_with(&written)
            }),
            _ if is_name(tokens.first()) => {
                tokens.get(1).is_some_and(|dot| dot == ".")
                    && tokens
                        .get(2)
                        .is_some_and(|method| method == "is_ok" || method == "is_some")
                    || mac.path.is_ident("assert_matches")
                        && tokens.get(1).is_some_and(|comma| comma == ",")
            }
            _ => false,
        };
    }
    let Stmt::Expr(Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    // `r.unwrap()`, `r.expect(..)`, `r.unwrap().unwrap()`: the innermost call takes `r`.
    let mut call = call;
    while let Expr::MethodCall(inner) = &*call.receiver {
        call = inner;
    }
    matches!(call.method.to_string().as_str(), "unwrap" | "expect")
        && matches!(&*call.receiver, Expr::Path(path) if path.path.is_ident(name))
}

/// The awaited result an `if` condition tests for an error: `r.is_err()` and `!r.is_ok()` give
/// `r` (a timeout's result, when `r` awaits one; [`Collector::note_timeout_outcome`] decides).
pub(super) fn tests_elapsed(cond: &Expr) -> Option<&Expr> {
    match cond {
        Expr::MethodCall(call) if call.method == "is_err" && call.args.is_empty() => {
            Some(&call.receiver)
        }
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Not(_)) => match &*unary.expr {
            Expr::MethodCall(call) if call.method == "is_ok" && call.args.is_empty() => {
                Some(&call.receiver)
            }
            _ => None,
        },
        Expr::Paren(inner) => tests_elapsed(&inner.expr),
        _ => None,
    }
}
