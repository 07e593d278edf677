//! Fixes: the source-text helpers rules build a finding's [`Suggestion`]s with (the data types
//! are in [`crate::diagnostic`]), and applying suggestions to a text. The binary renders suggestions (cargo JSON, the help of human
//! output) and writes the result of [`apply`] (`--fix`); nothing here does IO.
//!
//! Architecture invariant: a suggestion's edits are in the file of its finding's primary span,
//! and a file whose parse needed recovery (inserted text) gets no suggestions, so every edit's
//! byte range is a range of the file as it is on disk.

pub use crate::diagnostic::{Applicability, Edit, Suggestion};
use crate::span::Span;

/// The result of applying suggestions to a text.
#[derive(Debug, Default)]
pub struct Applied {
    pub text: String,
    /// How many suggestions were applied.
    pub applied: usize,
    /// How many were left out because they touch text another applied suggestion changes: a
    /// second pass over the new text may offer them again.
    pub conflicting: usize,
}

/// The first byte a suggestion changes and the byte after the last.
fn extent(suggestion: &Suggestion) -> (usize, usize) {
    let start = suggestion.edits.first().map_or(0, |edit| edit.span.start);
    let end = suggestion.edits.last().map_or(0, |edit| edit.span.end);
    (start, end)
}

/// Applies suggestions to `text`, in order of position. A suggestion whose edits overlap, or
/// insert at the same place as, one already taken is left out (counted as conflicting); so is
/// one whose edits do not fit the text.
pub fn apply(text: &str, suggestions: &[&Suggestion]) -> Applied {
    let mut ordered: Vec<&Suggestion> = suggestions.to_vec();
    ordered.sort_by_key(|suggestion| extent(suggestion));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut conflicting = 0;
    for suggestion in ordered {
        let fits = suggestion.edits.iter().all(|edit| {
            edit.span.start <= edit.span.end
                && edit.span.end <= text.len()
                && text.is_char_boundary(edit.span.start)
                && text.is_char_boundary(edit.span.end)
        });
        let clashes = suggestion.edits.iter().any(|edit| {
            taken.iter().any(|other| {
                let (a, b) = (&edit.span, &other.span);
                a.start < b.end && b.start < a.end || a.start == b.start || a.end == b.end
            })
        });
        if !fits || clashes {
            conflicting += 1;
            continue;
        }
        taken.extend(&suggestion.edits);
        applied += 1;
    }
    taken.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in taken {
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.replacement);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    Applied {
        text: out,
        applied,
        conflicting,
    }
}

/// Whether `text` parses as a Rust file, as the analysis parses it (cargo-script front matter
/// and the forms rustc accepts included, with no item given up): what a fix must keep true.
pub fn parses(text: &str) -> bool {
    matches!(crate::parse::parse_source(text), Ok(parsed) if parsed.errors.is_empty())
}

// ---- Source-text helpers for the rules ----

/// The byte offset where the line holding `offset` starts.
pub(crate) fn line_start(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |at| at + 1)
}

