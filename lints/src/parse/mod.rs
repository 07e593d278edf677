//! The guarded parse: what `syn::parse_file` does, plus the checks that keep hostile or
//! generated input from overflowing the stack. A byte-order mark and a shebang line are blanked
//! (byte for byte, so spans still point at the original text); the text is lexed; a single byte
//! scan ([`depth`]) bounds the bracket nesting and scores the nesting without brackets; only then
//! does syn parse. Both the analysis and the mining of dependency sources parse through here.

mod depth;
mod lexer;

use crate::span::Span;

pub use depth::MAX_SYNTAX_DEPTH;
pub(crate) use lexer::plain_comments;

/// How deeply brackets may nest. syn parses recursively, so a file nested deeper than this (only
/// generated or hostile code is) is reported instead of risking a stack overflow.
pub const MAX_NESTING: usize = 256;

/// Lexes, checks the nesting depth, then parses (what `syn::parse_file` does, plus the check).
pub(crate) fn parse_file(text: &str) -> Result<syn::File, (Span, String)> {
    // A byte-order mark and a shebang line are not Rust tokens. They are blanked out byte for
    // byte, so that every span still points at the same bytes of the original text.
    let has_bom = text.starts_with('\u{feff}');
    let has_shebang = text.trim_start_matches('\u{feff}').starts_with("#!")
        && !text.trim_start_matches('\u{feff}').starts_with("#![");
    let blanked;
    let source = if has_bom || has_shebang {
        let mut owned = text.replacen('\u{feff}', "   ", usize::from(has_bom));
        if has_shebang {
            let end = owned.find('\n').unwrap_or(owned.len());
            owned.replace_range(..end, &" ".repeat(end));
        }
        blanked = owned;
        blanked.as_str()
    } else {
        text
    };
    let tokens: proc_macro2::TokenStream =
        source.parse().map_err(|error: proc_macro2::LexError| {
            (
                Span::from_pm2(error.span()),
                format!("cannot lex the file: {error}"),
            )
        })?;
    // The exact check walks the token tree, which costs; a byte scan rules out almost every
    // file first, and scores the nesting that has no brackets in the same pass.
    let depth = depth::scan(source);
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
    syn::parse2::<syn::File>(tokens)
        .map_err(|error| (Span::from_pm2(error.span()), error.to_string()))
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
