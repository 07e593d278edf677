//! Scopes, recognised during the main walk: bodies (fns, async blocks, closures) with their
//! parameters, loops, `let` bindings, and the places each use scope reads and assigns.

use syn::{Expr, FnArg, Pat, Signature, Stmt, Type};

use super::super::items::{Generics, TypeRef};
use super::super::operation::place_of;
use super::super::operation::{future_shape, FutureShape};
use super::super::value::{pat_bindings, ValueExpr};
use super::super::{
    Body, BodyId, BodyKind, FnItem, FnOwner, LocalDecl, LoopSite, Param, PatternBinding, PlaceUse,
    Returned,
};
use super::Collector;
use crate::span::Span;
use crate::syntax::{
    between, constructed_type, first_token, is_awaited, is_collection_init, is_shared_type,
    names_in, pat_names, pat_names_outside_errors, returns_impl_future,
};

impl Collector<'_> {
    pub(super) fn current_body(&self) -> Option<BodyId> {
        self.bodies.last().copied()
    }

    /// Whether the innermost body is async code: an async fn, block or closure (or a closure in
    /// one).
    pub(super) fn in_async_body(&self) -> bool {
        self.bodies
            .iter()
            .rev()
            .any(|&id| match &self.model.bodies[id].kind {
                BodyKind::Fn { is_async, .. } => *is_async,
                BodyKind::AsyncBlock | BodyKind::Closure { is_async: true } => true,
                BodyKind::Closure { is_async: false } => false,
            })
    }

    pub(super) fn current_loop(&self) -> Option<LoopSite> {
        self.loops.last().and_then(|loops| loops.last().copied())
    }

    pub(super) fn item_index(&self) -> usize {
        self.scopes.last().copied().unwrap_or(0)
    }

    /// Starts a use scope: a top-level item, or a fn.
    pub(super) fn open_scope(&mut self) {
        self.scopes.push(self.model.item_uses.len());
        self.model.item_uses.push(Vec::new());
        self.model.item_assigns.push(Vec::new());
    }

    pub(super) fn open_body(
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
            locals: Vec::new(),
            bindings: Vec::new(),
            future_assigns: Vec::new(),
            awaits: Vec::new(),
            mutations: Vec::new(),
            loops: Vec::new(),
            returns: Vec::new(),
            runs_blocking: std::mem::take(&mut self.next_closure_blocking),
            runs_inline: std::mem::take(&mut self.next_closure_inline),
        });
        self.bodies.push(id);
        self.loops.push(Vec::new());
        id
    }

    pub(super) fn close_body(&mut self) {
        self.bodies.pop();
        self.loops.pop();
    }

    pub(super) fn in_loop(&mut self, keyword: Span, span: Span, walk: impl FnOnce(&mut Self)) {
        let statement = self.loop_statement.take() == Some(keyword.start);
        let site = LoopSite {
            keyword,
            span,
            statement,
        };
        if let Some(loops) = self.loops.last_mut() {
            loops.push(site);
        }
        if let Some(body) = self.current_body() {
            self.model.bodies[body].loops.push(site);
        }
        walk(self);
        if let Some(loops) = self.loops.last_mut() {
            loops.pop();
        }
    }

    pub(super) fn fn_body(
        &mut self,
        sig: &Signature,
        attrs: &[syn::Attribute],
        is_pub: bool,
        block: Option<&syn::Block>,
        walk: impl FnOnce(&mut Self),
    ) {
        let scope = self
            .places
            .fn_scopes
            .get(&Span::of(&sig.ident).start)
            .copied()
            .unwrap_or(0);
        let body_scope = block
            .and_then(|block| {
                let at = Span::start_of(block.brace_token.span.open());
                self.places.blocks.get(&at).copied()
            })
            .unwrap_or(scope);
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
                crate::knowledge::docs::annotation(attrs, &sig.ident.to_string())
            } else {
                None
            },
            documents_cancel_safety: crate::knowledge::docs::has_section(&docs)
                || crate::knowledge::docs::own_statement(&docs, &sig.ident.to_string()).is_some(),
            scope,
            body_scope,
            owner: self.owners.last().copied().unwrap_or(FnOwner::Free),
            generics: Generics::of(&sig.generics),
            ret: TypeRef::of_return(&sig.output),
        });
        let first_race = self.model.races.len();
        walk(self);
        self.settle_assigned_futures(body, first_race);
        if let Some(Stmt::Expr(tail, None)) = block.and_then(|block| block.stmts.last()) {
            self.note_returned(tail);
        }
        self.close_body();
        self.scopes.pop();
    }

    /// Records what the current fn body gives back, when it is an awaited value or a name.
    pub(super) fn note_returned(&mut self, expr: &Expr) {
        let Some(body) = self.current_body() else {
            return;
        };
        if !matches!(self.model.bodies[body].kind, BodyKind::Fn { .. }) {
            return;
        }
        if let Some(returned) = returned(expr) {
            self.model.bodies[body].returns.push(returned);
        }
    }

    pub(super) fn record_assign(&mut self, target: &Expr) {
        if let Expr::Tuple(tuple) = target {
            for elem in &tuple.elems {
                self.record_assign(elem);
            }
            return;
        }
        let Some(place) = place_of(target) else {
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

    pub(super) fn record_use(&mut self, place: String, span: Span) {
        let index = self.item_index();
        if let Some(uses) = self.model.item_uses.get_mut(index) {
            uses.push(PlaceUse {
                place,
                offset: span.start,
                span,
            });
        }
    }

    /// Notes the names `pat` binds from the `.await` that `expr` ends in (through `?` and
    /// `unwrap`-like calls), so that the await site knows what it produced. An error it reports
    /// (`Err(e) => ..`) is not something it produced.
    pub(super) fn note_binds(&mut self, expr: &Expr, pat: &Pat) {
        let Some(expr) = awaited_value(expr) else {
            return;
        };
        let names = pat_names_outside_errors(pat);
        if names.is_empty() {
            return;
        }
        let start = Span::start_of(first_token(expr));
        match &mut self.pending_binds {
            Some((at, existing)) if *at == start => existing.extend(names),
            _ => self.pending_binds = Some((start, names)),
        }
    }

    /// A `let` binding of the current body: its declared or constructed type, the future its
    /// initialiser creates (in async code, when not awaited), whether it is a growable
    /// collection, and what it borrows.
    pub(super) fn record_local(&mut self, local: &syn::Local) {
        let Some(body) = self.current_body() else {
            return;
        };
        let declared_ref = match &local.pat {
            Pat::Type(typed) => Some(TypeRef::of(&typed.ty)),
            _ => None,
        };
        let init = local.init.as_ref().map(|init| &*init.expr);
        // A local holds a future only when its initialiser is a call that is not awaited, in
        // async code (where futures are raced); other lets need no operation.
        let may_hold_future = self.in_async_body() && init.is_some_and(|expr| !is_awaited(expr));
        let shape = init
            .filter(|_| may_hold_future)
            .map(|expr| future_shape(expr, self.imports));
        // The block is the first body the walk opens in the initialiser.
        let init_block =
            matches!(shape, Some(FutureShape::AsyncBlock)).then(|| self.model.bodies.len());
        let future_of = match &shape {
            Some(FutureShape::Binding(name)) => Some(name.clone()),
            _ => None,
        };
        let op = match shape {
            Some(FutureShape::Call(op)) => Some(*op),
            _ => None,
        };
        let constructed_path = init.and_then(constructed_type);
        let ty_ref = declared_ref.or_else(|| {
            constructed_path.map(|segments| {
                TypeRef::Path(super::super::items::PathRef {
                    segments,
                    args: Vec::new(),
                    bindings: Vec::new(),
                })
            })
        });
        let span = between(local.let_token.span, local.semi_token.span);
        let collection = init.is_some_and(is_collection_init);
        // Only locals computed inside a loop carry data from one await to a buffer.
        let init_names = match (init, self.current_loop()) {
            (Some(expr), Some(_)) => names_in(std::iter::once(expr)),
            _ => Vec::new(),
        };
        let alias_of = init.and_then(alias_root);
        let value = init.and_then(ValueExpr::of);
        let ty_declared = matches!(&local.pat, Pat::Type(_));
        for (name, steps) in pat_bindings(&local.pat) {
            self.model.bodies[body].locals.push(LocalDecl {
                name,
                span,
                ty_ref: ty_ref.clone(),
                ty_declared,
                value: value.clone().map(|value| value.project(steps)),
                init: op.clone(),
                init_block,
                future_of: future_of.clone(),
                collection,
                alias_of: alias_of.clone(),
                init_names: init_names.clone(),
                statement: 0,
                scope_end: self.open_blocks.last().copied().unwrap_or(usize::MAX),
            });
        }
    }
}

impl Collector<'_> {
    /// The names a pattern of an `if let`, `while let`, `match` arm or `for` loop binds (for the
    /// whole of `matched` when `element` is false, for each element when true), in scope in
    /// `live`.
    pub(super) fn record_bindings(&mut self, pat: &Pat, matched: &Expr, element: bool, live: Span) {
        let Some(body) = self.current_body() else {
            return;
        };
        let value = ValueExpr::of(matched);
        let alias_of = alias_root(matched);
        let ty_ref = match pat {
            Pat::Type(typed) => Some(TypeRef::of(&typed.ty)),
            _ => None,
        };
        let span = Span::of(pat);
        for (name, mut steps) in pat_bindings(pat) {
            if element {
                steps.insert(0, super::super::value::Proj::Element);
            }
            self.model.bodies[body].bindings.push(PatternBinding {
                name,
                span,
                live,
                value: value.clone().map(|value| value.project(steps)),
                ty_ref: ty_ref.clone(),
                alias_of: alias_of.clone(),
            });
        }
    }
}

