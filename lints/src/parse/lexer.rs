//! A small lexer of Rust source text, byte by byte, with no allocation per token: words,
//! literals (strings, raw strings, byte and C strings, chars), punctuation, brackets and
//! comments, as Rust lexes them. The depth scan ([`super::depth`]), the item recovery
//! ([`super::recover`]) and the search for suppression comments ([`plain_comments`]) use it, so
//! that none of them mistakes text inside a string literal for code or a comment.

/// A token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token<'t> {
    Word(&'t [u8]),
    Literal,
    /// A punctuation character, and whether another one follows without a space.
    Punct(u8, bool),
    /// An opening bracket: `(`, `[` or `{`.
    Open(u8),
    /// A closing bracket: `)`, `]` or `}`.
    Close(u8),
    /// `///`, `//!`, `/** */` or `/*! */`.
    DocComment,
    /// A plain comment, `//` (`line`) or `/* */`; only returned when asked for.
    Comment {
        line: bool,
    },
}

/// The plain line comments of a text (`// ..`, not doc comments), as byte ranges from the `//`
/// to the end of the line. Text inside string literals (raw, byte, multi-line) and block
/// comments is not a comment.
pub(crate) fn plain_comments(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some((token, start, end)) = token_at(text, i, true) {
        if token == (Token::Comment { line: true }) {
            found.push(start..end);
        }
        i = end;
    }
    found
}

/// The starts of the lines in `range` (after its first) that begin outside any token: not
/// inside a string literal or a comment that spans lines. `range.start` must be where a token
/// starts (or whitespace before one): the text is lexed from there, not from the file's start.
pub(crate) fn code_line_starts(text: &str, range: std::ops::Range<usize>) -> Vec<usize> {
    let bytes = text.as_bytes();
    let end = range.end.min(text.len());
    let mut starts = Vec::new();
    let mut gap = range.start;
    let mut i = range.start;
    loop {
        let next = token_at(text, i, true).filter(|(_, start, _)| *start < end);
        let gap_end = next.map_or(end, |(_, start, _)| start);
        starts.extend(
            bytes[gap..gap_end]
                .iter()
                .enumerate()
                .filter(|(at, byte)| **byte == b'\n' && gap + at + 1 < end)
                .map(|(at, _)| gap + at + 1),
        );
        let Some((_, _, token_end)) = next else { break };
        gap = token_end;
        i = token_end;
    }
    starts
}

/// How a line of a text ends, for a comment appended to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// In code (or after a block comment): a `// ..` comment can be appended.
    Code,
    /// In a line comment (plain or doc): an appended comment would be part of it.
    Comment,
    /// Inside a token that goes on on the next line (a string literal, a block comment).
    InsideToken,
}

/// How each line of `text` ends (its last one too), and whether each line starts outside any
/// token (a comment line inserted above it stays a comment), in one pass of the lexer.
pub(crate) fn line_ends(text: &str) -> (Vec<LineEnd>, Vec<bool>) {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut starts_in_code = vec![true];
    let mut last_is_comment = false;
    let mut i = 0;
    loop {
        let next = token_at(text, i, true);
        let gap_end = next.map_or(text.len(), |(_, start, _)| start);
        for &byte in &bytes[i..gap_end] {
            if byte == b'\n' {
                ends.push(if last_is_comment {
                    LineEnd::Comment
                } else {
                    LineEnd::Code
                });
                starts_in_code.push(true);
                last_is_comment = false;
            }
        }
        let Some((token, start, end)) = next else {
            break;
        };
        for _ in bytes[start..end].iter().filter(|byte| **byte == b'\n') {
            ends.push(LineEnd::InsideToken);
            starts_in_code.push(false);
        }
        last_is_comment = matches!(token, Token::Comment { line: true } | Token::DocComment)
            && !text[start..end].starts_with("/*");
        i = end;
    }
    ends.push(if last_is_comment {
        LineEnd::Comment
    } else {
        LineEnd::Code
    });
    (ends, starts_in_code)
}

