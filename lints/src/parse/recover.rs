//! Recovery for a file syn rejects: what rustc's parser accepts before expansion is accepted
//! here too, and what still fails is reported item by item while the other items are analysed.
//!
//! The file is cut into its items with the [`lexer`](super::lexer) (brackets matched the way
//! rustc recovers from a stray one), and each item is parsed on its own. An item that fails is
//! first given the fixes that make syn accept what rustc's parser does:
//! - a visibility on an `impl` (`#[extension_trait] pub(crate) impl Ext for T {}`: an attribute
//!   macro consumes it before rustc validates it) is blanked;
//! - a bare trait object of the `Fn` family (`Box<Fn(u8)>`, `&mut FnMut() -> u8`, editions 2015
//!   and 2018) gets the `dyn ` it means;
//! - an item under `#[cfg(any())]`, which is never compiled, is blanked without a finding.
//!
//! Then, in an `impl`, `trait`, `mod` or `extern` block, the items inside are recovered the same
//! way, and what still fails is blanked and reported. Blanking replaces bytes with spaces
//! (newlines kept), so spans keep their place; the few inserted words are recorded in
//! [`Edits`], so that spans can be mapped back to the source.

use std::ops::Range;

use super::lexer::{next_token, Token};
use crate::span::Span;

/// How many fixes one item may get before it is given up: each fix makes syn's error move on.
const MAX_FIXES: usize = 32;

/// Text inserted into the source for the parse: spans of the parsed file are offsets into the
/// edited text, and map back with [`Edits::to_source`]. Inserted text holds no line break, so
/// lines never move; only columns after an insertion do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    /// Sorted by offset: where in the source each insertion is, and how long it is.
    inserts: Vec<(usize, usize)>,
}

impl Edits {
    /// Whether the edited text has the source's offsets.
    pub fn is_empty(&self) -> bool {
        self.inserts.is_empty()
    }

    /// The offset into the edited text of a source offset (text inserted at an offset comes
    /// before it).
    pub fn to_edited(&self, source: usize) -> usize {
        source
            + self
                .inserts
                .iter()
                .take_while(|(at, _)| *at <= source)
                .map(|(_, len)| len)
                .sum::<usize>()
    }

    /// The source offset of an offset into the edited text (an offset inside inserted text
    /// maps to where it was inserted).
    pub fn to_source(&self, edited: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.inserts {
            let edited_at = at + shift;
            if edited < edited_at {
                break;
            }
            if edited < edited_at + len {
                return at;
            }
            shift += len;
        }
        edited - shift
    }
}

/// A file recovered item by item.
pub(crate) struct Recovered {
    pub file: syn::File,
    /// The edited text the file was parsed from.
    pub text: String,
    pub edits: Edits,
    /// Each item that could not be parsed: where syn's error is, in the source, and what it says.
    pub errors: Vec<(Span, String)>,
}

