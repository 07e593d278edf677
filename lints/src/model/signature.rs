//! Public signatures that hand out futures without promising `Send`: `async fn` and
//! `-> impl Future` in a pub trait, `Pin<Box<dyn Future>>` anywhere public. Purely syntactic.

use syn::visit::{self, Visit};
use syn::{Attribute, ReturnType, Type, TypeParamBound, Visibility};

use crate::span::Span;

/// What kind of signature leaves `Send` out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendGap {
    /// `async fn` in a `pub trait`.
    AsyncFnInPubTrait { trait_name: String },
    /// `-> impl Future<..>` without `+ Send`.
    ImplFuture,
    /// `Pin<Box<dyn Future<..>>>` without `+ Send`, in a return type or a type alias.
    BoxedDynFuture,
}

/// A public signature whose future is not required to be `Send`.
#[derive(Debug, Clone)]
pub struct MissingSend {
    pub gap: SendGap,
    /// The function or type alias name.
    pub name: String,
    pub name_span: Span,
    /// The return type or aliased type (absent for `async fn`).
    pub type_span: Option<Span>,
}

/// Finds the public signatures of a file that leave `Send` out. `text` is the file's source, to
/// see whether a body visibly uses `!Send` values (then leaving `Send` out is deliberate).
pub fn missing_send(file: &syn::File, text: &str) -> Vec<MissingSend> {
    let mut finder = Finder {
        text,
        found: Vec::new(),
        in_pub_trait: None,
    };
    finder.visit_file(file);
    finder.found
}

struct Finder<'t> {
    text: &'t str,
    found: Vec<MissingSend>,
    /// The name of the `pub trait` being walked, unless it is marked single-threaded.
    in_pub_trait: Option<String>,
}

/// `#[allow(async_fn_in_trait)]`, or any attribute macro (`#[async_trait(?Send)]`,
/// `#[trait_variant::make(..)]`, `#[tarpc::service]`): the author, or the macro, decides what the
/// futures are, and the code as written is not what compiles.
fn send_is_decided(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let last = attr
            .path()
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        let tokens = match &attr.meta {
            syn::Meta::List(list) if last == "allow" => list.tokens.to_string(),
            _ => String::new(),
        };
        let builtin = matches!(
            last.as_str(),
            "doc"
                | "allow"
                | "warn"
                | "deny"
                | "expect"
                | "cfg"
                | "cfg_attr"
                | "must_use"
                | "deprecated"
                | "inline"
        );
        !builtin || (last == "allow" && tokens.contains("async_fn_in_trait"))
    })
}

/// A quick test before the attribute check: does the signature return a boxed `dyn Future`?
fn returns_boxed_future(sig: &syn::Signature) -> bool {
    matches!(&sig.output, ReturnType::Type(_, ty) if is_boxed_dyn_future_without_send(ty))
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn bounds_future_without_send(
    bounds: &syn::punctuated::Punctuated<TypeParamBound, syn::Token![+]>,
) -> bool {
    let names: Vec<String> = bounds
        .iter()
        .filter_map(|bound| match bound {
            TypeParamBound::Trait(trait_bound) => trait_bound
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string()),
            _ => None,
        })
        .collect();
    names.iter().any(|name| name == "Future") && !names.iter().any(|name| name == "Send")
}

/// `Pin<Box<dyn Future<..>>>` (or `Box<dyn Future>`) without `Send`.
fn is_boxed_dyn_future_without_send(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident != "Pin" && last.ident != "Box" {
                return false;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            args.args.iter().any(|arg| match arg {
                syn::GenericArgument::Type(Type::TraitObject(object)) => {
                    bounds_future_without_send(&object.bounds)
                }
                syn::GenericArgument::Type(inner) => is_boxed_dyn_future_without_send(inner),
                _ => false,
            })
        }
        Type::Paren(inner) => is_boxed_dyn_future_without_send(&inner.elem),
        _ => false,
    }
}

impl Finder<'_> {
    /// Whether the item's source visibly uses `!Send` values: then a `!Send` future is intended.
    fn uses_non_send(&self, span: Span) -> bool {
        let source = self.text.get(span.start..span.end).unwrap_or_default();
        [
            "Rc<",
            "Rc::",
            "RefCell",
            "Cell<",
            "spawn_local",
            "LocalSet",
            "*const ",
            "*mut ",
        ]
        .iter()
        .any(|marker| source.contains(marker))
    }

    /// `in_trait`: a trait method, where `impl Future` hides `Send` from callers. A free fn's or
    /// inherent method's `impl Future` leaks its auto traits: callers see `Send` when the body is.
    fn check_signature(&mut self, sig: &syn::Signature, item_span: Span, in_trait: bool) {
        let ReturnType::Type(_, ty) = &sig.output else {
            return;
        };
        let gap = match &**ty {
            Type::ImplTrait(imp) if in_trait && bounds_future_without_send(&imp.bounds) => {
                SendGap::ImplFuture
            }
            other if is_boxed_dyn_future_without_send(other) => SendGap::BoxedDynFuture,
            _ => return,
        };
        if self.uses_non_send(item_span) {
            return;
        }
        self.found.push(MissingSend {
            gap,
            name: sig.ident.to_string(),
            name_span: Span::of(&sig.ident),
            type_span: Some(Span::of(&**ty)),
        });
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    // Signatures only: expressions and blocks (const initialisers, fn bodies) are skipped.
    fn visit_expr(&mut self, _: &'ast syn::Expr) {}

    fn visit_block(&mut self, _: &'ast syn::Block) {}

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if !is_pub(&item.vis) || send_is_decided(&item.attrs) {
            return;
        }
        let outer = self.in_pub_trait.replace(item.ident.to_string());
        visit::visit_item_trait(self, item);
        self.in_pub_trait = outer;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let Some(trait_name) = self.in_pub_trait.clone() else {
            return;
        };
        if item.sig.asyncness.is_some() {
            if !self.uses_non_send(Span::of(item)) {
                self.found.push(MissingSend {
                    gap: SendGap::AsyncFnInPubTrait { trait_name },
                    name: item.sig.ident.to_string(),
                    name_span: Span::of(&item.sig.ident),
                    type_span: None,
                });
            }
        } else {
            self.check_signature(&item.sig, Span::of(item), true);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if is_pub(&item.vis) && returns_boxed_future(&item.sig) && !send_is_decided(&item.attrs) {
            self.check_signature(&item.sig, Span::of(item), false);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        // Trait impls follow their trait's signature; only inherent methods are checked.
        if item.trait_.is_none() {
            visit::visit_item_impl(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if is_pub(&item.vis) && returns_boxed_future(&item.sig) && !send_is_decided(&item.attrs) {
            self.check_signature(&item.sig, Span::of(item), false);
        }
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        if is_pub(&item.vis)
            && is_boxed_dyn_future_without_send(&item.ty)
            && !self.uses_non_send(Span::of(item))
        {
            self.found.push(MissingSend {
                gap: SendGap::BoxedDynFuture,
                name: item.ident.to_string(),
                name_span: Span::of(&item.ident),
                type_span: Some(Span::of(&*item.ty)),
            });
        }
    }
}
