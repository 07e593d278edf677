// Length: about 620 lines of code and 210 of unit tests; the three suppression forms share one
// coverage model (what a comment or attribute covers), which is why they stay in one file.
//! Suppressions written in the source, and what each one covers:
//! - `// cancel-check: allow(<lint>[, <lint>]) -- reason` at the end of a line covers that line;
//!   on a line of its own it covers the next line of code, or the whole item or statement that
//!   starts there (a `fn`, an `impl`, a `mod`, a `let`, a `select!` call...). Above an item's
//!   doc comments and attributes, it covers the item;
//! - `#[cancel_check::allow(<lint>, reason = "...")]` (the runtime shim's attribute) and
//!   `#[cfg_attr(any(), allow(cancel_check::<lint>))]` (plain Rust, compiles on stable) cover the
//!   item, `impl` item, trait item or `let` statement they are on.
//!
//! Only plain `//` comments are read, found with the lexer (`parse::plain_comments`), so that text
//! inside a string literal is never a suppression. A comment meant as one that is not of its form
//! (a near miss of the marker, a misspelt `allow`, a reason without ` -- `) is recorded as
//! malformed, with the comment as it should be written.
//!
//! This module only finds them; the driver applies them and reports the unused and unknown ones.

use syn::parse::Parser as _;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, Meta, Token};

use crate::span::Span;
use crate::syntax::first_token;

/// The marker of a suppression comment.
const MARKER: &str = "cancel-check:";
/// The accepted form, for messages about a malformed comment.
pub const COMMENT_FORM: &str = "cancel-check: allow(<lint>[, <lint>]) -- <reason>";

/// How a suppression is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowForm {
    /// `// cancel-check: allow(..)`.
    Comment,
    /// `#[cancel_check::allow(..)]` or `#[cfg_attr(.., allow(cancel_check::..))]`.
    Attribute,
}

/// One lint named in a suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedLint {
    pub name: String,
    /// The name as written.
    pub span: Span,
}

/// One suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    pub form: AllowForm,
    pub lints: Vec<AllowedLint>,
    /// The bytes it covers: a finding whose primary span starts here is suppressed.
    pub covers: std::ops::Range<usize>,
    /// It covers a `mod name;` declaration, so it also applies to that module's files, where
    /// this file cannot see whether it is used.
    pub reaches_modules: bool,
}

/// The suppressions of a file, and the `cancel-check:` comments that could not be read.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    pub allows: Vec<Allow>,
    /// `mod name;` declarations covered by an allow, with the lints allowed: they apply to the
    /// whole module (its file and its submodules), as `#[allow]` does in rustc.
    pub module_allows: Vec<(String, Vec<String>)>,
    /// Comments that start with the marker, or a near miss of it, but do not have the accepted
    /// form.
    pub malformed: Vec<Malformed>,
}

/// A comment meant as a suppression that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// The whole comment.
    pub span: Span,
    /// What is wrong with it, as a short phrase.
    pub problem: String,
    /// The comment as it should be written, when that is clear.
    pub fix: Option<String>,
}

