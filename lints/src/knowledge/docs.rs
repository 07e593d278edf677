//! Cancel-safety statements in documentation: `# Cancel safety` sections and sentences such as
//! "This method is cancel safe." (tokio's newer wording), "is cancellation safe" (older tokio),
//! "This operation is cancel-safe." (quinn). Used for the workspace's own functions and for the
//! sources of dependencies.

use crate::span::Span;

/// What a statement says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stated {
    /// "is cancel safe".
    Safe,
    /// "is not cancel safe".
    NotSafe,
    /// "only cancel safe if ..", "cancel safe as long as ..".
    Conditional,
}

/// A cancel-safety annotation on a function: a doc statement or an attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub stated: Stated,
    /// The doc comment or the attribute.
    pub span: Span,
    /// The sentence, or the attribute's `reason`.
    pub text: String,
}

/// Whether the docs have a cancel-safety heading (`# Cancel safety`, `## Cancellation safety`,
/// `# Cancel Safety`, ...).
pub fn has_section(docs: &str) -> bool {
    docs.lines().any(is_heading)
}

fn is_heading(line: &str) -> bool {
    let line = line.trim();
    let Some(title) = line.strip_prefix('#') else {
        return false;
    };
    let title = title.trim_start_matches('#').trim().to_ascii_lowercase();
    matches!(
        title.as_str(),
        "cancel safety" | "cancellation safety" | "cancel-safety" | "cancelation safety"
    )
}

/// What the docs state about cancel safety, with the sentence that says it: the section under a
/// cancel-safety heading when there is one, else any sentence of the docs.
pub fn statement(docs: &str) -> Option<(Stated, String)> {
    let mut section = String::new();
    let mut in_section = false;
    for line in docs.lines() {
        if is_heading(line) {
            in_section = true;
            continue;
        }
        if in_section {
            if line.trim_start().starts_with('#') {
                break;
            }
            section.push_str(line.trim());
            section.push(' ');
        }
    }
    let text = if section.trim().is_empty() {
        docs
    } else {
        section.as_str()
    };
    let sentences = text
        .split_inclusive(['.', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut found: Option<(Stated, String)> = None;
    for sentence in sentences {
        let Some(stated) = classify(sentence) else {
            continue;
        };
        // A "not" anywhere wins over an earlier "is cancel safe" in the same docs.
        let replace = matches!(
            (&found, stated),
            (None, _)
                | (
                    Some((Stated::Safe, _)),
                    Stated::NotSafe | Stated::Conditional
                )
        );
        if replace {
            found = Some((stated, sentence.to_string()));
        }
    }
    found
}

/// Classifies one sentence.
fn classify(sentence: &str) -> Option<Stated> {
    let lower = sentence
        .to_ascii_lowercase()
        .replace(['`', '*', '_'], "")
        .replace("cancellation-safe", "cancel safe")
        .replace("cancellation safe", "cancel safe")
        .replace("cancelation safe", "cancel safe")
        .replace("cancel-safe", "cancel safe");
    if !lower.contains("cancel safe") {
        return None;
    }
    // "passing the non-cancellation-safe future" describes something else, not this function.
    if lower.contains("non-cancel safe") || lower.contains("non cancel safe") {
        return None;
    }
    let negated = [
        "not cancel safe",
        "isn't cancel safe",
        "never cancel safe",
        "no longer cancel safe",
    ];
    let conditional = [
        "cancel safe if",
        "cancel safe only",
        "only cancel safe",
        "cancel safe as long as",
        "cancel safe when",
        "cancel safe provided",
        "cancel safe iff",
        "conditionally cancel safe",
        "cancel safe depends",
        "cancel safe assuming",
    ];
    if negated.iter().any(|phrase| lower.contains(phrase)) {
        Some(Stated::NotSafe)
    } else if conditional.iter().any(|phrase| lower.contains(phrase)) {
        Some(Stated::Conditional)
    } else {
        Some(Stated::Safe)
    }
}

/// The doc text of some attributes (`///` lines and `#[doc = ".."]`), one line each.
pub(crate) fn doc_text(attrs: &[syn::Attribute]) -> String {
    let mut docs = String::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(meta) = &attr.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &meta.value
            {
                docs.push_str(&text.value());
                docs.push('\n');
            }
        }
    }
    docs
}

/// The annotation of an item: a `#[cancel_safe]` / `#[not_cancel_safe(reason = "..")]`
/// attribute (any path ending so), else a doc statement.
pub(crate) fn annotation(attrs: &[syn::Attribute]) -> Option<Annotation> {
    for attr in attrs {
        let Some(last) = attr.path().segments.last() else {
            continue;
        };
        let stated = if last.ident == "cancel_safe" {
            Stated::Safe
        } else if last.ident == "not_cancel_safe" {
            Stated::NotSafe
        } else {
            continue;
        };
        let mut text = match stated {
            Stated::NotSafe => "marked `#[not_cancel_safe]`".to_string(),
            _ => "marked `#[cancel_safe]`".to_string(),
        };
        if let syn::Meta::List(list) = &attr.meta {
            let _ = list.parse_nested_meta(|meta| {
                if meta.path.is_ident("reason") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    text = value.value();
                }
                Ok(())
            });
        }
        return Some(Annotation {
            stated,
            span: Span::of(attr),
            text,
        });
    }
    let docs = doc_text(attrs);
    let (stated, text) = statement(&docs)?;
    let first_doc = attrs.iter().find(|attr| attr.path().is_ident("doc"))?;
    let last_doc = attrs
        .iter()
        .rev()
        .find(|attr| attr.path().is_ident("doc"))?;
    Some(Annotation {
        stated,
        span: Span::of(first_doc).to(Span::of(last_doc)),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wordings_of_tokio_quinn_and_axum() {
        let cases = [
            (
                "# Cancel safety\n\nThis method is cancel safe. If `recv` is used ...",
                Stated::Safe,
            ),
            (
                "# Cancel safety\n\nThis method is cancellation safe.",
                Stated::Safe,
            ),
            ("This operation is cancel-safe.", Stated::Safe),
            (
                "## Cancel Safety\n\nThis method is not cancellation safe. If ...",
                Stated::NotSafe,
            ),
            (
                "# Cancellation safety\nThis future is only cancel safe if `fut` is cancel safe.",
                Stated::Conditional,
            ),
            (
                "# Cancel safety\n\nThis method is cancel safe as long as the stream is.",
                Stated::Conditional,
            ),
        ];
        for (docs, expected) in cases {
            assert_eq!(
                statement(docs).map(|(stated, _)| stated),
                Some(expected),
                "{docs}"
            );
        }
        assert_eq!(statement("Reads a frame from the stream."), None);
        assert_eq!(
            statement("Polls once, without passing the non-cancellation-safe future on."),
            None
        );
        assert!(has_section("Reads.\n\n# Cancel safety\n\nIt is."));
        assert!(!has_section("Reads.\n\n# Errors\n\nIt fails."));
    }

    #[test]
    fn a_negation_wins_over_an_earlier_safe_sentence() {
        let docs = "Reading is cancel safe. Writing with this method is not cancel safe.";
        assert_eq!(
            statement(docs).map(|(stated, _)| stated),
            Some(Stated::NotSafe)
        );
    }
}