/// The whitespace the line holding `offset` starts with.
pub(crate) fn indentation(source: &str, offset: usize) -> &str {
    let start = line_start(source, offset);
    let line = &source[start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The line ending the file uses (`\r\n` when its first line ends so).
pub(crate) fn newline(source: &str) -> &'static str {
    match source.find('\n') {
        Some(at) if at > 0 && source.as_bytes()[at - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Whether the code at `offset` is the first thing on its line (only whitespace before it):
/// text can then be inserted on lines of its own above it.
pub(crate) fn first_on_line(source: &str, offset: usize) -> bool {
    let start = line_start(source, offset);
    source
        .get(start..offset)
        .is_some_and(|before| before.trim().is_empty())
}

/// The edit that puts the statements from `start` to `end` (a whole number of statements of one
/// block, the first starting its line) into a block of their own, indented one level deeper:
/// `{` on a line of its own before them, `}` after them. Lines that start inside a string
/// literal or a comment are left as they are, and so are blank lines. One edit over all of it,
/// so that it covers the finding in it (editors offer a fix where its edits touch the finding).
pub(crate) fn wrap_in_block(source: &str, start: usize, end: usize) -> Edit {
    let indent = indentation(source, start);
    let newline = newline(source);
    let unit = if indent.contains('\t') { "\t" } else { "    " };
    let mut text = format!("{{{newline}{indent}{unit}");
    let mut at = start;
    for line in crate::parse::code_line_starts(source, start..end) {
        text.push_str(&source[at..line]);
        at = line;
        let rest = &source[line..];
        if !(rest.starts_with('\n') || rest.starts_with("\r\n")) {
            text.push_str(unit);
        }
    }
    text.push_str(&source[at..end]);
    text.push_str(&format!("{newline}{indent}}}"));
    Edit::replace(
        Span {
            start,
            end,
            ..Span::default()
        },
        text,
    )
}

/// The source text of a span.
pub(crate) fn text_of(source: &str, span: Span) -> Option<&str> {
    source.get(span.start..span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            ..Span::default()
        }
    }

    #[test]
    fn applies_in_order_and_leaves_out_what_clashes() {
        let text = "abcdef";
        let one = Suggestion::new(
            "x",
            Applicability::MachineApplicable,
            vec![Edit::replace(at(1, 2), "B"), Edit::insert(4, "-")],
        )
        .unwrap();
        let clash = Suggestion::new(
            "y",
            Applicability::MachineApplicable,
            vec![Edit::replace(at(3, 5), "")],
        )
        .unwrap();
        let later = Suggestion::new(
            "z",
            Applicability::MachineApplicable,
            vec![Edit::insert(6, "!")],
        )
        .unwrap();
        let applied = apply(text, &[&later, &clash, &one]);
        assert_eq!(applied.text, "aBcd-ef!");
        assert_eq!((applied.applied, applied.conflicting), (2, 1));
    }

    #[test]
    fn two_insertions_at_one_place_clash() {
        let first = Suggestion::new(
            "a",
            Applicability::MaybeIncorrect,
            vec![Edit::insert(0, "a")],
        )
        .unwrap();
        let second = Suggestion::new(
            "b",
            Applicability::MaybeIncorrect,
            vec![Edit::insert(0, "b")],
        )
        .unwrap();
        let applied = apply("x", &[&first, &second]);
        assert_eq!(applied.text, "ax");
        assert_eq!(applied.conflicting, 1);
    }

    #[test]
    fn overlapping_edits_make_no_suggestion() {
        let edits = vec![Edit::replace(at(0, 3), ""), Edit::replace(at(2, 4), "")];
        assert!(Suggestion::new("x", Applicability::MachineApplicable, edits).is_none());
    }

    #[test]
    fn a_block_around_statements_indents_their_lines() {
        let source = "fn f() {\n    let g = m.lock();\n\n    g.push(1);\n    x.await;\n}\n";
        let start = source.find("let").unwrap();
        let end = source.find("g.push(1);").unwrap() + "g.push(1);".len();
        let wrapped = Suggestion::new(
            "w",
            Applicability::MachineApplicable,
            vec![wrap_in_block(source, start, end)],
        )
        .unwrap();
        assert_eq!(
            apply(source, &[&wrapped]).text,
            "fn f() {\n    {\n        let g = m.lock();\n\n        g.push(1);\n    }\n    x.await;\n}\n"
        );
    }

    #[test]
    fn lines_inside_a_string_keep_their_indentation() {
        let source = "    let g = m.lock();\n    g.push(\"a\n  b\");\n";
        let end = source.rfind(';').unwrap() + 1;
        let wrapped = Suggestion::new(
            "w",
            Applicability::MachineApplicable,
            vec![wrap_in_block(source, 4, end)],
        )
        .unwrap();
        assert_eq!(
            apply(source, &[&wrapped]).text,
            "    {\n        let g = m.lock();\n        g.push(\"a\n  b\");\n    }\n"
        );
    }

    #[test]
    fn statement_lines() {
        let source = "fn f() {\n    loop {}\n    let x = loop {};\n}";
        assert!(first_on_line(source, source.find("loop").unwrap()));
        assert!(!first_on_line(source, source.rfind("loop").unwrap()));
        assert_eq!(indentation(source, source.find("loop").unwrap()), "    ");
        assert_eq!(newline("a\r\nb"), "\r\n");
    }

    #[test]
    fn what_parses() {
        assert!(parses("fn f() {}"));
        assert!(!parses("fn f( {}"));
    }
}