/// Methods that keep an awaited item (possibly converted) in the value they give:
/// `rx.recv().await.ok_or(Closed)?` still holds the message.
const ITEM_KEEPERS: &[&str] = &[
    "unwrap",
    "expect",
    "ok",
    "ok_or",
    "ok_or_else",
    "context",
    "with_context",
    "map_err",
    "map",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "inspect",
    "into",
];

/// The `.await` whose value an expression is, through `?`, the [`ITEM_KEEPERS`], and a `match`
/// one of whose arms gives back what its pattern bound (`match rx.recv().await { Some(v) => v,
/// None => return }`).
pub(super) fn awaited_value(expr: &Expr) -> Option<&Expr> {
    let mut expr = expr;
    for _ in 0..32 {
        match expr {
            Expr::Try(inner) => expr = &inner.expr,
            Expr::Paren(inner) => expr = &inner.expr,
            Expr::MethodCall(call) if ITEM_KEEPERS.contains(&call.method.to_string().as_str()) => {
                expr = &call.receiver
            }
            Expr::Match(matched) => {
                let gives_back = matched.arms.iter().any(|arm| match &*arm.body {
                    Expr::Path(path) => path
                        .path
                        .get_ident()
                        .is_some_and(|ident| pat_names(&arm.pat).contains(&ident.to_string())),
                    _ => false,
                });
                if !gives_back {
                    return None;
                }
                expr = &matched.expr;
            }
            Expr::Await(_) => return Some(expr),
            _ => return None,
        }
    }
    None
}