/// The next token at or after `i` (past whitespace and plain comments), with its start and end
/// offsets; `None` at the end of the text.
pub(super) fn next_token(text: &str, i: usize) -> Option<(Token<'_>, usize, usize)> {
    token_at(text, i, false)
}

/// What a byte can start, for [`token_at`] and [`word_end`]: one table lookup per byte instead of
/// a chain of comparisons (the depth scan lexes every file, so this loop is hot).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII white space: space and 9 to 13.
    Space,
    /// A letter or `_`.
    Letter,
    Digit,
    /// A byte of a non-ASCII character.
    High,
    Slash,
    Open,
    Close,
    DoubleQuote,
    Quote,
    /// Punctuation that can be part of a multi-character operator.
    Operator,
    /// Anything else (`,`, `;`, control characters): a punctuation token of its own.
    Other,
}

const CLASSES: [Class; 256] = {
    let mut classes = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        classes[b] = match byte {
            b' ' | 0x09..=0x0d => Class::Space,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => Class::Letter,
            b'0'..=b'9' => Class::Digit,
            0x80.. => Class::High,
            b'/' => Class::Slash,
            b'(' | b'[' | b'{' => Class::Open,
            b')' | b']' | b'}' => Class::Close,
            b'"' => Class::DoubleQuote,
            b'\'' => Class::Quote,
            b',' | b';' => Class::Other,
            _ if byte.is_ascii_punctuation() => Class::Operator,
            _ => Class::Other,
        };
        b += 1;
    }
    classes
};

fn class(b: u8) -> Class {
    CLASSES[usize::from(b)]
}

/// Whether `b` can be part of a multi-character operator (`/` too).
fn is_operator(b: u8) -> bool {
    matches!(class(b), Class::Operator | Class::Slash)
}

/// The next token at or after `i`, past whitespace, and past plain comments unless `comments`.
pub(super) fn token_at(
    text: &str,
    mut i: usize,
    comments: bool,
) -> Option<(Token<'_>, usize, usize)> {
    let bytes = text.as_bytes();
    loop {
        let start = i;
        let b = *bytes.get(i)?;
        let next = bytes.get(i + 1).copied();
        let (token, end) = match class(b) {
            Class::Space => {
                i += 1;
                while bytes.get(i).is_some_and(|b| class(*b) == Class::Space) {
                    i += 1;
                }
                continue;
            }
            Class::High if whitespace_at(text, i) > 0 => {
                i += whitespace_at(text, i);
                continue;
            }
            Class::Slash if next == Some(b'/') => {
                let doc = bytes.get(i + 2) == Some(&b'!')
                    || (bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/'));
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |at| i + at);
                if !doc {
                    if comments {
                        return Some((Token::Comment { line: true }, start, i));
                    }
                    continue;
                }
                (Token::DocComment, i)
            }
            Class::Slash if next == Some(b'*') => {
                let doc = bytes.get(i + 2) == Some(&b'!')
                    || (bytes.get(i + 2) == Some(&b'*')
                        && !matches!(bytes.get(i + 3), Some(b'*' | b'/')));
                let mut nested = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        nested += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        nested -= 1;
                        i += 2;
                        if nested == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                if !doc {
                    if comments {
                        return Some((Token::Comment { line: false }, start, i));
                    }
                    continue;
                }
                (Token::DocComment, i)
            }
            Class::Open => (Token::Open(b), i + 1),
            Class::Close => (Token::Close(b), i + 1),
            Class::DoubleQuote => (Token::Literal, skip_string(bytes, i + 1)),
            Class::Quote if next == Some(b'\\') => {
                // A char literal with an escape: '\n', '\'', '\u{..}'.
                let mut end = i + 3;
                while end < bytes.len() && bytes[end] != b'\'' {
                    end += 1;
                }
                (Token::Literal, end + 1)
            }
            Class::Quote => {
                // A char literal ('x') or a lifetime ('a).
                let len = utf8_len(next.unwrap_or(0));
                if bytes.get(i + 1 + len) == Some(&b'\'') {
                    (Token::Literal, i + 2 + len)
                } else {
                    (Token::Punct(b'\'', false), i + 1)
                }
            }
            Class::Digit => {
                // Digits, suffix and fraction (`1_000u32`, `1.5`, not the `..` of `1..2`).
                let mut end = word_end(text, i);
                while bytes.get(end) == Some(&b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    end = word_end(text, end + 1);
                }
                (Token::Literal, end)
            }
            Class::Letter | Class::High => word(text, i),
            _ => (
                Token::Punct(b, is_operator(b) && next.is_some_and(is_operator)),
                i + 1,
            ),
        };
        return Some((token, start, end.min(bytes.len())));
    }
}

