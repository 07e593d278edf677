//! Calls the main walk records besides races: `block_on` sites, closures that run where blocking
//! is allowed (`spawn_blocking`, thread spawns) or inline (iterator and `Option` adapters),
//! spawns whose `JoinHandle` is dropped at once, and locals filled by calls (`buf.push(x)`,
//! `&mut buf` passed on).

use syn::Expr;

use super::super::imports::path_segments;
use super::super::names::{
    BLOCKING_CONTEXT_FNS, BLOCKING_CONTEXT_METHODS, BLOCK_ON_FNS, INLINE_CLOSURE_METHODS, MUTATORS,
    SPAWN_FNS, TRACKED_METHODS,
};
use super::super::operation::place_of;
use super::super::value::{Proj, ValueExpr};
use super::super::{BlockOnSite, DetachedSpawn, Mutation};
use super::Collector;
use crate::span::Span;
use crate::syntax::{is_closure, names_in};

impl Collector<'_> {
    /// A call through a path that blocks on a future (`futures::executor::block_on(..)`), or
    /// whose closure argument runs where blocking is allowed (`spawn_blocking(|| ..)`).
    pub(super) fn note_call_context(&mut self, call: &syn::ExprCall, func: &syn::ExprPath) {
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
                    receiver: None,
                });
            }
        }
    }

    /// What a method call tells besides races: where its closure argument runs, a
    /// `rt.block_on(..)`, a method whose presence changes a verdict, a collection it fills.
    pub(super) fn note_method_call(&mut self, call: &syn::ExprMethodCall) {
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
                self.next_closure_element = ValueExpr::of(&call.receiver)
                    .map(|receiver| receiver.project(vec![Proj::Element]));
            }
        }
        if call.method == "block_on" && call.args.len() == 1 {
            if let Some(body) = self.current_body() {
                let receiver =
                    place_of(&call.receiver).map_or_else(|| "..".to_string(), |place| place.text);
                self.model.block_on_calls.push(BlockOnSite {
                    span: Span::of(call),
                    body,
                    callee: format!("{receiver}.block_on"),
                    receiver: ValueExpr::of(&call.receiver),
                });
            }
        }
        if let Some(tracked) = TRACKED_METHODS.iter().find(|name| call.method == name) {
            self.model.called_methods.insert((*tracked).to_string());
        }
        if MUTATORS.iter().any(|name| call.method == name) {
            if let Expr::Path(path) = &*call.receiver {
                if let Some(ident) = path.path.get_ident() {
                    let arg_names = names_in(call.args.iter());
                    self.record_mutation(ident.to_string(), Span::of(call), arg_names, false);
                }
            }
        }
        for arg in &call.args {
            self.record_mut_borrow(arg);
        }
    }

    /// Records `expr` when it is a `tokio::spawn(..)` whose handle is about to be dropped: a
    /// statement of its own, or bound to the `_` at `wild`.
    pub(super) fn note_detached_spawn(&mut self, expr: &Expr, wild: Option<Span>) {
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
                wild,
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
    pub(super) fn record_mut_borrow(&mut self, arg: &Expr) {
        if let Expr::Reference(reference) = arg {
            if reference.mutability.is_some() {
                let (target, indexed) = match &*reference.expr {
                    Expr::Index(index) => (&*index.expr, true),
                    other => (other, false),
                };
                match target {
                    Expr::Path(path) => {
                        if let Some(ident) = path.path.get_ident() {
                            self.record_mutation(
                                ident.to_string(),
                                Span::of(arg),
                                Vec::new(),
                                indexed,
                            );
                        }
                    }
                    // `&mut self.buf`: state kept in the receiver.
                    Expr::Field(_) => {
                        if let Some(place) = place_of(target).filter(|p| p.is_self_field()) {
                            self.record_mutation(place.text, Span::of(arg), Vec::new(), indexed);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
