//! The arguments of `#[not_cancel_safe(..)]` and `#[cancel_check::allow(..)]`.

use proc_macro2::TokenStream as TokenStream2;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token};

/// Which attribute the arguments belong to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    NotCancelSafe,
    Allow,
}

impl Attr {
    fn written(self) -> &'static str {
        match self {
            Attr::NotCancelSafe => "#[not_cancel_safe(..)]",
            Attr::Allow => "#[cancel_check::allow(..)]",
        }
    }
}

/// The parsed arguments of `#[not_cancel_safe]` or `#[cancel_check::allow]`.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) lints: Vec<Ident>,
    pub(crate) reason: Option<LitStr>,
}

/// Parses `lint, lint, reason = "..."` (the lint names only for `allow`). Every mistake is an
/// error spanned on the token that is wrong.
pub(crate) fn parse_args(tokens: TokenStream2, attr: Attr) -> syn::Result<Args> {
    let parser = |input: ParseStream<'_>| {
        let mut args = Args::default();
        while !input.is_empty() {
            if !input.peek(Ident) {
                let expected = match attr {
                    Attr::Allow => {
                        "expected a lint name such as `select_arm_not_cancel_safe`, or \
                                    `reason = \"...\"`"
                    }
                    Attr::NotCancelSafe => "expected `reason = \"...\"`",
                };
                return Err(input.error(expected));
            }
            let ident: Ident = input.parse()?;
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                if ident != "reason" {
                    return Err(syn::Error::new(
                        ident.span(),
                        format!(
                            "unknown key `{ident}` in `{}`: the only key is `reason`",
                            attr.written()
                        ),
                    ));
                }
                if args.reason.is_some() {
                    return Err(syn::Error::new(ident.span(), "`reason` is given twice"));
                }
                if !input.peek(LitStr) {
                    return Err(
                        input.error("`reason` must be a string literal: `reason = \"...\"`")
                    );
                }
                let reason: LitStr = input.parse()?;
                if reason.value().trim().is_empty() {
                    return Err(syn::Error::new(reason.span(), "`reason` must not be empty"));
                }
                args.reason = Some(reason);
            } else if input.peek(Token![::]) {
                return Err(syn::Error::new(
                    ident.span(),
                    "expected a lint name without a path, such as `select_arm_not_cancel_safe`",
                ));
            } else {
                match attr {
                    Attr::NotCancelSafe => {
                        return Err(syn::Error::new(
                            ident.span(),
                            format!(
                                "unknown argument `{ident}` in `#[not_cancel_safe(..)]`: expected \
                                 `reason = \"...\"`"
                            ),
                        ));
                    }
                    Attr::Allow => {
                        if args.reason.is_some() {
                            return Err(syn::Error::new(
                                ident.span(),
                                "lint names come before `reason`",
                            ));
                        }
                        if !is_lint_name(&ident.to_string()) {
                            return Err(syn::Error::new(
                                ident.span(),
                                format!(
                                    "`{ident}` is not a lint name: lint names are snake_case, \
                                     such as `select_arm_not_cancel_safe`"
                                ),
                            ));
                        }
                        args.lints.push(ident);
                    }
                }
            }
            if input.is_empty() {
                break;
            }
            if !input.peek(Token![,]) {
                return Err(input.error("expected `,` between arguments"));
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    };
    parser.parse2(tokens)
}

/// A snake_case identifier: lowercase ASCII letters and digits in words joined by single
/// underscores, starting with a letter.
fn is_lint_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('_').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The reason as the end of a sentence: one line, no trailing period.
pub(crate) fn sentence_body(reason: &str) -> String {
    let words: Vec<&str> = reason.split_whitespace().collect();
    words.join(" ").trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_names_are_snake_case() {
        for good in ["select_arm_not_cancel_safe", "futurelock", "a1_b2"] {
            assert!(is_lint_name(good), "{good}");
        }
        for bad in ["SelectArm", "_x", "x_", "a__b", "1a", "selectArm"] {
            assert!(!is_lint_name(bad), "{bad}");
        }
    }

    #[test]
    fn reasons_become_one_sentence() {
        assert_eq!(
            sentence_body("  a partly read\n   frame is lost. "),
            "a partly read frame is lost"
        );
    }
}
