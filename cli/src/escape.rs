//! Text from the checkout (source lines, file names, messages that quote code) is untrusted: a
//! raw ESC sequence would reach the terminal, and a newline in a file name would start a line of
//! its own, which a CI runner may read as a workflow command (`::error title=..::`). Every text
//! format writes such text through one of these functions.
//!
//! - [`printable`]: messages, notes, help, labels and anything else printed on one line. Control
//!   characters become escapes (`\n`, `\x1b`, `\u{202e}`).
//! - [`path_label`]: a file's path as a label. Like `printable`, and also distinct for every
//!   path: bytes that are not UTF-8 become `\xFF`, and (on Unix, where it is no separator) a
//!   backslash becomes `\\`, so two files never share a label.
//! - [`source_text`]: the text of a file for source snippets. Each control character is
//!   replaced by a printable one of the same length in bytes, so byte offsets (and columns)
//!   stay valid for codespan's labels.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// Whether a character must not be printed raw: C0 controls (tab and line feed included:
/// callers that keep them check first), DEL, C1 controls, and the bidirectional overrides and
/// isolates of "Trojan Source" (U+202A–U+202E, U+2066–U+2069).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One unsafe character as an escape.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `text` with every unsafe character escaped (tabs too): it prints as one line.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for stderr lines that are multi-line by design: unsafe characters escaped except
/// line feeds and tabs.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    let keep = |c: char| c == '\n' || c == '\t';
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as a label: `./` prefixes dropped (`./src/lib.rs` reads `src/lib.rs`), unsafe
/// characters escaped, invalid UTF-8 bytes as `\xNN`, and on Unix a backslash doubled, so that
/// different paths always get different labels.
pub fn path_label(path: &Path) -> String {
    let trimmed: PathBuf = path
        .components()
        .skip_while(|c| matches!(c, Component::CurDir))
        .collect();
    let trimmed = if trimmed.as_os_str().is_empty() {
        path
    } else {
        trimmed.as_path()
    };
    let bytes = trimmed.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unsafe(c) {
                push_escape(&mut out, c);
            } else if c == '\\' && cfg!(unix) {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
    out
}

/// The text of a file for source snippets: each unsafe character replaced by a printable one
/// of the same length in bytes (`?` for one byte, `¿` for two, `\u{fffd}` for three), keeping
/// tabs, line feeds and the carriage return of a CRLF. Byte offsets into the original text stay
/// valid, and so do columns counted in characters.
pub fn source_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let needs = text
        .char_indices()
        .any(|(at, c)| is_unsafe(c) && !keeps(c, bytes.get(at + 1).copied()));
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        if is_unsafe(c) && !keeps(c, bytes.get(at + 1).copied()) {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '\u{bf}',
                _ => '\u{fffd}',
            });
        } else {
            out.push(c);
        }
    }
    debug_assert_eq!(out.len(), text.len());
    Cow::Owned(out)
}

/// Tab, line feed, and a carriage return right before a line feed print as they should.
fn keeps(c: char, next: Option<u8>) -> bool {
    c == '\t' || c == '\n' || (c == '\r' && next == Some(b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi_overrides() {
        assert_eq!(printable("plain `code`"), "plain `code`");
        assert_eq!(
            printable("a\nb\r\x1b[31m\u{9b}\u{202e}\u{2066}\x7f\t"),
            "a\\nb\\r\\x1b[31m\\u{9b}\\u{202e}\\u{2066}\\x7f\\t"
        );
        assert_eq!(printable_lines("a\nb\x1b\tc"), "a\nb\\x1b\tc");
    }

    #[cfg(unix)]
    #[test]
    fn labels_are_distinct_for_distinct_paths() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let label = |bytes: &[u8]| path_label(Path::new(OsStr::from_bytes(bytes)));
        assert_eq!(label(b"./src/lib.rs"), "src/lib.rs");
        assert_eq!(label(b"/abs/lib.rs"), "/abs/lib.rs");
        assert_eq!(label(b"a\xff.rs"), "a\\xFF.rs");
        assert_eq!(label(b"a\xfe.rs"), "a\\xFE.rs");
        // A file literally named `a\xFF.rs` is another file, with another label.
        assert_eq!(label(b"a\\xFF.rs"), "a\\\\xFF.rs");
        assert_eq!(
            label(b"x\n::error title=x::y.rs"),
            "x\\n::error title=x::y.rs"
        );
        assert_eq!(label(b"e\x1b[2J.rs"), "e\\x1b[2J.rs");
    }

    #[test]
    fn source_text_keeps_every_byte_offset() {
        let text = "let s = \"\x1b[2J\u{9b}\u{202e}\";\r\nok\rx\t\n";
        let shown = source_text(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown.chars().count(), text.chars().count());
        assert_eq!(shown, "let s = \"?[2J\u{bf}\u{fffd}\";\r\nok?x\t\n");
        assert!(matches!(source_text("fn f() {}\r\n"), Cow::Borrowed(_)));
    }
}