/// What an expression a fn returns is, for the summaries: the value of an await (through `?`,
/// the [`ITEM_KEEPERS`], `Ok(..)`/`Some(..)`), or a name.
fn returned(expr: &Expr) -> Option<Returned> {
    if let Some(awaited) = awaited_value(expr) {
        return Some(Returned::Await(Span::start_of(first_token(awaited))));
    }
    let mut expr = expr;
    for _ in 0..32 {
        match expr {
            Expr::Try(inner) => expr = &inner.expr,
            Expr::Paren(inner) => expr = &inner.expr,
            Expr::MethodCall(call) if ITEM_KEEPERS.contains(&call.method.to_string().as_str()) => {
                expr = &call.receiver
            }
            Expr::Call(call)
                if call.args.len() == 1
                    && matches!(&*call.func, Expr::Path(path)
                        if path.path.segments.last().is_some_and(|s| s.ident == "Ok" || s.ident == "Some")) =>
            {
                if let Some(awaited) = awaited_value(&call.args[0]) {
                    return Some(Returned::Await(Span::start_of(first_token(awaited))));
                }
                expr = &call.args[0];
            }
            Expr::Path(path) => {
                return path
                    .path
                    .get_ident()
                    .map(|ident| Returned::Name(ident.to_string()))
            }
            _ => return None,
        }
    }
    None
}