/// Finds the suppressions of a parsed file. Costs nothing for a file that does not mention
/// the marker or a near miss of it.
pub fn suppressions(file: &syn::File, text: &str) -> Suppressions {
    if !mentions_marker(text) {
        return Suppressions::default();
    }
    let lines = Lines::new(text);
    let mut found = Suppressions::default();
    let comments = comments(text, &lines, &mut found.malformed);
    let targets: Vec<usize> = comments
        .iter()
        .filter_map(|comment| comment.target_line)
        .collect();
    let mut finder = Constructs {
        lines: &lines,
        targets: &targets,
        constructs: Vec::new(),
        attribute_allows: Vec::new(),
        module_declarations: Vec::new(),
    };
    finder.visit_file(file);
    for comment in comments {
        // A comment always covers its own line too: findings about the comment itself
        // (`unknown_lint`, `unused_allow`) can be suppressed by it.
        let own_line = lines.range(comment.line);
        let covers = match comment.target_line {
            None => own_line,
            Some(target) => {
                let below = finder
                    .constructs
                    .iter()
                    .filter(|c| c.first_line <= target && target <= c.head_line)
                    .min_by_key(|c| c.covers.start)
                    .map_or_else(|| lines.range(target), |c| c.covers.clone());
                own_line.start..below.end
            }
        };
        found.allows.push(Allow {
            form: AllowForm::Comment,
            lints: comment.lints,
            covers,
            reaches_modules: false,
        });
    }
    found.allows.extend(finder.attribute_allows);
    for (name, at) in &finder.module_declarations {
        let mut lints = Vec::new();
        for allow in found.allows.iter_mut().filter(|a| a.covers.contains(at)) {
            allow.reaches_modules = true;
            lints.extend(allow.lints.iter().map(|lint| lint.name.clone()));
        }
        if !lints.is_empty() {
            found.module_allows.push((name.clone(), lints));
        }
    }
    // Inner attributes (`#![cfg_attr(any(), allow(cancel_check::..))]`) cover the whole file.
    let inner: Vec<AllowedLint> = file.attrs.iter().flat_map(attribute_lints).collect();
    if !inner.is_empty() {
        found.allows.push(Allow {
            form: AllowForm::Attribute,
            lints: inner,
            covers: 0..text.len(),
            reaches_modules: false,
        });
    }
    found
}

/// For each of `targets` (0-based lines of code), where what a suppression comment on a line of
/// its own right above it would cover ends: the end of the line itself, or of the item or
/// statement that starts there (whichever is later).
pub fn own_line_reach(file: &syn::File, text: &str, targets: &[usize]) -> Vec<usize> {
    let lines = Lines::new(text);
    let mut finder = Constructs {
        lines: &lines,
        targets,
        constructs: Vec::new(),
        attribute_allows: Vec::new(),
        module_declarations: Vec::new(),
    };
    finder.visit_file(file);
    targets
        .iter()
        .map(|&target| {
            let own = lines.range(target).end;
            finder
                .constructs
                .iter()
                .filter(|c| c.first_line <= target && target <= c.head_line)
                .min_by_key(|c| c.covers.start)
                .map_or(own, |c| c.covers.end.max(own))
        })
        .collect()
}

/// Line starts of a text, to turn byte offsets into 0-based line numbers and back.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines { text, starts }
    }

    /// The 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset) - 1
    }

    /// The bytes of a 0-based line, without its newline.
    fn range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }

    fn text(&self, line: usize) -> &'t str {
        &self.text[self.range(line)]
    }
}

/// A suppression comment.
struct Comment {
    /// Its 0-based line.
    line: usize,
    /// For a comment on a line of its own: the next line of code (0-based).
    target_line: Option<usize>,
    lints: Vec<AllowedLint>,
}

/// Every `// cancel-check:` comment of the text, and the comments that look like one but are
/// not of its form. Only plain line comments count: doc comments (`///`, `//!`) may well show
/// the syntax, and text inside a string literal (raw, byte or spanning lines) is not a comment.
fn comments(text: &str, lines: &Lines<'_>, malformed: &mut Vec<Malformed>) -> Vec<Comment> {
    let mut found = Vec::new();
    for range in crate::parse::plain_comments(text) {
        let body = &text[range.start + 2..range.end];
        let Some(directive) = directive(body, range.start + 2) else {
            continue;
        };
        let lints = match directive {
            Directive::Allow(lints) => lints,
            Directive::Malformed { problem, fix } => {
                malformed.push(Malformed {
                    span: byte_span(range.start, range.end),
                    problem,
                    fix,
                });
                continue;
            }
        };
        let line = lines.line_of(range.start);
        let alone = text[lines.starts[line]..range.start].trim().is_empty();
        found.push(Comment {
            line,
            target_line: alone.then(|| next_code_line(lines, line)).flatten(),
            lints,
        });
    }
    found
}

/// What a comment that mentions the marker says.
#[derive(Debug, PartialEq, Eq)]
enum Directive {
    Allow(Vec<AllowedLint>),
    /// It looks like a suppression but is not one: what is wrong, and the comment as it should
    /// be written, when that is clear.
    Malformed {
        problem: String,
        fix: Option<String>,
    },
}

