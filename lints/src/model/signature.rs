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
    /// The trait whose method it is, for a trait method.
    pub in_trait: Option<String>,
    /// The type of the inherent `impl` whose method it is (its last path segment).
    pub in_impl: Option<String>,
    /// The other bounds of the returned `impl Future<..> + X` or `dyn Future<..> + X`, as
    /// written (`SendOutsideWasm`, `crate::sync::MaybeSend`): one of them may be a trait with
    /// `Send` among its supertraits, which the workspace resolves.
    pub other_bounds: Vec<String>,
    /// The inline `mod` blocks around the item in this file, outermost first: a `pub trait`
    /// inside a private module is not reachable unless it is re-exported.
    pub modules: Vec<EnclosingModule>,
    /// Where ` + Send` goes: the end of the last bound of the `impl Future<..>` or
    /// `dyn Future<..>` (absent for `async fn`).
    pub send_at: Option<usize>,
    /// For an `async fn`: what writing it as `fn .. -> impl Future<..> + Send` changes.
    pub desugar: Option<AsyncSignature>,
    /// A type alias (`pub type Job = Pin<Box<dyn Future<..>>>`), not a signature.
    pub alias: bool,
}

/// The parts of an `async fn` signature that change when it is written as a fn returning
/// `impl Future<Output = ..> + Send`.
#[derive(Debug, Clone)]
pub struct AsyncSignature {
    /// The `async` keyword and the space after it, up to `fn` (`async unsafe fn`: up to
    /// `unsafe`).
    pub async_keyword: Span,
    /// The return type, or where `-> ..` goes when there is none (an empty span after the
    /// parameters' `)`).
    pub output: Span,
    /// Whether `output` is a written return type.
    pub has_output: bool,
    /// The method has a provided body (which would become an `async move` block).
    pub provided: bool,
}

/// An inline module around a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnclosingModule {
    pub name: String,
    /// Declared `pub` (not `pub(crate)` or `pub(super)`).
    pub is_pub: bool,
}

/// Where a file allows rustc's `async_fn_in_trait` for other files of its crate, as rustc's lint
/// levels flow down the module tree: the whole file (its inner attributes) covers its submodule
/// files, and a `mod name;` declaration under the allow covers that module's files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InheritedAllows {
    /// The file's inner attributes allow it.
    pub whole_file: bool,
    /// The `mod name;` declarations the allow covers, as module paths relative to the file's
    /// own module (`["variants", "disk"]` for a `mod disk;` inside an inline `mod variants`).
    pub module_declarations: Vec<Vec<String>>,
}

impl InheritedAllows {
    /// Whether these allows, found in the file of module `declaring`, cover the file of module
    /// `module` (another file of the same crate).
    pub fn cover(&self, declaring: &[String], module: &[String]) -> bool {
        if !module.starts_with(declaring) || module.len() == declaring.len() {
            return false;
        }
        self.whole_file
            || self
                .module_declarations
                .iter()
                .any(|inner| module[declaring.len()..].starts_with(inner))
    }
}

/// The allows of rustc's `async_fn_in_trait` in a file that reach other files.
pub fn inherited_allows(file: &syn::File) -> InheritedAllows {
    fn walk(
        items: &[syn::Item],
        path: &mut Vec<String>,
        allowed: bool,
        found: &mut InheritedAllows,
    ) {
        for item in items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let allowed = allowed || allows_async_fn_in_trait(&module.attrs);
            path.push(module.ident.to_string());
            match &module.content {
                Some((_, inner)) => walk(inner, path, allowed, found),
                None if allowed => found.module_declarations.push(path.clone()),
                None => {}
            }
            path.pop();
        }
    }
    let mut found = InheritedAllows {
        whole_file: allows_async_fn_in_trait(&file.attrs),
        module_declarations: Vec::new(),
    };
    if !found.whole_file {
        walk(&file.items, &mut Vec::new(), false, &mut found);
    }
    found
}

