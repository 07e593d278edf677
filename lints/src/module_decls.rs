//! The `mod` declarations of a source text, for the binary's module tree: which files are
//! modules of a crate, and at which module path (`#[path]` included).
//!
//! Only the item structure is read: the text is lexed with proc-macro2 (whose lexer and token
//! trees do not recurse), and the items of the file and of inline `mod` blocks are walked as
//! token trees. An attribute is `#` and a bracket group, an item ends at its `;` or its body;
//! syn reads the pieces (the `#[path]` string literal, raw identifiers). Nothing is parsed as an
//! expression and no other group is entered, so this never recurses with the file's nesting
//! (syn's own token buffer would), only with the nesting of inline `mod` blocks, bounded by
//! [`MAX_INLINE_DEPTH`]. Declarations inside function bodies and macros are not module items
//! and are not listed. `cfg_attr(.., path = "..")` is not read.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::ext::IdentExt as _;
use syn::Lit;

/// Inline `mod` blocks nested deeper than this are not looked into.
pub const MAX_INLINE_DEPTH: usize = 64;

/// An inline module (`mod name { .. }`) around a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineModule {
    pub name: String,
    /// Its `#[path = "..."]` value: for an inline module, a directory.
    pub path: Option<String>,
}

/// One `mod` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModDecl {
    /// The module's name (a raw identifier without its `r#`).
    pub name: String,
    /// The value of its `#[path = "..."]` attribute.
    pub path: Option<String>,
    /// The inline modules it is declared in, outermost first.
    pub parents: Vec<InlineModule>,
    /// `mod name { .. }` rather than `mod name;`.
    pub inline: bool,
}

/// Every `mod` item of a file, in source order (an inline module before the declarations in
/// it). A text that does not lex has none.
///
/// Lexing records the text in this thread's span table (spans carry locations); the table is
/// cleared before returning (`proc_macro2::extra::invalidate_current_thread_spans`), so do not
/// call this while holding spans of another parse on the same thread.
pub fn module_decls(text: &str) -> Vec<ModDecl> {
    if !mentions_mod(text) {
        return Vec::new();
    }
    let mut decls = Vec::new();
    if let Ok(tokens) = strip_preamble(text).parse::<TokenStream>() {
        items(tokens, &mut Vec::new(), &mut decls);
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    decls
}

/// Whether the text has the word `mod` anywhere: without it, there is no declaration (a byte
/// scan spares lexing most leaf files).
fn mentions_mod(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let mut from = 0;
    while let Some(at) = text[from..].find("mod").map(|at| at + from) {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + 3).copied();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            return true;
        }
        from = at + 3;
    }
    false
}

/// The text without a byte-order mark and a shebang line, which are not tokens.
fn strip_preamble(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.starts_with("#!") && !text.starts_with("#![") {
        return text.find('\n').map_or("", |end| &text[end..]);
    }
    text
}

/// Walks the items of a file or an inline module, recording `mod` items.
fn items(tokens: TokenStream, parents: &mut Vec<InlineModule>, out: &mut Vec<ModDecl>) {
    let mut tokens = tokens.into_iter().peekable();
    // The `#[path]` value among the attributes of the item being read.
    let mut path: Option<String> = None;
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == '#' => {
                // `#[..]`, or an inner `#![..]`.
                if matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                    tokens.next();
                }
                if let Some(TokenTree::Group(group)) = tokens.peek() {
                    if group.delimiter() == Delimiter::Bracket {
                        if let Some(value) = path_value(group.stream()) {
                            path = Some(value);
                        }
                        tokens.next();
                    }
                }
            }
            TokenTree::Ident(ident) if ident == "mod" => {
                let Some(TokenTree::Ident(name)) = tokens.next() else {
                    path = None;
                    continue;
                };
                let name = name.unraw().to_string();
                let path = path.take();
                match tokens.next() {
                    Some(TokenTree::Punct(punct)) if punct.as_char() == ';' => {
                        out.push(ModDecl {
                            name,
                            path,
                            parents: parents.clone(),
                            inline: false,
                        });
                    }
                    Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                        out.push(ModDecl {
                            name: name.clone(),
                            path: path.clone(),
                            parents: parents.clone(),
                            inline: true,
                        });
                        if parents.len() < MAX_INLINE_DEPTH {
                            parents.push(InlineModule { name, path });
                            items(body.stream(), parents, out);
                            parents.pop();
                        }
                    }
                    _ => {}
                }
            }
            // The end of an item: its `;` or its body.
            TokenTree::Punct(punct) if punct.as_char() == ';' => path = None,
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => path = None,
            _ => {}
        }
    }
}