/// Reads a comment's text after its `//` (`offset` is where that text starts in the file):
/// `None` when it is not meant as a suppression. A comment is meant as one when it starts with
/// the marker `cancel-check:`, or with a near miss of it (`cancel_check`, `cancel check`, no
/// colon, other capitals) followed by `allow` or a misspelling of it and a `(`.
fn directive(body: &str, offset: usize) -> Option<Directive> {
    let trimmed = body.trim_start();
    let mut at = offset + (body.len() - trimmed.len());
    let (exact, rest) = match trimmed.strip_prefix(MARKER) {
        Some(rest) => (true, rest),
        None => (false, near_marker(trimmed)?),
    };
    at += trimmed.len() - rest.len();
    let after_verb = rest.trim_start();
    at += rest.len() - after_verb.len();
    let verb_len = after_verb
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(after_verb.len());
    let verb = &after_verb[..verb_len];
    let after = &after_verb[verb_len..];
    let open = after.trim_start();
    let verb_is_allow = verb == "allow";
    let allow_like = verb_is_allow
        || (open.starts_with('(')
            && strsim::damerau_levenshtein(&verb.to_ascii_lowercase(), "allow") <= 2);
    if !exact && !allow_like {
        return None;
    }
    let malformed = |problem: &str, fix: Option<String>| {
        Some(Directive::Malformed {
            problem: problem.to_string(),
            fix,
        })
    };
    if !allow_like {
        return malformed("expected `allow(<lint>)` after the marker", None);
    }
    at += verb_len + (after.len() - open.len());
    let Some(inner) = open.strip_prefix('(') else {
        return malformed("expected `(` after `allow`", None);
    };
    at += 1;
    let Some(close) = inner.find(')') else {
        return malformed("`allow(` is not closed", None);
    };
    let mut lints = Vec::new();
    let mut from = 0;
    for part in inner[..close].split(',') {
        let written = part.trim();
        let start = at + from + (part.len() - part.trim_start().len());
        from += part.len() + 1;
        let name = written
            .strip_prefix("cancel_check::")
            .unwrap_or(written)
            .to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return malformed(&format!("`{written}` is not a lint name"), None);
        }
        lints.push(AllowedLint {
            name,
            span: byte_span(start, start + written.len()),
        });
    }
    let tail = inner[close + 1..].trim();
    let reason = tail.strip_prefix("--").map(str::trim);
    let fix = |reason: &str| {
        let names: Vec<&str> = lints.iter().map(|lint| lint.name.as_str()).collect();
        let reason = if reason.is_empty() {
            "<reason>"
        } else {
            reason
        };
        Some(format!(
            "// {MARKER} allow({}) -- {reason}",
            names.join(", ")
        ))
    };
    if !exact {
        return malformed(
            "the marker is written `cancel-check:`",
            fix(reason.unwrap_or(tail)),
        );
    }
    if !verb_is_allow {
        return malformed(
            &format!("`{verb}` is not `allow`"),
            fix(reason.unwrap_or(tail)),
        );
    }
    if !tail.is_empty() && reason.is_none() {
        let text = tail
            .trim_start_matches(['-', '\u{2013}', '\u{2014}', ':', ','])
            .trim();
        return malformed("the reason is not separated by ` -- `", fix(text));
    }
    Some(Directive::Allow(lints))
}

/// The rest of a comment after a near miss of the marker (`cancel_check:`, `Cancel-Check`,
/// `cancel check`, `cancelcheck`, with or without the colon), or `None`.
fn near_marker(text: &str) -> Option<&str> {
    let word = |text: &'_ str, word: &str| -> Option<usize> {
        text.get(..word.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(word))
            .then_some(word.len())
    };
    let mut at = word(text, "cancel")?;
    if matches!(text.as_bytes().get(at), Some(b'-' | b'_' | b' ')) {
        at += 1;
    }
    at += word(&text[at..], "check")?;
    let rest = &text[at..];
    // `cancel-checks`, `cancel-checker`: another word.
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let rest = rest.trim_start();
    Some(rest.strip_prefix(':').unwrap_or(rest))
}