/// What is done to the source for the parse.
#[derive(Clone, Debug, Default)]
struct Patch {
    blanks: Vec<Range<usize>>,
    inserts: Vec<(usize, &'static str)>,
}

impl Patch {
    /// The source's bytes in `range`, with the blanks and inserts that fall inside it applied,
    /// and the edits of that text.
    fn apply(&self, source: &str, range: Range<usize>) -> (String, Edits) {
        // Sorted and merged, so that each byte and each insert is looked at once.
        let mut blanks: Vec<Range<usize>> = self
            .blanks
            .iter()
            .filter(|blank| blank.start < range.end && range.start < blank.end)
            .map(|blank| blank.start.max(range.start)..blank.end.min(range.end))
            .collect();
        blanks.sort_by_key(|blank| blank.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(blanks.len());
        for blank in blanks {
            match merged.last_mut() {
                Some(last) if blank.start <= last.end => last.end = last.end.max(blank.end),
                _ => merged.push(blank),
            }
        }
        let mut inserts: Vec<(usize, &'static str)> = self
            .inserts
            .iter()
            .filter(|(at, _)| range.contains(at))
            .copied()
            .collect();
        inserts.sort_by_key(|(at, _)| *at);
        let blanked = |at: usize| {
            let index = merged.partition_point(|blank| blank.end <= at);
            merged.get(index).is_some_and(|blank| blank.contains(&at))
        };
        inserts.retain(|(at, _)| !blanked(*at));
        let bytes = source.as_bytes();
        let mut out = Vec::with_capacity(range.len() + 8 * inserts.len());
        let mut next_insert = inserts.iter().peekable();
        let mut next_blank = merged.iter().peekable();
        for at in range.clone() {
            while let Some((_, text)) = next_insert.next_if(|(insert_at, _)| *insert_at == at) {
                out.extend_from_slice(text.as_bytes());
            }
            while next_blank.next_if(|blank| blank.end <= at).is_some() {}
            let in_blank = next_blank.peek().is_some_and(|blank| blank.contains(&at));
            let byte = bytes[at];
            out.push(if in_blank && byte != b'\n' && byte != b'\r' {
                b' '
            } else {
                byte
            });
        }
        let edits = Edits {
            inserts: inserts
                .iter()
                .map(|(at, text)| (at - range.start, text.len()))
                .collect(),
        };
        // Blanking turns every byte of a character into a space, and inserts are ASCII: the
        // text stays UTF-8.
        (String::from_utf8(out).unwrap_or_default(), edits)
    }
}

/// Where an item sits, which decides how it parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// A file or a `mod { .. }`.
    Module,
    Impl,
    Trait,
    Extern,
}

/// Parses `source` item by item after the whole file failed: `None` when even that fails (the
/// caller reports the whole file).
pub(crate) fn recover(source: &str) -> Option<Recovered> {
    let mut patch = Patch::default();
    let mut errors = Vec::new();
    let items = split_items(source, 0..source.len());
    for item in &items {
        recover_item(
            source,
            item.clone(),
            Context::Module,
            &mut patch,
            &mut errors,
        );
    }
    // Most of it fails: not Rust as far as the parser can tell (a template, another language).
    // Inner attributes and doc comments are not items.
    let counted = items
        .iter()
        .filter(|item| !is_inner(&source[(*item).clone()]))
        .count();
    if errors.len() * 2 > counted {
        return None;
    }
    let (text, edits) = patch.apply(source, 0..source.len());
    let file = syn::parse_file(&text).ok()?;
    for (span, _) in &mut errors {
        span.start = edits.to_edited(span.start);
        span.end = edits.to_edited(span.end);
    }
    Some(Recovered {
        file,
        text,
        edits,
        errors,
    })
}

/// Makes one item parse: as it is, with fixes, by recovering the items inside it, or by
/// blanking it (and reporting why).
fn recover_item(
    source: &str,
    item: Range<usize>,
    context: Context,
    patch: &mut Patch,
    errors: &mut Vec<(Span, String)>,
) {
    let text = &source[item.clone()];
    // Inner attributes and doc comments are parsed with the whole file.
    if is_inner(text) {
        return;
    }
    let Err(first) = parses(context, text) else {
        return;
    };
    if never_compiled(text) {
        patch.blanks.push(item);
        return;
    }
    let before = (patch.blanks.len(), patch.inserts.len(), errors.len());
    if fix(source, &item, context, patch) {
        return;
    }
    if let Some((inner_context, body)) = container_body(source, &item) {
        for inner in split_items(source, body) {
            recover_item(source, inner, inner_context, patch, errors);
        }
        let (edited, _) = patch.apply(source, item.clone());
        if parses(context, &edited).is_ok() {
            return;
        }
    }
    // Give the item up: undo what was tried inside it, blank it and report syn's first error.
    patch.blanks.truncate(before.0);
    patch.inserts.truncate(before.1);
    errors.truncate(before.2);
    patch.blanks.push(item.clone());
    let (start, end) = first.0;
    errors.push((
        Span {
            start: item.start + start,
            end: item.start + end.max(start),
            ..Span::default()
        },
        first.1,
    ));
}

/// An inner attribute or doc comment (`#![..]`, `//!`, `/*! */`), cut as an item of its own.
fn is_inner(text: &str) -> bool {
    text.starts_with("#!") || text.starts_with("//!") || text.starts_with("/*!")
}

/// Parses an item's text in its context; on failure, syn's error (its byte range in the text,
/// and its message).
fn parses(context: Context, text: &str) -> Result<(), ((usize, usize), String)> {
    let tokens: proc_macro2::TokenStream =
        text.parse().map_err(|error: proc_macro2::LexError| {
            let range = error.span().byte_range();
            (
                (range.start, range.end),
                format!("cannot lex the item: {error}"),
            )
        })?;
    let result = match context {
        Context::Module => syn::parse2::<syn::File>(tokens).map(drop),
        Context::Impl => syn::parse2::<syn::ImplItem>(tokens).map(drop),
        Context::Trait => syn::parse2::<syn::TraitItem>(tokens).map(drop),
        Context::Extern => syn::parse2::<syn::ForeignItem>(tokens).map(drop),
    };
    result.map_err(|error| {
        let range = error.span().byte_range();
        ((range.start, range.end), error.to_string())
    })
}

/// Applies fixes to an item until it parses; leaves them in `patch` and returns `true` if it
/// does, else removes them again.
fn fix(source: &str, item: &Range<usize>, context: Context, patch: &mut Patch) -> bool {
    let before = (patch.blanks.len(), patch.inserts.len());
    let mut fixed = false;
    if let Some(visibility) = visibility_before_impl(source, item) {
        patch.blanks.push(visibility);
        fixed = true;
    }
    for _ in 0..MAX_FIXES {
        let (edited, edits) = patch.apply(source, item.clone());
        let error = match parses(context, &edited) {
            Ok(()) if fixed => return true,
            Ok(()) => break,
            Err(((start, _), _)) => item.start + edits.to_source(start),
        };
        let Some(at) = bare_fn_trait_start(source, item, error) else {
            break;
        };
        if patch.inserts.iter().any(|(insert_at, _)| *insert_at == at) {
            break;
        }
        patch.inserts.push((at, "dyn "));
        fixed = true;
    }
    patch.blanks.truncate(before.0);
    patch.inserts.truncate(before.1);
    false
}

/// The tokens of a range of the source, with their offsets.
fn tokens(source: &str, range: Range<usize>) -> impl Iterator<Item = (Token<'_>, usize, usize)> {
    let mut at = range.start;
    std::iter::from_fn(move || {
        let (token, start, end) = next_token(source, at)?;
        if start >= range.end {
            return None;
        }
        at = end;
        Some((token, start, end))
    })
}

/// The outer attributes' tokens are skipped; then `pub`, `pub(crate)` or `pub(in path)` before
/// `impl` or `unsafe impl`: its range.
fn visibility_before_impl(source: &str, item: &Range<usize>) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut visibility: Option<Range<usize>> = None;
    let mut words = Vec::new();
    for (token, start, end) in tokens(source, item.clone()) {
        match token {
            Token::Open(_) => depth += 1,
            Token::Close(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(range) = &mut visibility {
                        if words.len() == 1 {
                            range.end = end;
                        }
                    }
                }
            }
            Token::Word(word) if depth == 0 => {
                if word == b"pub" && visibility.is_none() {
                    visibility = Some(start..end);
                } else if visibility.is_some() {
                    match word {
                        b"unsafe" => {}
                        b"impl" => return visibility,
                        _ => return None,
                    }
                } else {
                    return None;
                }
                words.push(word);
            }
            _ => {}
        }
    }
    None
}