/// The root of the place a value borrows: `&mut self.state`, `self.conn.as_mut()`,
/// `self.peers.get_mut(&id)`, `conns.iter_mut()`, `self.halves.as_mut().expect(..)`.
pub(super) fn alias_root(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Reference(reference) => alias_root(&reference.expr),
        Expr::Paren(inner) => alias_root(&inner.expr),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => alias_root(&unary.expr),
        Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "as_mut"
                    | "as_ref"
                    | "as_deref_mut"
                    | "get_mut"
                    | "get"
                    | "iter_mut"
                    | "iter"
                    | "values_mut"
                    | "first_mut"
                    | "last_mut"
                    | "unwrap"
                    | "expect"
                    | "borrow_mut"
                    | "deref_mut"
                    | "by_ref"
            ) =>
        {
            alias_root(&call.receiver)
        }
        // A guard of a lock in a shared place (`self.socket.lock().await`) reaches that place.
        Expr::Await(awaited) => match &*awaited.base {
            Expr::MethodCall(call)
                if matches!(
                    call.method.to_string().as_str(),
                    "lock" | "read" | "write" | "lock_owned" | "read_owned" | "write_owned"
                ) =>
            {
                alias_root(&call.receiver)
            }
            _ => None,
        },
        Expr::Path(_) | Expr::Field(_) => place_of(expr).map(|place| place.root().to_string()),
        _ => None,
    }
}

/// The parameters of a fn signature, and whether it takes `self` by reference (`&self`,
/// `self: Pin<&mut Self>`, `self: &Arc<Self>`).
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
                        is_mut_ref,
                        shared,
                        is_ref,
                        ty_ref: Some(TypeRef::of(&typed.ty)),
                        value: None,
                    });
                }
            }
        }
    }
    (params, self_by_ref)
}

/// The parameters of a closure: each name, with its declared type when written.
pub(super) fn closure_params(expr: &syn::ExprClosure) -> Vec<Param> {
    expr.inputs
        .iter()
        .flat_map(|pat| {
            pat_names(pat).into_iter().map(move |name| Param {
                name,
                is_mut_ref: false,
                shared: true,
                is_ref: false,
                ty_ref: match pat {
                    Pat::Type(typed) => Some(TypeRef::of(&typed.ty)),
                    _ => None,
                },
                value: None,
            })
        })
        .collect()
}

/// `event_listener::listener!(event => name);` as the `let` it expands to:
/// `let mut name = event.listen();` (the macro's last statement binds a listener registered on
/// `event`; the stack slot it goes through makes no difference to what can be lost), spanned
/// over the macro call so that a loop or race around it sees where the listener is created.
pub(super) fn listener_local(
    mac: &syn::Macro,
    imports: &super::super::imports::Imports,
) -> Option<syn::Local> {
    if imports.expand(&super::super::imports::path_segments(&mac.path))
        != "event_listener::listener"
    {
        return None;
    }
    let syn::MacroDelimiter::Paren(paren) = &mac.delimiter else {
        return None;
    };
    let (event, arrow, name) = mac
        .parse_body_with(|input: syn::parse::ParseStream| {
            let event: Expr = input.parse()?;
            let arrow: syn::Token![=>] = input.parse()?;
            let name: syn::Ident = input.parse()?;
            Ok((event, arrow, name))
        })
        .ok()?;
    let start = mac.path.segments.first()?.ident.span();
    let end = paren.span.close();
    let listen = Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(event),
        dot_token: syn::Token![.](arrow.spans[0]),
        method: syn::Ident::new("listen", name.span()),
        turbofish: None,
        paren_token: syn::token::Paren(end),
        args: syn::punctuated::Punctuated::new(),
    });
    Some(syn::Local {
        attrs: Vec::new(),
        let_token: syn::Token![let](start),
        modifiers: syn::LocalModifiers::default(),
        pat: Pat::Ident(syn::PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: Some(syn::Token![mut](name.span())),
            ident: name,
            subpat: None,
        }),
        init: Some(syn::LocalInit {
            eq_token: syn::Token![=](arrow.spans[0]),
            expr: Box::new(listen),
            diverge: None,
        }),
        semi_token: syn::Token![;](end),
    })
}