/// Whether a text may hold a suppression comment or a near miss of one: somewhere `cancel` is
/// followed, after at most one character, by `check`, in any case. A cheap filter before the
/// lexer runs.
fn mentions_marker(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"ancel").any(|at| {
        let after = at + "ancel".len();
        (0..=1).any(|skip| {
            bytes
                .get(after + skip..after + skip + 5)
                .is_some_and(|word| word.eq_ignore_ascii_case(b"check"))
        })
    })
}

/// The next line after `line` that holds code: not blank, not a plain `//` comment.
fn next_code_line(lines: &Lines<'_>, line: usize) -> Option<usize> {
    (line + 1..lines.starts.len()).find(|&next| {
        let text = lines.text(next).trim();
        let plain_comment =
            text.starts_with("//") && !text.starts_with("///") && !text.starts_with("//!");
        !text.is_empty() && !plain_comment
    })
}

fn byte_span(start: usize, end: usize) -> Span {
    Span {
        start,
        end,
        ..Span::default()
    }
}

/// An item or statement a comment above it may cover.
struct Construct {
    /// The 0-based line of its first token (its attributes and docs included).
    first_line: usize,
    /// The 0-based line of its head (`fn`, `impl`, `let`...): a comment between its attributes
    /// and its head still covers it.
    head_line: usize,
    covers: std::ops::Range<usize>,
}

/// Finds the items and statements that start on a line some comment targets, and the
/// attribute suppressions.
struct Constructs<'a, 't> {
    lines: &'a Lines<'t>,
    targets: &'a [usize],
    constructs: Vec<Construct>,
    attribute_allows: Vec<Allow>,
    /// `mod name;` declarations (without a body) and where they start.
    module_declarations: Vec<(String, usize)>,
}

impl Constructs<'_, '_> {
    /// Records a node that starts at `first` with its head at `head`; its whole span is
    /// computed only when a comment targets it.
    fn note<T: syn::spanned::Spanned>(
        &mut self,
        node: &T,
        first: proc_macro2::Span,
        head: proc_macro2::Span,
    ) {
        let first_line = self.lines.line_of(first.byte_range().start);
        let head_line = self.lines.line_of(head.byte_range().start);
        if self
            .targets
            .iter()
            .any(|target| (first_line..=head_line).contains(target))
        {
            let span = Span::of(node);
            self.constructs.push(Construct {
                first_line,
                head_line,
                covers: span.start..span.end,
            });
        }
    }

    /// The attribute suppressions among `attrs`, covering `node`.
    fn attributes<T: syn::spanned::Spanned>(&mut self, attrs: &[Attribute], node: &T) {
        let mut lints = Vec::new();
        for attr in attrs {
            lints.extend(attribute_lints(attr));
        }
        if !lints.is_empty() {
            let span = Span::of(node);
            self.attribute_allows.push(Allow {
                form: AllowForm::Attribute,
                lints,
                covers: span.start..span.end,
                reaches_modules: false,
            });
        }
    }
}

/// The first token of a node: its first attribute, or `head`.
fn first_of(attrs: &[Attribute], head: proc_macro2::Span) -> proc_macro2::Span {
    attrs.first().map_or(head, |attr| attr.pound_token.span)
}

/// The head token of an item: what follows its attributes and visibility.
fn item_head(item: &syn::Item) -> Option<(&[Attribute], proc_macro2::Span)> {
    use syn::Item;
    Some(match item {
        Item::Fn(i) => (&i.attrs, i.sig.fn_token.span),
        Item::Impl(i) => (&i.attrs, i.impl_token.span),
        Item::Mod(i) => (&i.attrs, i.mod_token.span),
        Item::Trait(i) => (&i.attrs, i.trait_token.span),
        Item::Struct(i) => (&i.attrs, i.struct_token.span),
        Item::Enum(i) => (&i.attrs, i.enum_token.span),
        Item::Const(i) => (&i.attrs, i.const_token.span),
        Item::Static(i) => (&i.attrs, i.static_token.span),
        Item::Type(i) => (&i.attrs, i.type_token.span),
        Item::Use(i) => (&i.attrs, i.use_token.span),
        Item::Macro(i) => (&i.attrs, macro_head(&i.mac)),
        _ => return None,
    })
}