/// When syn's error is at the `(` of a bare `Fn(..)`, `FnMut(..)` or `FnOnce(..)` in a type
/// (`Box<Fn(u8)>`): where its path starts, for a `dyn ` to go.
fn bare_fn_trait_start(source: &str, item: &Range<usize>, error: usize) -> Option<usize> {
    if source.as_bytes().get(error) != Some(&b'(') {
        return None;
    }
    // The tokens before the error, to walk back over the path (`std::ops::Fn`).
    let before: Vec<(Token<'_>, usize, usize)> = tokens(source, item.start..error).collect();
    let (last, start, _) = *before.last()?;
    if !matches!(last, Token::Word(b"Fn" | b"FnMut" | b"FnOnce")) {
        return None;
    }
    let mut path_start = start;
    let mut index = before.len() - 1;
    while index >= 3 {
        let colons = matches!(
            (before[index - 1].0, before[index - 2].0),
            (Token::Punct(b':', _), Token::Punct(b':', true))
        );
        if !colons || !matches!(before[index - 3].0, Token::Word(_)) {
            break;
        }
        index -= 3;
        path_start = before[index].1;
    }
    let previous = index.checked_sub(1).map(|at| before[at].0);
    match previous {
        Some(Token::Word(b"dyn" | b"impl")) => None,
        _ => Some(path_start),
    }
}

/// The item carries `#[cfg(any())]`, whose predicate is always false: rustc strips it before
/// checking it.
fn never_compiled(text: &str) -> bool {
    let compact: String = text
        .split("#[")
        .skip(1)
        .map(|attribute| attribute.split(']').next().unwrap_or(""))
        .map(|attribute| attribute.split_whitespace().collect::<String>())
        .filter(|attribute| attribute == "cfg(any())")
        .collect();
    !compact.is_empty()
}

/// For an `impl`, `trait`, `mod` or `extern` block: the context of the items inside and the range
/// of its body, between its braces.
fn container_body(source: &str, item: &Range<usize>) -> Option<(Context, Range<usize>)> {
    let mut depth = 0usize;
    let mut context = None;
    let mut after_extern = false;
    let mut body_open = None;
    let mut last_close = None;
    for (token, start, end) in tokens(source, item.clone()) {
        match token {
            Token::Open(bracket) => {
                if depth == 0 && bracket == b'{' && context.is_some() && body_open.is_none() {
                    body_open = Some(end);
                }
                if depth == 0 && bracket == b'{' && after_extern {
                    context = Some(Context::Extern);
                    body_open = Some(end);
                }
                depth += 1;
            }
            Token::Close(bracket) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && bracket == b'}' {
                    last_close = Some((start, end));
                }
            }
            Token::Word(word) if depth == 0 && context.is_none() && !after_extern => match word {
                b"impl" => context = Some(Context::Impl),
                b"trait" => context = Some(Context::Trait),
                b"mod" => context = Some(Context::Module),
                b"extern" => after_extern = true,
                b"fn" | b"struct" | b"enum" | b"union" | b"static" | b"type" | b"use"
                | b"macro_rules" | b"const" | b"let" => return None,
                _ => {}
            },
            Token::Word(_) if after_extern && context.is_none() => return None,
            _ => {}
        }
    }
    let open = body_open?;
    let (close, end) = last_close?;
    let context = context?;
    (end == item.end && open <= close).then_some((context, open..close))
}

