//! The `# Cancel safety` doc section that `#[cancel_safe]` and `#[not_cancel_safe]` add.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, LitStr};

/// A function in any of the places an attribute can see one.
enum Function {
    /// A free function, or a method with a body (an `impl` or trait method parses as this too).
    Item(syn::ItemFn),
    /// A method of an `impl` block that does not parse as a free function (`default fn`).
    Impl(syn::ImplItemFn),
    /// A trait method without a body.
    Trait(syn::TraitItemFn),
}

impl Function {
    fn parts(&mut self) -> (&mut Vec<Attribute>, &syn::Signature) {
        match self {
            Function::Item(function) => (&mut function.attrs, &function.sig),
            Function::Impl(function) => (&mut function.attrs, &function.sig),
            Function::Trait(function) => (&mut function.attrs, &function.sig),
        }
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream2) {
        match self {
            Function::Item(function) => function.to_tokens(tokens),
            Function::Impl(function) => function.to_tokens(tokens),
            Function::Trait(function) => function.to_tokens(tokens),
        }
    }
}

/// Parses the item as a function, or explains what it is instead.
fn parse_function(item: TokenStream2, name: &str) -> syn::Result<Function> {
    let not_a_function = |what: &str, at: &dyn ToTokens| {
        syn::Error::new_spanned(
            at,
            format!("`#[{name}]` applies to functions and methods, not to {what}"),
        )
    };
    let parsed = syn::parse2::<syn::Item>(item.clone());
    let verbatim = match parsed {
        Ok(syn::Item::Fn(function)) => return Ok(Function::Item(function)),
        Ok(syn::Item::Verbatim(_)) | Err(_) => true,
        Ok(other) => {
            return Err(match &other {
                syn::Item::Struct(s) => not_a_function("a struct", &s.ident),
                syn::Item::Enum(e) => not_a_function("an enum", &e.ident),
                syn::Item::Union(u) => not_a_function("a union", &u.ident),
                syn::Item::Trait(t) => not_a_function("a trait", &t.ident),
                syn::Item::Impl(i) => not_a_function("an `impl` block", &i.self_ty),
                syn::Item::Mod(m) => not_a_function("a module", &m.ident),
                syn::Item::Const(c) => not_a_function("a constant", &c.ident),
                syn::Item::Static(s) => not_a_function("a static", &s.ident),
                syn::Item::Type(t) => not_a_function("a type alias", &t.ident),
                syn::Item::Use(u) => not_a_function("a `use` item", &u.use_token),
                syn::Item::Macro(m) => not_a_function("a macro", &m.mac.path),
                syn::Item::ExternCrate(e) => not_a_function("an `extern crate` item", &e.ident),
                syn::Item::ForeignMod(f) => not_a_function("an `extern` block", &f.abi),
                syn::Item::TraitAlias(t) => not_a_function("a trait alias", &t.ident),
                _ => syn::Error::new(
                    Span::call_site(),
                    format!("`#[{name}]` applies to functions and methods, and this is not one"),
                ),
            });
        }
    };
    debug_assert!(verbatim);
    if let Ok(function) = syn::parse2::<syn::ImplItemFn>(item.clone()) {
        return Ok(Function::Impl(function));
    }
    if let Ok(function) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return Ok(Function::Trait(function));
    }
    let span = item
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    Err(syn::Error::new(
        span,
        format!("`#[{name}]` applies to functions and methods, and this is not one"),
    ))
}

/// Adds the cancel-safety sentence to the function's docs.
pub(crate) fn annotate(
    item: TokenStream2,
    name: &str,
    sentence: impl FnOnce(&str) -> String,
) -> syn::Result<TokenStream2> {
    let mut function = parse_function(item, name)?;
    let (attrs, sig) = function.parts();
    let subject = if sig.receiver().is_some() {
        "method"
    } else {
        "function"
    };
    let sentence = sentence(subject);
    add_to_docs(attrs, &sentence);
    Ok(quote!(#function))
}

/// Puts the sentence first in the docs' cancel-safety section, or appends such a section.
fn add_to_docs(attrs: &mut Vec<Attribute>, sentence: &str) {
    let mut in_code = false;
    for attr in attrs.iter_mut() {
        let Some(text) = doc_literal(attr) else {
            continue;
        };
        let value = text.value();
        let mut offset = 0;
        for line in value.split_inclusive('\n') {
            offset += line.len();
            let trimmed = line.trim();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_code = !in_code;
                continue;
            }
            if in_code || !is_heading(trimmed) {
                continue;
            }
            let (head, rest) = value.split_at(offset);
            let head = head.strip_suffix('\n').unwrap_or(head);
            let new = format!("{head}\n\n{sentence}\n{rest}");
            let literal = LitStr::new(&new, text.span());
            *attr = syn::parse_quote_spanned!(attr.span()=> #[doc = #literal]);
            return;
        }
    }
    for line in ["", "# Cancel safety", "", sentence] {
        attrs.push(syn::parse_quote!(#[doc = #line]));
    }
}

/// The text of a `#[doc = "..."]` attribute (a `///` line), if it is a literal.
fn doc_literal(attr: &Attribute) -> Option<LitStr> {
    if !attr.path().is_ident("doc") {
        return None;
    }
    let syn::Meta::NameValue(meta) = &attr.meta else {
        return None;
    };
    match &meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.clone()),
        _ => None,
    }
}

/// A Markdown heading that opens a cancel-safety section, as `cargo cancel-check` reads them.
fn is_heading(line: &str) -> bool {
    let Some(title) = line.strip_prefix('#') else {
        return false;
    };
    let title = title.trim_start_matches('#').trim().to_ascii_lowercase();
    matches!(
        title.as_str(),
        "cancel safety" | "cancellation safety" | "cancel-safety" | "cancelation safety"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(item: TokenStream2) -> Vec<String> {
        let function: syn::ItemFn = syn::parse2(item).unwrap();
        function
            .attrs
            .iter()
            .filter_map(doc_literal)
            .map(|lit| lit.value())
            .collect()
    }

    #[test]
    fn a_section_is_appended_after_the_docs() {
        let out = annotate(
            quote! {
                /// Reads a frame.
                #[inline]
                pub async fn read_frame(&mut self) {}
            },
            "cancel_safe",
            |subject| format!("This {subject} is cancel safe."),
        )
        .unwrap();
        assert_eq!(
            docs(out),
            [
                " Reads a frame.",
                "",
                "# Cancel safety",
                "",
                "This method is cancel safe."
            ]
        );
    }

    #[test]
    fn an_existing_section_gets_the_sentence_first() {
        let out = annotate(
            quote! {
                /// Sends.
                ///
                /// ```
                /// # Cancel safety
                /// ```
                ///
                /// # Cancel safety
                ///
                /// The message stays in the outbox.
                pub fn send(x: u8) {}
            },
            "not_cancel_safe",
            |subject| format!("This {subject} is not cancel safe: it is lost."),
        )
        .unwrap();
        let docs = docs(out).join("\n");
        assert_eq!(
            docs,
            " Sends.\n\n ```\n # Cancel safety\n ```\n\n # Cancel safety\n\nThis function is \
             not cancel safe: it is lost.\n\n\n The message stays in the outbox."
        );
    }
}