/// Finds the public signatures of a file that leave `Send` out. `text` is the file's source, to
/// see whether a body visibly uses `!Send` values (then leaving `Send` out is deliberate).
pub fn missing_send(file: &syn::File, text: &str) -> Vec<MissingSend> {
    let mut finder = Finder {
        text,
        found: Vec::new(),
        in_pub_trait: None,
        in_impl: None,
        modules: Vec::new(),
        answered: false,
        single_threaded: false,
    };
    // The file's inner attributes (`#![allow(async_fn_in_trait)]`, `#![cfg(target_family =
    // "wasm")]`) cover all of it.
    finder.answered = allows_async_fn_in_trait(&file.attrs);
    finder.single_threaded = only_single_threaded(&file.attrs);
    finder.visit_file(file);
    finder.found
}

struct Finder<'t> {
    text: &'t str,
    found: Vec<MissingSend>,
    /// The name of the `pub trait` being walked, unless it is marked single-threaded.
    in_pub_trait: Option<String>,
    /// The self type of the inherent impl being walked.
    in_impl: Option<String>,
    /// The inline modules around the walk, outermost first.
    modules: Vec<EnclosingModule>,
    /// An enclosing item (or the file) allows rustc's `async_fn_in_trait`: the author answered
    /// the `Send` question for the trait methods inside it.
    answered: bool,
    /// An enclosing item (or the file) exists only on single-threaded targets (wasm).
    single_threaded: bool,
}

/// The attributes that apply on some build: each attribute, and those a `cfg_attr(<predicate>,
/// ..)` applies when its predicate holds (nested `cfg_attr`s too).
fn effective_attributes(attrs: &[Attribute]) -> Vec<syn::Meta> {
    let mut found = Vec::new();
    for attr in attrs {
        push_effective(attr.meta.clone(), &mut found, 0);
    }
    found
}

fn push_effective(meta: syn::Meta, found: &mut Vec<syn::Meta>, depth: usize) {
    let syn::Meta::List(list) = &meta else {
        found.push(meta);
        return;
    };
    if !list.path.is_ident("cfg_attr") || depth > 8 {
        found.push(meta);
        return;
    }
    let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
    let Ok(parts) = syn::parse::Parser::parse2(parser, list.tokens.clone()) else {
        return;
    };
    // The first part is the predicate; the rest are the attributes it applies.
    for inner in parts.into_iter().skip(1) {
        push_effective(inner, found, depth + 1);
    }
}

/// The last segment of an attribute's path.
fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default()
}

/// Attributes of the language and of tools (`rustfmt::skip`, `clippy::..`, `diagnostic::..`):
/// they leave the item as written.
fn is_builtin(path: &syn::Path) -> bool {
    let first = path
        .segments
        .first()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default();
    if path.segments.len() > 1 {
        return matches!(
            first.as_str(),
            "rustfmt" | "clippy" | "diagnostic" | "rustdoc"
        );
    }
    matches!(
        first.as_str(),
        "doc"
            | "allow"
            | "warn"
            | "deny"
            | "forbid"
            | "expect"
            | "cfg"
            | "cfg_attr"
            | "must_use"
            | "deprecated"
            | "inline"
            | "cold"
            | "track_caller"
            | "non_exhaustive"
            | "automatically_derived"
            | "doc_cfg"
            | "rustc_diagnostic_item"
            | "unsafe"
    )
}

/// Attribute macros known to keep the trait as written (they add a mock, a delegation or an
/// enum dispatcher next to it): the trait's futures are still what the source says.
const PASS_THROUGH_MACROS: &[&str] = &[
    "automock",
    "enum_dispatch",
    "delegatable_trait",
    "auto_impl",
    "dynosaur",
];

/// Whether the attributes, directly or through `cfg_attr`, settle what the futures are: an
/// attribute macro rewrites the item (`#[async_trait]`, which boxes `Send` futures;
/// `#[async_trait(?Send)]`, a deliberate opt-out; `#[trait_variant::make(..)]`; jsonrpsee's
/// `#[rpc(server, client)]`; `#[tarpc::service]`), so the code as written is not what
/// compiles, or the author allows rustc's `async_fn_in_trait`.
fn send_is_decided(attrs: &[Attribute]) -> bool {
    allows_async_fn_in_trait(attrs)
        || effective_attributes(attrs).iter().any(|meta| {
            let path = meta.path();
            !is_builtin(path) && !PASS_THROUGH_MACROS.contains(&last_segment(path).as_str())
        })
}

