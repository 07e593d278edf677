//! The guarded parse: what `syn::parse_file` does, plus the checks that keep hostile or
//! generated input from overflowing the stack, and recovery. A byte-order mark, a shebang line
//! and cargo-script front matter are blanked (byte for byte, so spans still point at the
//! original text); a single byte scan ([`depth`]) bounds the bracket nesting and scores the
//! nesting without brackets; the text is lexed; only then does syn parse. A file syn rejects is
//! parsed again item by item ([`recover`]). Both the analysis and the mining of dependency
//! sources parse through here; [`lexer`] is the small lexer the byte scans share.

mod depth;
mod lexer;
mod recover;

use crate::span::Span;

pub use depth::MAX_SYNTAX_DEPTH;
pub(crate) use lexer::{code_line_starts, line_ends, plain_comments, LineEnd};
pub use recover::Edits;

/// How deeply brackets may nest. syn parses recursively, so a file nested deeper than this (only
/// generated or hostile code is) is reported instead of risking a stack overflow.
pub const MAX_NESTING: usize = 256;

/// A parsed file.
pub(crate) struct Parsed {
    pub file: syn::File,
    /// The text the file's spans point into, when it is not the source itself: a blanked
    /// preamble (a byte-order mark, a shebang, cargo-script front matter), items that did not
    /// parse blanked, fixes applied.
    pub text: Option<String>,
    /// The text inserted by fixes, to map spans back to the source.
    pub edits: recover::Edits,
    /// The items that could not be parsed (the rest of the file was): where syn's error is,
    /// in the parsed text's offsets, and what it says.
    pub errors: Vec<(Span, String)>,
}

/// Lexes, checks the nesting depth, then parses (what `syn::parse_file` does, plus the check).
/// When syn rejects the file, it is parsed again item by item ([`recover`]): what rustc's
/// parser accepts before expansion is accepted, and what still fails is reported per item,
/// unless most of the file fails (then it is not Rust as far as the tool can tell, and the
/// whole file is reported).
pub(crate) fn parse_source(text: &str) -> Result<Parsed, (Span, String)> {
    let blanked = blank_preamble(text);
    let source = blanked.as_deref().unwrap_or(text);
    // The exact check walks the token tree, which costs; a byte scan rules out almost every
    // file first, and scores the nesting that has no brackets in the same pass.
    let depth = depth::scan(source);
    // Parsing item by item recurses as deeply as the whole file would: only within the bounds.
    let shallow = depth.too_deep.is_none() && depth.deepest_bracket <= MAX_NESTING;
    let tokens: proc_macro2::TokenStream = match source.parse() {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = (
                Span::from_pm2(error.span()),
                format!("cannot lex the file: {error}"),
            );
            return recovered(source, shallow, error);
        }
    };
    let suspicious = depth.deepest_bracket > MAX_NESTING;
    if let Some((depth, span)) = suspicious.then(|| too_deep(&tokens)).flatten() {
        return Err((
            span,
            format!("brackets nest {depth} levels deep here; the limit is {MAX_NESTING}"),
        ));
    }
    if let Some((score, offset)) = depth.too_deep {
        let span = Span {
            start: offset,
            end: offset + source[offset..].chars().next().map_or(0, char::len_utf8),
            ..Span::default()
        };
        return Err((
            span,
            format!(
                "expressions, types or patterns nest too deeply here (nesting score {score}; \
                 the limit is {MAX_SYNTAX_DEPTH})"
            ),
        ));
    }
    match syn::parse2::<syn::File>(tokens) {
        Ok(file) => Ok(Parsed {
            file,
            text: blanked,
            edits: recover::Edits::default(),
            errors: Vec::new(),
        }),
        Err(error) => {
            let error = (Span::from_pm2(error.span()), error.to_string());
            recovered(source, true, error)
        }
    }
}

/// The file parsed item by item, or the whole file's `error`.
fn recovered(source: &str, shallow: bool, error: (Span, String)) -> Result<Parsed, (Span, String)> {
    match shallow.then(|| recover::recover(source)).flatten() {
        Some(recovered) => Ok(Parsed {
            file: recovered.file,
            text: Some(recovered.text),
            edits: recovered.edits,
            errors: recovered.errors,
        }),
        None => Err(error),
    }
}

/// The source with what is not Rust tokens blanked byte for byte (so that every span still
/// points at the same bytes): a byte-order mark, a shebang line, and cargo-script front matter
/// (a `---` fence right after them, up to its closing fence). `None` when there is none.
///
/// Front matter (RFC 3503, `cargo +nightly -Zscript`) is accepted although only nightly rustc
/// reads it: it holds the script's manifest, not code, and the rest of the file is plain Rust.
fn blank_preamble(text: &str) -> Option<String> {
    let has_bom = text.starts_with('\u{feff}');
    let after_bom = text.trim_start_matches('\u{feff}');
    let has_shebang = after_bom.starts_with("#!") && !after_bom.starts_with("#![");
    let mut owned: Option<String> = None;
    if has_bom {
        owned = Some(text.replacen('\u{feff}', "   ", 1));
    }
    if has_shebang {
        let blanked = owned.get_or_insert_with(|| text.to_string());
        let start = blanked.find("#!").unwrap_or(0);
        let end = blanked[start..]
            .find('\n')
            .map_or(blanked.len(), |at| start + at);
        blanked.replace_range(start..end, &" ".repeat(end - start));
    }
    let current = owned.as_deref().unwrap_or(text);
    if let Some(range) = front_matter(current) {
        let blanked = owned.get_or_insert_with(|| text.to_string());
        let spaces: String = blanked[range.clone()]
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' {
                    c.to_string()
                } else {
                    " ".repeat(c.len_utf8())
                }
            })
            .collect();
        blanked.replace_range(range, &spaces);
    }
    owned
}

/// The byte range of cargo-script front matter: after blank lines, a line opening with three or
/// more dashes (and an optional info string), up to the end of the line closing with as many.
fn front_matter(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    let dashes = rest.bytes().take_while(|b| *b == b'-').count();
    if dashes < 3 {
        return None;
    }
    let fence = &rest[..dashes];
    let mut at = start + rest.find('\n')? + 1;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |end| at + end);
        let line = text[at..line_end].trim_end();
        if line.starts_with(fence) && line.trim_start_matches('-').is_empty() {
            return Some(start..line_end);
        }
        at = line_end + 1;
    }
    None
}

/// The first group nested deeper than [`MAX_NESTING`], found without recursion.
fn too_deep(tokens: &proc_macro2::TokenStream) -> Option<(usize, Span)> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(proc_macro2::TokenTree::Group(group)) => {
                if stack.len() > MAX_NESTING {
                    return Some((stack.len(), Span::from_pm2(group.span_open())));
                }
                stack.push(group.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}
