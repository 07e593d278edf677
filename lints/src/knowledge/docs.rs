//! Cancel-safety statements in documentation: `# Cancel safety` sections and sentences such as
//! "This method is cancel safe." (tokio's newer wording), "is cancellation safe" (older tokio),
//! "This operation is cancel-safe." (quinn), each attached to the item it is about (the
//! documented item, or another one it links to). Used for the workspace's own functions and for
//! the sources of dependencies.

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

/// A cancel-safety statement of some docs, and the item it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `None` for the documented item itself ("This method is cancel safe", "The returned
    /// future is not cancel safe", or no subject); else the item the clause names, as its
    /// intra-doc link or code span writes it (`Pending::finish`, `Self::finish`, `finish`).
    pub about: Option<String>,
    pub stated: Stated,
    /// The clause that says it.
    pub text: String,
}

/// Every cancel-safety statement of the docs, each attached to the item it is about: the
/// section under a cancel-safety heading when there is one, else any sentence of the docs. A
/// sentence is cut into clauses at `;` and at `, but`, `, however`, `, whereas`, `, while`: in
/// "This method is cancel safe. However, [`Pending::finish`] must be awaited, and that part is
/// not cancel safe" the first statement is about the method and the second about
/// `Pending::finish`. A clause is about the documented item when it says so ("this method",
/// "this function", "this future", "the returned future", "it"...) or names no other item, or
/// names the item itself (`own_name`); otherwise about the first item it links to or names in
/// a code span with a path (`` `Pending::finish` ``, `` `finish()` ``). A bare "it" in a clause
/// that names another item is read as that item.
pub fn statements(docs: &str, own_name: &str) -> Vec<Statement> {
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
    let mut found = Vec::new();
    for sentence in sentences(text) {
        for clause in clauses(sentence) {
            let Some(stated) = classify(clause) else {
                continue;
            };
            found.push(Statement {
                about: subject(clause, own_name),
                stated,
                text: clause.to_string(),
            });
        }
    }
    found
}

/// What the docs state about the documented item's own cancel safety, with the clause that
/// says it (see [`statements`]). A "not" wins over an earlier "is cancel safe".
pub fn statement(docs: &str) -> Option<(Stated, String)> {
    own_statement(docs, "")
}

/// [`statement`], for the item named `own_name`.
pub fn own_statement(docs: &str, own_name: &str) -> Option<(Stated, String)> {
    let mut found: Option<(Stated, String)> = None;
    for statement in statements(docs, own_name) {
        if statement.about.is_some() {
            continue;
        }
        let stated = statement.stated;
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
            found = Some((stated, statement.text));
        }
    }
    found
}

/// The sentences of a text: up to a `.` that ends one (followed by a space or the end, not in a
/// code span or a link target: `e.g.` and `[`Self::x`](crate::y)` do not end one) or a line
/// break.
fn sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    let mut in_target = 0usize;
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'`' => in_code = !in_code,
            b'(' if !in_code && at > 0 && bytes[at - 1] == b']' => in_target += 1,
            b')' if in_target > 0 => in_target -= 1,
            b'.' | b'\n' if !in_code && in_target == 0 => {
                let ends = byte == b'\n'
                    || bytes
                        .get(at + 1)
                        .is_none_or(|next| next.is_ascii_whitespace());
                let abbreviation =
                    text[start..at].ends_with("e.g") || text[start..at].ends_with("i.e");
                if ends && !abbreviation {
                    found.push(text[start..=at].trim());
                    start = at + 1;
                }
            }
            _ => {}
        }
    }
    found.push(text[start..].trim());
    found.retain(|sentence| !sentence.is_empty());
    found
}