fn macro_head(mac: &syn::Macro) -> proc_macro2::Span {
    mac.path
        .segments
        .first()
        .map_or(mac.bang_token.span, |segment| segment.ident.span())
}

impl<'ast> Visit<'ast> for Constructs<'_, '_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if let syn::Item::Mod(module) = item {
            if module.content.is_none() {
                self.module_declarations.push((
                    module.ident.to_string(),
                    module.mod_token.span.byte_range().start,
                ));
            }
        }
        if let Some((attrs, head)) = item_head(item) {
            self.note(item, first_of(attrs, head), head);
            self.attributes(attrs, item);
        }
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let head = match item {
            syn::ImplItem::Fn(f) => Some((&f.attrs, f.sig.fn_token.span)),
            syn::ImplItem::Const(c) => Some((&c.attrs, c.const_token.span)),
            syn::ImplItem::Type(t) => Some((&t.attrs, t.type_token.span)),
            _ => None,
        };
        if let Some((attrs, head)) = head {
            self.note(item, first_of(attrs, head), head);
            self.attributes(attrs, item);
        }
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let head = match item {
            syn::TraitItem::Fn(f) => Some((&f.attrs, f.sig.fn_token.span)),
            syn::TraitItem::Const(c) => Some((&c.attrs, c.const_token.span)),
            syn::TraitItem::Type(t) => Some((&t.attrs, t.type_token.span)),
            _ => None,
        };
        if let Some((attrs, head)) = head {
            self.note(item, first_of(attrs, head), head);
            self.attributes(attrs, item);
        }
        visit::visit_trait_item(self, item);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => {
                let head = local.let_token.span;
                self.note(stmt, first_of(&local.attrs, head), head);
                self.attributes(&local.attrs, stmt);
            }
            syn::Stmt::Expr(expr, _) => {
                let head = first_token(expr);
                self.note(stmt, head, head);
            }
            syn::Stmt::Macro(mac) => {
                let head = macro_head(&mac.mac);
                self.note(stmt, first_of(&mac.attrs, head), head);
            }
            syn::Stmt::Item(_) => {}
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        use syn::spanned::Spanned;
        let head = arm.pat.span();
        self.note(arm, first_of(&arm.attrs, head), head);
        visit::visit_arm(self, arm);
    }
}