/// Cuts a range of the source into items: a `;` or a closing `}` with nothing open ends one
/// (unless an operator or `;` follows the `}`, as in `const X: u8 = { 1 } + 1;`). An inner
/// attribute or inner doc comment is an item of its own. Brackets are matched as rustc
/// recovers from a stray one: a `}` closes up to its `{`, and a `)` or `]` that matches nothing
/// open is skipped.
fn split_items(source: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut stack: Vec<u8> = Vec::new();
    let mut start: Option<usize> = None;
    // An inner attribute: where its `[` is closed, the item ends.
    let mut inner_attribute = false;
    let mut at = range.start;
    while let Some((token, token_start, token_end)) = next_token(source, at) {
        if token_start >= range.end {
            break;
        }
        at = token_end;
        // An item keyword at the start of a line with only `(` or `[` open: the brackets were
        // never closed, and a new item starts here (rustc's parser recovers the same way).
        if let (Token::Word(word), Some(item_start)) = (token, start) {
            let line_start = token_start == 0 || source.as_bytes()[token_start - 1] == b'\n';
            if line_start && !stack.is_empty() && !stack.contains(&b'{') && starts_item(word) {
                items.push(item_start..token_start);
                stack.clear();
                start = None;
            }
        }
        let item_start = *start.get_or_insert(token_start);
        let mut ends = false;
        match token {
            Token::DocComment if stack.is_empty() && item_start == token_start => {
                let text = &source[token_start..];
                ends = text.starts_with("//!") || text.starts_with("/*!");
            }
            Token::Punct(b'#', _) if stack.is_empty() && item_start == token_start => {
                inner_attribute = source[token_end..].trim_start().starts_with('!');
            }
            Token::Open(bracket) => stack.push(bracket),
            Token::Close(bracket) => {
                let opener = match bracket {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if stack.last() == Some(&opener) {
                    stack.pop();
                } else if bracket == b'}' {
                    while let Some(open) = stack.pop() {
                        if open == b'{' {
                            break;
                        }
                    }
                } else if let Some(position) = stack.iter().rposition(|open| *open == opener) {
                    if !stack[position..].contains(&b'{') {
                        stack.truncate(position);
                    }
                }
                if stack.is_empty() {
                    if inner_attribute && bracket == b']' {
                        inner_attribute = false;
                        ends = true;
                    } else if bracket == b'}' {
                        match next_token(source, at) {
                            Some((Token::Punct(b';', _), _, end)) if end <= range.end => {
                                at = end;
                                items.push(item_start..end);
                                start = None;
                                continue;
                            }
                            Some((Token::Punct(operator, _), _, _))
                                if b".?+-*/%^&|=<>!".contains(&operator) => {}
                            Some((Token::Word(b"as" | b"else"), _, _)) => {}
                            _ => ends = true,
                        }
                    }
                }
            }
            Token::Punct(b';', _) if stack.is_empty() => ends = true,
            _ => {}
        }
        if ends {
            let end = if matches!(
                token,
                Token::Punct(b';', _) | Token::Close(_) | Token::DocComment
            ) {
                token_end
            } else {
                at
            };
            items.push(item_start..end);
            start = None;
        }
    }
    if let Some(item_start) = start {
        items.push(item_start..range.end);
    }
    items
}

/// A keyword that starts an item (or its visibility or attributes' item).
fn starts_item(word: &[u8]) -> bool {
    matches!(
        word,
        b"pub"
            | b"fn"
            | b"async"
            | b"impl"
            | b"struct"
            | b"enum"
            | b"union"
            | b"trait"
            | b"mod"
            | b"use"
            | b"static"
            | b"const"
            | b"type"
            | b"extern"
            | b"unsafe"
            | b"macro_rules"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<&str> {
        split_items(text, 0..text.len())
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn items_are_cut_where_rust_ends_them() {
        assert_eq!(
            items("#![allow(x)]\n//! Docs.\nuse a::b;\n/// F.\n#[inline]\nfn f() { g(); }\nconst X: u8 = { 1 } + 1;\nstruct S;\nimpl S { fn h(&self) {} }\nmacro_rules! m { () => {} }\nstatic T: S = S {};\n"),
            [
                "#![allow(x)]",
                "//! Docs.",
                "use a::b;",
                "/// F.\n#[inline]\nfn f() { g(); }",
                "const X: u8 = { 1 } + 1;",
                "struct S;",
                "impl S { fn h(&self) {} }",
                "macro_rules! m { () => {} }",
                "static T: S = S {};",
            ]
        );
    }

    #[test]
    fn a_stray_bracket_stays_inside_its_item() {
        let text = "fn broken() { assert!(\"a\".parse(::<u8>().is_err()); }\nfn fine() {}\n";
        assert_eq!(
            items(text),
            [
                "fn broken() { assert!(\"a\".parse(::<u8>().is_err()); }",
                "fn fine() {}"
            ]
        );
    }

    #[test]
    fn edits_map_offsets_back_to_the_source() {
        let edits = Edits {
            inserts: vec![(4, 4), (10, 4)],
        };
        assert_eq!(edits.to_source(2), 2);
        assert_eq!(edits.to_source(4), 4);
        assert_eq!(edits.to_source(6), 4);
        assert_eq!(edits.to_source(8), 4);
        assert_eq!(edits.to_source(13), 9);
        assert_eq!(edits.to_source(20), 12);
    }

    fn recovered(text: &str) -> Recovered {
        assert!(syn::parse_file(text).is_err(), "syn accepts it: {text}");
        recover(text).expect("recovers")
    }

    #[test]
    fn what_rustc_accepts_before_expansion_is_accepted() {
        let text =
            "#[extension_trait]\npub(crate) impl RoomExt for Room {\n    fn f(&self) {}\n}\n";
        let found = recovered(text);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(found.file.items.len(), 1);
        assert_eq!(found.text.len(), text.len());

        let text = "pub struct App { validator: Option<Rc<Fn(String) -> Result<(), String>>> }\ntype Action = std::ops::Fn(&u8) + Send + Sync;\nfn f(g: &mut FnMut(u8)) {}\n";
        let found = recovered(text);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(found.file.items.len(), 3);
        assert_eq!(found.text.len(), text.len() + 3 * "dyn ".len());
        let at = text.find("FnMut").unwrap();
        let edited_at = found.text.find("FnMut").unwrap();
        assert_eq!(found.edits.to_source(edited_at), at);

        let found = recovered("#[cfg(any())]\nimpl !Trait {}\nfn f() {}\n");
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(found.file.items.len(), 1);
    }

    #[test]
    fn an_item_that_fails_is_reported_and_the_others_are_kept() {
        let text = "fn good() {}\nimpl S {\n    fn fine(&self) {}\n    fn broken(&self, x: ) {}\n}\nfn bad( {\n}\nfn last() {}\n";
        let found = recovered(text);
        let names: Vec<String> = found
            .file
            .items
            .iter()
            .map(|item| quote::ToTokens::to_token_stream(item).to_string())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[1].contains("fine"), "{names:?}");
        assert!(!names[1].contains("broken"), "{names:?}");
        assert_eq!(found.errors.len(), 2, "{:?}", found.errors);
        let first = found.errors[0].0;
        assert_eq!(&text[first.start..first.start + 1], ")");
        assert!(found.errors[1].0.start > text.find("fn bad").unwrap());
    }
}