/// `path = "..."` as the whole content of an attribute.
fn path_value(content: TokenStream) -> Option<String> {
    let mut tokens = content.into_iter();
    let (
        Some(TokenTree::Ident(name)),
        Some(TokenTree::Punct(eq)),
        Some(TokenTree::Literal(value)),
        None,
    ) = (tokens.next(), tokens.next(), tokens.next(), tokens.next())
    else {
        return None;
    };
    if name != "path" || eq.as_char() != '=' {
        return None;
    }
    match Lit::new(value) {
        Lit::Str(value) => Some(value.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(
        name: &str,
        path: Option<&str>,
        parents: &[(&str, Option<&str>)],
        inline: bool,
    ) -> ModDecl {
        ModDecl {
            name: name.to_string(),
            path: path.map(str::to_string),
            parents: parents
                .iter()
                .map(|(name, path)| InlineModule {
                    name: name.to_string(),
                    path: path.map(str::to_string),
                })
                .collect(),
            inline,
        }
    }

    #[test]
    fn declarations_paths_and_inline_parents() {
        let text = r#"#![allow(dead_code)]
//! docs
use std::path::Path;
#[cfg(unix)]
#[path = "sys/unix.rs"]
pub(crate) mod sys;
mod r#type;
const X: [u8; 2] = [1, 2];
fn f() { mod in_fn; }
macro_rules! m { () => { mod in_macro; } }
#[path = "thread_files"]
mod thread {
    #[path = "tls.rs"]
    mod local_data;
    mod plain;
    #[doc = "x"] pub mod deeper { mod leaf; }
}
impl X { fn g() {} }
#[cfg_attr(unix, path = "a.rs")]
mod with_cfg_attr;
"#;
        assert_eq!(
            module_decls(text),
            [
                decl("sys", Some("sys/unix.rs"), &[], false),
                decl("type", None, &[], false),
                decl("thread", Some("thread_files"), &[], true),
                decl(
                    "local_data",
                    Some("tls.rs"),
                    &[("thread", Some("thread_files"))],
                    false
                ),
                decl("plain", None, &[("thread", Some("thread_files"))], false),
                decl("deeper", None, &[("thread", Some("thread_files"))], true),
                decl(
                    "leaf",
                    None,
                    &[("thread", Some("thread_files")), ("deeper", None)],
                    false
                ),
                decl("with_cfg_attr", None, &[], false),
            ]
        );
    }

    #[test]
    fn text_without_modules_or_that_does_not_lex() {
        assert!(module_decls("fn model() { let modular = 1; }").is_empty());
        assert!(module_decls("mod a; fn f() { \"unterminated").is_empty());
        assert_eq!(
            module_decls("#!/usr/bin/env run\nmod a;\n"),
            [decl("a", None, &[], false)]
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!(
            "mod a; const X: u8 = {}1{};",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert_eq!(module_decls(&deep), [decl("a", None, &[], false)]);
        let unary = format!(
            "#[path = \"x.rs\"] mod a; #[doc = {}x] mod b;",
            "!".repeat(100_000)
        );
        assert_eq!(
            module_decls(&unary),
            [
                decl("a", Some("x.rs"), &[], false),
                decl("b", None, &[], false)
            ]
        );
        let inline = format!("{}mod leaf;{}", "mod m {".repeat(1000), "}".repeat(1000));
        let decls = module_decls(&inline);
        assert_eq!(decls.len(), MAX_INLINE_DEPTH + 1);
    }
}