/// The lints an attribute allows: `#[cancel_check::allow(a, b, reason = "..")]` or
/// `#[cfg_attr(<any predicate>, allow(cancel_check::a, cancel_check::b))]`.
fn attribute_lints(attr: &Attribute) -> Vec<AllowedLint> {
    let Meta::List(list) = &attr.meta else {
        return Vec::new();
    };
    let segments: Vec<String> = list
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let parser = Punctuated::<Meta, Token![,]>::parse_terminated;
    let Ok(metas) = parser.parse2(list.tokens.clone()) else {
        return Vec::new();
    };
    let name_of = |path: &syn::Path| {
        path.get_ident().map(|ident| AllowedLint {
            name: ident.to_string(),
            span: Span::from_pm2(ident.span()),
        })
    };
    match segments.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["cancel_check", "allow"] => metas
            .iter()
            .filter_map(|meta| match meta {
                Meta::Path(path) => name_of(path),
                _ => None,
            })
            .collect(),
        ["cfg_attr"] => metas
            .iter()
            .skip(1)
            .filter_map(|meta| match meta {
                Meta::List(inner) if inner.path.is_ident("allow") => Some(inner),
                _ => None,
            })
            .flat_map(|allow| {
                parser
                    .parse2(allow.tokens.clone())
                    .map(|lints| lints.into_iter().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .filter_map(|meta| match meta {
                Meta::Path(path)
                    if path.segments.len() == 2 && path.segments[0].ident == "cancel_check" =>
                {
                    let ident = &path.segments[1].ident;
                    Some(AllowedLint {
                        name: ident.to_string(),
                        span: Span::from_pm2(ident.span()),
                    })
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Suppressions {
        let file = syn::parse_file(text).unwrap();
        suppressions(&file, text)
    }

    fn covered<'t>(text: &'t str, allow: &Allow) -> &'t str {
        &text[allow.covers.clone()]
    }

    #[test]
    fn a_trailing_comment_covers_its_line() {
        let text = "fn f() {\n    let x = 1; // cancel-check: allow(select_timer_reset) -- why\n    let y = 2;\n}\n";
        let found = find(text);
        assert_eq!(found.allows.len(), 1);
        assert_eq!(
            covered(text, &found.allows[0]),
            "    let x = 1; // cancel-check: allow(select_timer_reset) -- why"
        );
        assert_eq!(found.allows[0].lints[0].name, "select_timer_reset");
        let span = found.allows[0].lints[0].span;
        assert_eq!(&text[span.start..span.end], "select_timer_reset");
    }

    #[test]
    fn a_comment_above_covers_the_statement_that_starts_below() {
        let text = "async fn f() {\n    // cancel-check: allow(a, b)\n\n    let x = g(\n        1,\n    );\n    h();\n}\n";
        let found = find(text);
        assert_eq!(found.allows.len(), 1);
        assert!(covered(text, &found.allows[0]).starts_with("    // cancel-check: allow(a, b)\n"));
        assert!(covered(text, &found.allows[0]).ends_with("\n    let x = g(\n        1,\n    );"));
        let names: Vec<&str> = found.allows[0]
            .lints
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_comment_above_the_docs_covers_the_item() {
        let text =
            "// cancel-check: allow(x)\n/// Docs.\n#[inline]\nfn f() {\n    g();\n}\nfn h() {}\n";
        let found = find(text);
        assert!(covered(text, &found.allows[0]).starts_with("// cancel-check: allow(x)\n/// Docs."));
        assert!(covered(text, &found.allows[0]).ends_with("g();\n}"));
    }

    #[test]
    fn attributes_cover_their_item() {
        let text = "#[cfg_attr(any(), allow(dead_code, cancel_check::x))]\nfn f() {}\nimpl S {\n    #[cancel_check::allow(y, reason = \"z\")]\n    async fn g(&self) {}\n}\n";
        let found = find(text);
        let names: Vec<(&str, &str)> = found
            .allows
            .iter()
            .map(|a| (a.lints[0].name.as_str(), covered(text, a)))
            .collect();
        assert_eq!(names[0].0, "x");
        assert!(names[0].1.ends_with("fn f() {}"));
        assert_eq!(names[1].0, "y");
        assert!(names[1].1.ends_with("async fn g(&self) {}"));
    }

    #[test]
    fn an_allow_on_a_module_declaration_reaches_the_module() {
        let text = "// cancel-check: allow(x)\nmod legacy;\n#[cfg_attr(any(), allow(cancel_check::y))]\nmod other;\nmod plain;\n";
        let found = find(text);
        assert_eq!(
            found.module_allows,
            [
                ("legacy".to_string(), vec!["x".to_string()]),
                ("other".to_string(), vec!["y".to_string()])
            ]
        );
        assert!(found.allows.iter().all(|allow| allow.reaches_modules));
    }

    #[test]
    fn inner_attributes_cover_the_file() {
        let text = "#![cfg_attr(any(), allow(cancel_check::x))]\nfn f() {}\n";
        let found = find(text);
        assert_eq!(found.allows[0].covers, 0..text.len());
    }

    #[test]
    fn doc_comments_strings_and_malformed_comments() {
        let text = "/// cancel-check: allow(x)\nfn f() {\n    let s = \"// cancel-check: allow(y)\";\n    // cancel-check: alow(z)\n}\n";
        let found = find(text);
        assert!(found.allows.is_empty(), "{:?}", found.allows);
        assert_eq!(found.malformed.len(), 1);
        assert_eq!(
            found.malformed[0].fix.as_deref(),
            Some("// cancel-check: allow(z) -- <reason>")
        );
    }

    #[test]
    fn text_inside_any_string_literal_is_not_a_comment() {
        let text = concat!(
            "const A: &str = \"first line\n// cancel-check: allow(a)\n\";\n",
            "const B: &str = r#\"\n    // cancel-check: allow(b) -- in a raw string\n\"#;\n",
            "const C: &[u8] = b\"\\\"\n// cancel-check: allow(c)\";\n",
            "const D: &str = \"\\\\\"; // cancel-check: allow(d)\n",
            "/* // cancel-check: allow(e) */\n",
            "const F: char = '\"'; // cancel-check: allow(f)\n",
        );
        let found = find(text);
        let names: Vec<&str> = found
            .allows
            .iter()
            .map(|allow| allow.lints[0].name.as_str())
            .collect();
        assert_eq!(names, ["d", "f"]);
        assert!(found.malformed.is_empty(), "{:?}", found.malformed);
    }

    #[test]
    fn near_misses_of_the_form_are_malformed_with_their_fix() {
        let cases = [
            (
                "// cancel-check allow(x)",
                "the marker is written `cancel-check:`",
                Some("// cancel-check: allow(x) -- <reason>"),
            ),
            (
                "// cancel_check: allow(x, y) -- why",
                "the marker is written `cancel-check:`",
                Some("// cancel-check: allow(x, y) -- why"),
            ),
            (
                "// Cancel-Check: allow(x)",
                "the marker is written `cancel-check:`",
                Some("// cancel-check: allow(x) -- <reason>"),
            ),
            (
                "// cancel check: allow(x)",
                "the marker is written `cancel-check:`",
                Some("// cancel-check: allow(x) -- <reason>"),
            ),
            (
                "// cancel-check: alow(x)",
                "`alow` is not `allow`",
                Some("// cancel-check: allow(x) -- <reason>"),
            ),
            (
                "// cancel-check: allow(x) because the peer resends",
                "the reason is not separated by ` -- `",
                Some("// cancel-check: allow(x) -- because the peer resends"),
            ),
            (
                "// cancel-check: allow(x) - resent",
                "the reason is not separated by ` -- `",
                Some("// cancel-check: allow(x) -- resent"),
            ),
            (
                "// cancel-check: ignore x",
                "expected `allow(<lint>)` after the marker",
                None,
            ),
            ("// cancel-check: allow(x", "`allow(` is not closed", None),
        ];
        for (comment, problem, fix) in cases {
            let text = format!("fn f() {{}}\n{comment}\nfn g() {{}}\n");
            let found = find(&text);
            assert!(found.allows.is_empty(), "{comment}: {:?}", found.allows);
            assert_eq!(found.malformed.len(), 1, "{comment}");
            assert_eq!(found.malformed[0].problem, problem, "{comment}");
            assert_eq!(found.malformed[0].fix.as_deref(), fix, "{comment}");
            let span = found.malformed[0].span;
            assert_eq!(&text[span.start..span.end], comment);
        }
    }

    #[test]
    fn prose_about_the_tool_is_not_a_suppression() {
        for comment in [
            "// cancel-check reads every file",
            "// cancel-checker: allow(x)",
            "// run cancel-check: allow(x) is how you suppress",
            "// cancelled, check again",
        ] {
            let text = format!("{comment}\nfn f() {{}}\n");
            let found = find(&text);
            assert!(
                found.allows.is_empty() && found.malformed.is_empty(),
                "{comment}: {found:?}"
            );
        }
    }

    #[test]
    fn lint_names_may_carry_the_tool_prefix_and_any_case() {
        let text =
            "// cancel-check: allow(cancel_check::Select_Timer_Reset, futurelock)\nfn f() {}\n";
        let found = find(text);
        let names: Vec<&str> = found.allows[0]
            .lints
            .iter()
            .map(|lint| lint.name.as_str())
            .collect();
        assert_eq!(names, ["select_timer_reset", "futurelock"]);
        let span = found.allows[0].lints[0].span;
        assert_eq!(
            &text[span.start..span.end],
            "cancel_check::Select_Timer_Reset"
        );
    }
}