/// The clauses of a sentence that may each be about another item.
fn clauses(sentence: &str) -> Vec<&str> {
    let lower = sentence.to_ascii_lowercase();
    let mut cuts = vec![0];
    for separator in ["; ", ", but ", ", however", ", whereas ", ", while "] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(separator) {
            cuts.push(from + at + 1);
            from += at + separator.len();
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.push(sentence.len());
    cuts.windows(2)
        .map(|pair| sentence[pair[0]..pair[1]].trim())
        .filter(|clause| !clause.is_empty())
        .collect()
}

/// Phrases that make a clause about the documented item itself.
const SELF_PHRASES: &[&str] = &[
    "this method",
    "this function",
    "this fn",
    "this future",
    "this operation",
    "this call",
    "this api",
    "calling this",
    "the returned future",
    "the future returned",
    "the future it returns",
];

/// Which item a clause is about: `None` for the documented item, else the item it names.
fn subject(clause: &str, own_name: &str) -> Option<String> {
    let lower = clause.to_ascii_lowercase();
    if SELF_PHRASES.iter().any(|phrase| lower.contains(phrase)) {
        return None;
    }
    let named = linked_items(clause).into_iter().next()?;
    let last = named.rsplit("::").next().unwrap_or(&named);
    if !own_name.is_empty() && (last == own_name || named == format!("Self::{own_name}")) {
        return None;
    }
    Some(named)
}

/// The items a clause links to (`[`Pending::finish`]`, `[finish](Self::finish)`), or names in
/// a code span with a path or a call (`` `Pending::finish` ``, `` `finish()` ``), in order. Links
/// to web pages are not items.
fn linked_items(clause: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = clause;
    while let Some(open) = rest.find(['[', '`']) {
        let after = &rest[open + 1..];
        if rest[open..].starts_with('[') {
            let Some(close) = after.find(']') else { break };
            let text = &after[..close];
            let tail = &after[close + 1..];
            let target = tail
                .strip_prefix('(')
                .and_then(|inner| inner.find(')').map(|end| &inner[..end]))
                .or_else(|| {
                    tail.strip_prefix('[')
                        .and_then(|inner| inner.find(']').map(|end| &inner[..end]))
                });
            let candidate = match target {
                Some(target) if target.contains("://") || target.starts_with('#') => None,
                Some(target) => Some(target),
                None => Some(text),
            };
            if let Some(path) = candidate.and_then(item_path) {
                found.push(path);
            }
            rest = &after[close + 1..];
        } else {
            let Some(close) = after.find('`') else { break };
            let code = &after[..close];
            if code.contains("::") || code.ends_with("()") {
                if let Some(path) = item_path(code) {
                    found.push(path);
                }
            }
            rest = &after[close + 1..];
        }
    }
    found
}

/// A link's text or target as an item path: backticks, a trailing `()` or `!` and rustdoc's
/// disambiguators (`fn@`, `method@`) removed; `None` when it is not a path.
fn item_path(text: &str) -> Option<String> {
    let text = text.trim().trim_matches('`');
    let text = text.split_once('@').map_or(text, |(_, path)| path);
    let text = text.trim_end_matches("()").trim_end_matches('!');
    let is_path = !text.is_empty()
        && text.split("::").all(|segment| {
            !segment.is_empty() && segment.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
    is_path.then(|| text.to_string())
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

/// The annotation of the item named `name`: a `#[cancel_safe]` /
/// `#[not_cancel_safe(reason = "..")]` attribute (any path ending so), else what its docs state
/// about it (statements about other items it names are left out, see [`statements`]).
pub(crate) fn annotation(attrs: &[syn::Attribute], name: &str) -> Option<Annotation> {
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
    let (stated, text) = own_statement(&docs, name)?;
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

    #[test]
    fn each_statement_is_about_the_item_it_names() {
        let docs = "Receives the next message.\n\n# Cancel safety\n\nThis method is cancel-safe and can be used in a `select!` loop\nwithout causing any messages to be dropped. However,\n[InstanceSerialConsoleMessage::process] must be awaited to retrieve\nthe inner [WSMessage], and that portion is not cancel-safe.\n";
        let found = statements(docs, "recv");
        let about: Vec<(Option<&str>, Stated)> = found
            .iter()
            .map(|statement| (statement.about.as_deref(), statement.stated))
            .collect();
        assert_eq!(
            about,
            [
                (None, Stated::Safe),
                (
                    Some("InstanceSerialConsoleMessage::process"),
                    Stated::NotSafe
                )
            ]
        );
        assert_eq!(
            own_statement(docs, "recv").map(|(stated, _)| stated),
            Some(Stated::Safe)
        );
    }

    #[test]
    fn links_code_spans_and_self_references_pick_the_subject() {
        let subject_of = |docs: &str, own: &str| {
            statements(docs, own)
                .into_iter()
                .map(|statement| (statement.about, statement.stated))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            subject_of("[`finish`](Self::finish) is not cancel safe.", "start"),
            [(Some("Self::finish".to_string()), Stated::NotSafe)]
        );
        assert_eq!(
            subject_of(
                "`Framed::next` is cancel safe; this method is not cancel safe.",
                "poll"
            ),
            [
                (Some("Framed::next".to_string()), Stated::Safe),
                (None, Stated::NotSafe)
            ]
        );
        // The item's own name, a self reference and a web link all leave it about the item.
        assert_eq!(
            subject_of("`recv()` is cancel safe.", "recv"),
            [(None, Stated::Safe)]
        );
        assert_eq!(
            subject_of(
                "Unlike [`Sender::send`], this method is cancellation safe.",
                "reserve"
            ),
            [(None, Stated::Safe)]
        );
        assert_eq!(
            subject_of(
                "The returned future is not cancel safe (see [the guide](https://tokio.rs/x)).",
                "f"
            ),
            [(None, Stated::NotSafe)]
        );
        assert_eq!(
            subject_of(
                "See [`crate::Conn::read_frame`], e.g. in a loop. It is not cancel safe.",
                "f"
            ),
            [(None, Stated::NotSafe)]
        );
    }
}
