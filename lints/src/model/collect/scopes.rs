//! Scopes, recognised during the main walk: bodies (fns, async blocks, closures) with their
//! parameters, loops, `let` bindings, and the places each use scope reads and assigns.

use syn::{Expr, FnArg, Pat, Signature, Type};

use super::super::operation::place_of;
use super::super::operation::{future_shape, FutureShape};
use super::super::{Body, BodyId, BodyKind, FnItem, LocalDecl, LoopSite, Param, PlaceUse};
use super::Collector;
use crate::span::Span;
use crate::syntax::{
    between, constructed_type, first_token, is_awaited, is_collection_init, is_shared_type,
    names_in, pat_names, returns_impl_future, type_name,
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

    pub(super) fn close_body(&mut self) {
        self.bodies.pop();
        self.loops.pop();
    }

    pub(super) fn in_loop(&mut self, keyword: Span, span: Span, walk: impl FnOnce(&mut Self)) {
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

    pub(super) fn fn_body(
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
                crate::knowledge::docs::annotation(attrs, &sig.ident.to_string())
            } else {
                None
            },
            documents_cancel_safety: crate::knowledge::docs::has_section(&docs)
                || crate::knowledge::docs::own_statement(&docs, &sig.ident.to_string()).is_some(),
        });
        walk(self);
        self.close_body();
        self.scopes.pop();
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
    /// `unwrap`-like calls), so that the await site knows what it produced.
    pub(super) fn note_binds(&mut self, expr: &Expr, pat: &Pat) {
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

    /// A `let` binding of the current body: its declared or constructed type, the future its
    /// initialiser creates (in async code, when not awaited), whether it is a growable
    /// collection, and what it borrows.
    pub(super) fn record_local(&mut self, local: &syn::Local) {
        let Some(body) = self.current_body() else {
            return;
        };
        let declared = match &local.pat {
            Pat::Type(typed) => type_name(&typed.ty),
            _ => None,
        };
        let init = local.init.as_ref().map(|init| &*init.expr);
        // A local holds a future only when its initialiser is a call that is not awaited, in
        // async code (where futures are raced); other lets need no operation.
        let may_hold_future = self.in_async_body() && init.is_some_and(|expr| !is_awaited(expr));
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
            (Some(expr), Some(_)) => names_in(std::iter::once(expr)),
            _ => Vec::new(),
        };
        let alias_of = init.and_then(|expr| match expr {
            Expr::Reference(reference) => {
                place_of(&reference.expr).map(|place| place.root().to_string())
            }
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

/// The parameters of a closure: each name, with its declared type when written.
pub(super) fn closure_params(expr: &syn::ExprClosure) -> Vec<Param> {
    expr.inputs
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
        .collect()
}