/// The word (identifier or keyword) at `i`, or the literal it prefixes (`r"..", b'.', c".."`),
/// and where it ends.
fn word(text: &str, i: usize) -> (Token<'_>, usize) {
    let bytes = text.as_bytes();
    let end = word_end(text, i);
    let word = &bytes[i..end];
    let after = bytes.get(end).copied();
    if end - i > 2 || !matches!(after, Some(b'"' | b'#' | b'\'')) {
        return (Token::Word(word), end);
    }
    let hashes = bytes[end..].iter().take_while(|b| **b == b'#').count();
    if matches!(word, b"r" | b"br" | b"cr") && bytes.get(end + hashes) == Some(&b'"') {
        (
            Token::Literal,
            skip_raw_string(bytes, end + hashes + 1, hashes),
        )
    } else if word == b"r" && hashes == 1 && bytes.get(end + 1).is_some_and(|b| is_word(*b)) {
        // A raw identifier (`r#type`), never a keyword.
        (Token::Word(b"r#"), word_end(text, end + 1))
    } else if matches!(word, b"b" | b"c") && after == Some(b'"') {
        (Token::Literal, skip_string(bytes, end + 1))
    } else if word == b"b" && after == Some(b'\'') {
        let mut past = end + 2 + usize::from(bytes.get(end + 1) == Some(&b'\\'));
        while past < bytes.len() && bytes[past] != b'\'' {
            past += 1;
        }
        (Token::Literal, past + 1)
    } else {
        (Token::Word(word), end)
    }
}

/// Whether `b` can continue an identifier: an ASCII letter, digit or `_`, or a non-ASCII byte.
fn is_word(b: u8) -> bool {
    matches!(class(b), Class::Letter | Class::Digit | Class::High)
}

/// The length of the whitespace character at `i`, or 0: what proc-macro2 skips, ASCII 9 to 13
/// and space, Unicode white space, and the left-to-right and right-to-left marks.
pub(super) fn whitespace_at(text: &str, i: usize) -> usize {
    match text.as_bytes()[i] {
        b' ' | 0x09..=0x0d => 1,
        b if b.is_ascii() => 0,
        _ => text[i..]
            .chars()
            .next()
            .filter(|ch| ch.is_whitespace() || matches!(ch, '\u{200e}' | '\u{200f}'))
            .map_or(0, char::len_utf8),
    }
}

/// The end of the identifier-like run of characters (ASCII letters, digits and `_`, and every
/// non-ASCII character but white space) starting at `i`.
pub(super) fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        let class = class(b);
        if matches!(class, Class::Letter | Class::Digit) {
            i += 1;
        } else if class == Class::High && whitespace_at(text, i) == 0 {
            i += utf8_len(b);
        } else {
            break;
        }
    }
    i
}

/// The length of the UTF-8 character whose first byte is `first`.
pub(super) fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// The offset past a string literal whose body starts at `i`.
pub(super) fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while let Some(at) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        i += at;
        if bytes[i] == b'"' {
            return i + 1;
        }
        i += 2;
    }
    bytes.len().max(i) + 1
}

/// The offset past a raw string literal whose body starts at `i` and ends with `"` and `hashes`
/// hashes.
pub(super) fn skip_raw_string(bytes: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes[i + 1..]
                .iter()
                .take(hashes)
                .take_while(|b| **b == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}