/// `#[allow(async_fn_in_trait)]` or `#[expect(async_fn_in_trait)]`, directly or through
/// `cfg_attr`.
fn allows_async_fn_in_trait(attrs: &[Attribute]) -> bool {
    effective_attributes(attrs).iter().any(|meta| match meta {
        syn::Meta::List(list)
            if list.path.is_ident("allow") || list.path.is_ident("expect") =>
        {
            list.tokens
                .clone()
                .into_iter()
                .any(|token| matches!(&token, proc_macro2::TokenTree::Ident(ident) if ident == "async_fn_in_trait"))
        }
        _ => false,
    })
}

/// `#[cfg(..)]` whose predicate holds only on single-threaded targets: `target_family =
/// "wasm"`, `target_arch = "wasm32"`/`"wasm64"`, `target_os = "wasi"`, or an `all(..)` that
/// requires one of them, or an `any(..)` all of whose alternatives do.
fn only_single_threaded(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|predicate| requires_single_threaded(&predicate))
    })
}

fn requires_single_threaded(predicate: &syn::Meta) -> bool {
    match predicate {
        syn::Meta::NameValue(pair) => {
            let value = match &pair.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => text.value(),
                _ => return false,
            };
            let key = last_segment(&pair.path);
            matches!(
                (key.as_str(), value.as_str()),
                ("target_family", "wasm")
                    | ("target_arch", "wasm32" | "wasm64")
                    | ("target_os", "wasi")
            )
        }
        syn::Meta::List(list) => {
            let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
            let Ok(parts) = syn::parse::Parser::parse2(parser, list.tokens.clone()) else {
                return false;
            };
            if list.path.is_ident("all") {
                parts.iter().any(requires_single_threaded)
            } else if list.path.is_ident("any") {
                !parts.is_empty() && parts.iter().all(requires_single_threaded)
            } else {
                false
            }
        }
        syn::Meta::Path(_) => false,
    }
}

/// The bounds other than `Future` (and lifetimes), as written without spaces.
fn other_bounds(
    bounds: &syn::punctuated::Punctuated<TypeParamBound, syn::Token![+]>,
) -> Vec<String> {
    bounds
        .iter()
        .filter_map(|bound| match bound {
            TypeParamBound::Trait(trait_bound)
                if trait_bound
                    .path
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident != "Future") =>
            {
                let text = quote::ToTokens::to_token_stream(&trait_bound.path).to_string();
                Some(text.replace(' ', ""))
            }
            _ => None,
        })
        .collect()
}

/// The bounds next to `Future` in a `Pin<Box<dyn Future<..> + X>>`.
fn boxed_future_bounds(ty: &Type) -> Vec<String> {
    match ty {
        Type::Path(path) => {
            let Some(syn::PathArguments::AngleBracketed(args)) =
                path.path.segments.last().map(|last| &last.arguments)
            else {
                return Vec::new();
            };
            args.args
                .iter()
                .find_map(|arg| match arg {
                    syn::GenericArgument::Type(Type::TraitObject(object)) => {
                        Some(other_bounds(&object.bounds))
                    }
                    syn::GenericArgument::Type(inner) => {
                        let found = boxed_future_bounds(inner);
                        (!found.is_empty()).then_some(found)
                    }
                    _ => None,
                })
                .unwrap_or_default()
        }
        Type::Paren(inner) => boxed_future_bounds(&inner.elem),
        _ => Vec::new(),
    }
}

/// The end of the `dyn Future<..> + ..` bounds in a `Pin<Box<dyn Future<..>>>`: where another
/// bound goes.
fn boxed_future_end(ty: &Type) -> Option<usize> {
    match ty {
        Type::Path(path) => {
            let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments
            else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::Type(Type::TraitObject(object)) => {
                    object.bounds.last().map(|bound| Span::of(bound).end)
                }
                syn::GenericArgument::Type(inner) => boxed_future_end(inner),
                _ => None,
            })
        }
        Type::Paren(inner) => boxed_future_end(&inner.elem),
        _ => None,
    }
}

/// Where the parts of an `async fn` signature are.
fn async_signature(sig: &syn::Signature, provided: bool) -> AsyncSignature {
    let start = sig.asyncness.map_or(0, |token| Span::start_of(token.span));
    let next = match (&sig.safety, &sig.abi) {
        (syn::Safety::Unsafe(token), _) => Span::start_of(token.span),
        (syn::Safety::Safe(token), _) => Span::start_of(token.span),
        (syn::Safety::Default, Some(abi)) => Span::of(abi).start,
        (syn::Safety::Default, None) => Span::start_of(sig.fn_token.span),
    };
    let (output, has_output) = match &sig.output {
        ReturnType::Type(_, ty) => (Span::of(&**ty), true),
        ReturnType::Default => {
            let after = Span::from_pm2(sig.paren_token.span.close()).end;
            (
                Span {
                    start: after,
                    end: after,
                    ..Span::default()
                },
                false,
            )
        }
    };
    AsyncSignature {
        async_keyword: Span {
            start,
            end: next.max(start),
            ..Span::default()
        },
        output,
        has_output,
        provided,
    }
}

/// A name that says the future is single-threaded on purpose: `LocalBoxFuture`, `BoxedLocal`,
/// `boxed_local`, `spawn_local_task`.
fn named_local(name: &str) -> bool {
    name.to_ascii_lowercase().contains("local")
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
        if self.uses_non_send(item_span) || named_local(&sig.ident.to_string()) {
            return;
        }
        let other_bounds = match &**ty {
            Type::ImplTrait(imp) => other_bounds(&imp.bounds),
            other => boxed_future_bounds(other),
        };
        let send_at = match &**ty {
            Type::ImplTrait(imp) => Some(Span::of(imp).end),
            other => boxed_future_end(other),
        };
        self.found.push(MissingSend {
            gap,
            name: sig.ident.to_string(),
            name_span: Span::of(&sig.ident),
            type_span: Some(Span::of(&**ty)),
            in_trait: in_trait.then(|| self.in_pub_trait.clone()).flatten(),
            in_impl: (!in_trait).then(|| self.in_impl.clone()).flatten(),
            other_bounds,
            modules: self.modules.clone(),
            send_at,
            desugar: None,
            alias: false,
        });
    }

    /// Walks an item with the facts its attributes add for everything inside it.
    fn within(&mut self, attrs: &[Attribute], walk: impl FnOnce(&mut Self)) {
        let outer = (self.answered, self.single_threaded);
        self.answered |= allows_async_fn_in_trait(attrs);
        self.single_threaded |= only_single_threaded(attrs);
        walk(self);
        (self.answered, self.single_threaded) = outer;
    }

    /// Whether an item's own attributes, or an enclosing item's, settle its futures.
    fn decided(&self, attrs: &[Attribute]) -> bool {
        self.single_threaded || only_single_threaded(attrs) || send_is_decided(attrs)
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    // Signatures only: expressions and blocks (const initialisers, fn bodies) are skipped.
    fn visit_expr(&mut self, _: &'ast syn::Expr) {}

    fn visit_block(&mut self, _: &'ast syn::Block) {}

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.modules.push(EnclosingModule {
            name: item.ident.to_string(),
            is_pub: is_pub(&item.vis),
        });
        self.within(&item.attrs, |this| visit::visit_item_mod(this, item));
        self.modules.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if !is_pub(&item.vis) || self.decided(&item.attrs) {
            return;
        }
        let outer = self.in_pub_trait.replace(item.ident.to_string());
        self.within(&item.attrs, |this| visit::visit_item_trait(this, item));
        self.in_pub_trait = outer;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let Some(trait_name) = self.in_pub_trait.clone() else {
            return;
        };
        if self.answered || self.decided(&item.attrs) {
            return;
        }
        if item.sig.asyncness.is_some() {
            if !self.uses_non_send(Span::of(item)) {
                self.found.push(MissingSend {
                    gap: SendGap::AsyncFnInPubTrait {
                        trait_name: trait_name.clone(),
                    },
                    name: item.sig.ident.to_string(),
                    name_span: Span::of(&item.sig.ident),
                    type_span: None,
                    in_trait: Some(trait_name),
                    in_impl: None,
                    other_bounds: Vec::new(),
                    modules: self.modules.clone(),
                    send_at: None,
                    desugar: Some(async_signature(&item.sig, item.default.is_some())),
                    alias: false,
                });
            }
        } else {
            self.check_signature(&item.sig, Span::of(item), true);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if is_pub(&item.vis) && returns_boxed_future(&item.sig) && !self.decided(&item.attrs) {
            self.check_signature(&item.sig, Span::of(item), false);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        // Trait impls follow their trait's signature; only inherent methods are checked.
        if item.trait_.is_none() && !self.decided(&item.attrs) {
            let self_type = match &*item.self_ty {
                syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let outer = std::mem::replace(&mut self.in_impl, self_type);
            self.within(&item.attrs, |this| visit::visit_item_impl(this, item));
            self.in_impl = outer;
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if is_pub(&item.vis) && returns_boxed_future(&item.sig) && !self.decided(&item.attrs) {
            self.check_signature(&item.sig, Span::of(item), false);
        }
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        if is_pub(&item.vis)
            && is_boxed_dyn_future_without_send(&item.ty)
            && !self.decided(&item.attrs)
            && !named_local(&item.ident.to_string())
            && !self.uses_non_send(Span::of(item))
        {
            self.found.push(MissingSend {
                gap: SendGap::BoxedDynFuture,
                name: item.ident.to_string(),
                name_span: Span::of(&item.ident),
                type_span: Some(Span::of(&*item.ty)),
                in_trait: None,
                in_impl: None,
                other_bounds: boxed_future_bounds(&item.ty),
                modules: self.modules.clone(),
                send_at: boxed_future_end(&item.ty),
                desugar: None,
                alias: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<MissingSend> {
        let file = syn::parse_file(text).expect("test source parses");
        missing_send(&file, text)
    }

    #[test]
    fn records_the_other_bounds_and_the_enclosing_modules() {
        let found = found(
            "mod private { pub mod api { pub trait Room { \
             fn latest(&self) -> impl std::future::Future<Output = u8> + crate::SendOutsideWasm + 'static; \
             async fn name(&self) -> String; } } }",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].other_bounds, ["crate::SendOutsideWasm"]);
        assert_eq!(found[0].in_trait.as_deref(), Some("Room"));
        assert_eq!(
            found[0].modules,
            [
                EnclosingModule {
                    name: "private".to_string(),
                    is_pub: false
                },
                EnclosingModule {
                    name: "api".to_string(),
                    is_pub: true
                },
            ]
        );
        assert!(found[1].other_bounds.is_empty());
        let boxed =
            self::found("pub type F = Pin<Box<dyn Future<Output = ()> + MaybeSend + 'static>>;");
        assert_eq!(boxed[0].other_bounds, ["MaybeSend"]);
        assert_eq!(boxed[0].in_trait, None);
    }

    #[test]
    fn cfg_predicates_that_hold_only_on_single_threaded_targets() {
        let only = |predicate: &str| {
            let meta: syn::Meta = syn::parse_str(predicate).unwrap();
            requires_single_threaded(&meta)
        };
        assert!(only("target_family = \"wasm\""));
        assert!(only("target_arch = \"wasm32\""));
        assert!(only(
            "all(target_arch = \"wasm32\", not(target_os = \"wasi\"))"
        ));
        assert!(only(
            "any(target_arch = \"wasm32\", target_arch = \"wasm64\")"
        ));
        assert!(!only("not(target_family = \"wasm\")"));
        assert!(!only("any(target_arch = \"wasm32\", unix)"));
        assert!(!only("any()"));
        assert!(!only("feature = \"wasm\""));
    }

    #[test]
    fn attribute_macros_decide_through_cfg_attr_but_lint_levels_do_not() {
        let decided = |attrs: &str| {
            let file =
                syn::parse_file(&format!("{attrs} pub trait T {{ async fn f(&self); }}")).unwrap();
            let syn::Item::Trait(item) = &file.items[0] else {
                unreachable!()
            };
            send_is_decided(&item.attrs)
        };
        assert!(decided(
            "#[cfg_attr(not(target_family = \"wasm\"), async_trait)]"
        ));
        assert!(decided(
            "#[cfg_attr(feature = \"client\", rpc(server, client, namespace = \"eth\"))]"
        ));
        assert!(decided(
            "#[cfg_attr(all(), cfg_attr(unix, async_trait::async_trait(?Send)))]"
        ));
        assert!(decided(
            "#[cfg_attr(feature = \"nightly\", allow(async_fn_in_trait))]"
        ));
        assert!(!decided("#[cfg_attr(test, mockall::automock)]"));
        assert!(!decided(
            "#[cfg_attr(docsrs, doc(cfg(feature = \"x\")))] #[rustfmt::skip]"
        ));
        assert!(!decided("#[allow(clippy::type_complexity)]"));
    }
}
