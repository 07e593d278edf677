//! One byte scan of a source text that bounds how deeply syn would recurse on it: the bracket
//! nesting, and a score of the nesting that has no brackets (prefix operators, closures,
//! references, generic arguments). It reads tokens with [`super::lexer`], which skips comments
//! and string, raw-string and char literals as Rust lexes them; where it is unsure, it scores
//! more, never less.

use super::lexer::{next_token, Token};

/// What [`scan`] found.
pub(crate) struct Depth {
    /// The deepest bracket nesting (`(`, `[`, `{` and attribute brackets); may over-count, never
    /// under-counts.
    pub deepest_bracket: usize,
    /// The score and byte offset of the first token nested deeper than [`MAX_SYNTAX_DEPTH`].
    pub too_deep: Option<(usize, usize)>,
}

/// How deeply expressions, types and patterns may nest without brackets, as a score (see
/// [`scan`]). syn parses prefix operators, closures, `return`, references and generic
/// arguments recursively, and the model walks the resulting trees recursively: `|| || || 0` or
/// `&&&&x` ten thousand times deep would overflow the stack. Real code scores below 3,000.
pub const MAX_SYNTAX_DEPTH: usize = 8192;

/// Score of a token after which syn recurses: a prefix operator, `<`, a closure's bars, a
/// keyword such as `return`, `move` or `dyn`, a bracket that opens an operand.
const DEEP: usize = 16;
/// Score of an assignment operator: syn parses the right-hand side recursively.
const ASSIGN: usize = 4;
/// Score of a binary operator, `?`, `as` or a call: syn loops, but the tree deepens.
const CHAIN: usize = 1;
/// Score of a `.` (a field or method call): a chain of fields costs more stack to walk and
/// clone than other chains.
const DOT: usize = 3;

/// What the previous token of a bracket level was, for [`scan`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing yet, or a `;` or `,`: an operand comes next.
    Start,
    /// The end of an operand: an identifier, a literal, `self`, a `(..)` or `[..]` group.
    Value,
    /// A `{..}` group, which also ends an operand.
    Block,
    /// A keyword after which an operand comes (`return`, `move`, `dyn`, ...).
    Keyword,
    /// `.` or `::`: a field, method or path segment name comes next.
    Name,
    /// `'`: a lifetime or label name comes next.
    Lifetime,
    /// The end of an attribute or doc comment.
    Attribute,
    /// The `!` of a macro call: its body comes next.
    Bang,
    /// An operator, its characters so far (at most three), and whether a punctuation character
    /// follows without a space.
    Operator {
        op: [u8; 3],
        len: usize,
        joint: bool,
    },
}

/// One bracket level of [`scan`].
struct Bracket {
    /// The score of the enclosing levels, up to and including this level's opening bracket.
    base: usize,
    /// The score since the last point where nothing opened on this level can still be open.
    open: usize,
    /// `<` not yet closed by `>` since that point (generic arguments span commas).
    angle: usize,
    /// Between the bars of a closure's parameters (which span commas).
    in_params: bool,
    /// Whether the current operator started where an operand was expected (a prefix operator).
    prefix: bool,
    prev: Prev,
    /// The level is the `[..]` of an attribute.
    attribute: bool,
    /// The previous token is a `{..}` block that began with nothing open: a block statement,
    /// after which even a bracket starts a new statement.
    block_statement: bool,
}

impl Bracket {
    fn new(base: usize, attribute: bool) -> Bracket {
        Bracket {
            base,
            open: 0,
            angle: 0,
            in_params: false,
            prefix: false,
            prev: Prev::Start,
            attribute,
            block_statement: false,
        }
    }

    /// Nothing opened on this level so far can continue past this point.
    fn close_all(&mut self) {
        self.open = 0;
        self.angle = 0;
        self.in_params = false;
    }
}

/// Scans the text once: the deepest bracket nesting (an upper bound, for the exact check), and
/// how deeply the syntax may nest without brackets, with the score and byte offset of the first
/// token where that exceeds [`MAX_SYNTAX_DEPTH`]. No allocation per token.
///
/// Along a path of brackets, each level adds the weights of its tokens since the last point
/// where nothing it opened can still be open: a `;`, a `=>`, a `,` outside generic arguments and
/// closure parameters, or a `{..}` block followed by a new item or statement. Tokens after which
/// syn recurses weigh [`DEEP`], assignments [`ASSIGN`], binary and postfix operators [`CHAIN`];
/// identifiers and literals weigh nothing. So the score bounds both syn's recursion and the
/// depth of the syntax tree. Where its lexer is unsure, it scores more, never less.
pub(crate) fn scan(text: &str) -> Depth {
    let mut depth = Depth {
        deepest_bracket: 0,
        too_deep: None,
    };
    let bytes = text.as_bytes();
    let mut levels = vec![Bracket::new(0, false)];
    let mut i = 0;
    while let Some((token, start, end)) = next_token(text, i) {
        i = end;
        if let Token::Close(_) = token {
            if levels.len() > 1 {
                let closed = levels.pop();
                if let (Some(closed), Some(parent)) = (closed, levels.last_mut()) {
                    if closed.attribute {
                        parent.prev = Prev::Attribute;
                    }
                }
            }
            continue;
        }
        let Some(level) = levels.last_mut() else {
            break;
        };
        let ends_statement = level.prev == Prev::Block
            && match token {
                Token::Word(word) => word != b"else" && word != b"as",
                Token::Literal | Token::DocComment => true,
                Token::Punct(ch, _) => ch == b'#' || ch == b'\'',
                Token::Open(_) => level.block_statement,
                Token::Close(_) | Token::Comment { .. } => false,
            };
        if ends_statement {
            level.close_all();
        }
        level.block_statement = false;
        let operand_expected = !matches!(level.prev, Prev::Value | Prev::Block);
        let mut opens = None;
        let weight = match token {
            Token::Word(word) => {
                let (weight, prev) = if matches!(level.prev, Prev::Name | Prev::Lifetime) {
                    (0, Prev::Value)
                } else {
                    if matches!(word, b"pub" | b"struct" | b"enum" | b"trait" | b"mod") {
                        // These only start an item or a field: nothing before is still open.
                        level.close_all();
                    }
                    keyword_weight(word, level.prev == Prev::Keyword)
                };
                level.prev = prev;
                weight
            }
            Token::Literal => {
                level.prev = Prev::Value;
                0
            }
            Token::DocComment => {
                let weight = if level.prev == Prev::Attribute {
                    0
                } else {
                    DEEP
                };
                level.prev = Prev::Attribute;
                weight
            }
            Token::Open(bracket) => {
                let brace = bracket == b'{';
                let weight = if matches!(level.prev, Prev::Value | Prev::Block | Prev::Bang) {
                    CHAIN
                } else {
                    DEEP
                };
                level.prev = if brace { Prev::Block } else { Prev::Value };
                level.block_statement = brace && level.open == 0;
                opens = Some(false);
                weight
            }
            Token::Punct(b'#', _) if attribute_follows(bytes, &mut i) => {
                // `#[..]` or `#![..]`: a run of attributes is a flat list.
                let weight = if level.prev == Prev::Attribute {
                    0
                } else {
                    DEEP
                };
                level.prev = Prev::Attribute;
                opens = Some(true);
                weight
            }
            Token::Punct(ch, joint) => {
                punct_weight(level, ch, joint, operand_expected, bytes, &mut i)
            }
            Token::Close(_) | Token::Comment { .. } => 0,
        };
        level.open += weight;
        let here = level.base + level.open;
        if here > MAX_SYNTAX_DEPTH && depth.too_deep.is_none() {
            depth.too_deep = Some((here, start));
        }
        if let Some(attribute) = opens {
            levels.push(Bracket::new(here, attribute));
            depth.deepest_bracket = depth.deepest_bracket.max(levels.len() - 1);
        }
    }
    depth
}

/// The weight of a word and what it leaves as the previous token. Keywords that introduce an
/// operand weigh [`DEEP`], except the chaining `as`, `in`, `else` and an `if` after `else`.
fn keyword_weight(word: &[u8], after_keyword: bool) -> (usize, Prev) {
    match word {
        b"self" | b"Self" | b"super" | b"crate" | b"true" | b"false" => (0, Prev::Value),
        b"as" | b"in" | b"else" => (CHAIN, Prev::Keyword),
        b"if" if after_keyword => (CHAIN, Prev::Keyword),
        b"async" | b"await" | b"become" | b"box" | b"break" | b"const" | b"continue" | b"do"
        | b"dyn" | b"enum" | b"extern" | b"fn" | b"for" | b"if" | b"impl" | b"let" | b"loop"
        | b"macro" | b"match" | b"mod" | b"move" | b"mut" | b"override" | b"priv" | b"pub"
        | b"ref" | b"return" | b"static" | b"struct" | b"trait" | b"try" | b"type" | b"typeof"
        | b"unsafe" | b"unsized" | b"use" | b"virtual" | b"where" | b"while" | b"yield"
        | b"abstract" | b"final" | b"gen" => (DEEP, Prev::Keyword),
        _ => (0, Prev::Value),
    }
}

/// Whether `ch` continues the operator whose characters so far are `op`, as Rust lexes
/// operators (`&&`, `..=`, `>>=`, `::`, `->`, `=>`, ...).
fn continues_operator(op: &[u8], ch: u8) -> bool {
    match ch {
        b'=' => matches!(
            op,
            b"=" | b"!"
                | b"<"
                | b">"
                | b"+"
                | b"-"
                | b"*"
                | b"/"
                | b"%"
                | b"^"
                | b"&"
                | b"|"
                | b"<<"
                | b">>"
                | b".."
        ),
        b'&' => op == b"&",
        b'|' => op == b"|",
        b'<' => op == b"<",
        b'>' => matches!(op, b">" | b"-" | b"="),
        b'.' => matches!(op, b"." | b".."),
        b':' => op == b":",
        _ => false,
    }
}

/// The weight of a punctuation character, updating the level: `;`, `=>` and most `,` close
/// what is open, `<` and `>` track generic arguments, bars track closure parameters.
fn punct_weight(
    level: &mut Bracket,
    ch: u8,
    joint: bool,
    operand_expected: bool,
    bytes: &[u8],
    i: &mut usize,
) -> usize {
    let (mut op, len) = match level.prev {
        Prev::Operator {
            op,
            len,
            joint: true,
        } if continues_operator(&op[..len], ch) => (op, len),
        _ => {
            level.prefix = operand_expected;
            ([0; 3], 0)
        }
    };
    let joined = len > 0;
    let so_far = &op[..len];
    // A prefix operator makes syn recurse; the rest of a binary operator adds nothing.
    let mut weight = match (level.prefix, joined) {
        (true, _) => DEEP,
        (false, false) => CHAIN,
        (false, true) => 0,
    };
    let mut prev = None;
    match ch {
        b';' => {
            level.close_all();
            weight = 0;
            prev = Some(Prev::Start);
        }
        b',' => {
            if level.angle == 0 && !level.in_params {
                level.open = 0;
            }
            weight = 0;
            prev = Some(Prev::Start);
        }
        b'>' if so_far == b"=" => {
            level.close_all();
            weight = 0;
            prev = Some(Prev::Start);
        }
        b'<' => {
            level.angle += 1;
            weight = DEEP;
        }
        b'>' => {
            // Never a prefix operator: it closes generic arguments or compares. Closing
            // generic arguments ends the recursion their `<` opened.
            weight = if joined { 0 } else { CHAIN };
            if so_far != b"-" && level.angle > 0 {
                level.angle -= 1;
                level.open = level.open.saturating_sub(DEEP - CHAIN);
            }
        }
        b'@' => weight = DEEP,
        b'|' if !joined => {
            let pair = joint && bytes.get(*i) == Some(&b'|');
            if pair {
                *i += 1;
            }
            if level.in_params {
                // The closing bar; `||` also opens the next closure's parameters.
                level.in_params = pair;
                weight = DEEP;
            } else if operand_expected {
                level.in_params = !pair;
                weight = DEEP;
            }
            prev = Some(Prev::Operator {
                op,
                len: 0,
                joint: false,
            });
        }
        b'=' if !level.prefix => {
            weight = match so_far {
                b"=" | b"!" | b"<" | b">" | b".." => 0,
                _ => ASSIGN,
            };
        }
        b'\'' => prev = Some(Prev::Lifetime),
        b'.' if !joint && !joined => {
            weight = weight.max(DOT);
            prev = Some(Prev::Name);
        }
        b':' if joined => prev = Some(Prev::Name),
        b'!' if !operand_expected && !joint => prev = Some(Prev::Bang),
        b'?' if !operand_expected => prev = Some(Prev::Value),
        _ => {}
    }
    level.prev = prev.unwrap_or_else(|| {
        if len < op.len() {
            op[len] = ch;
        }
        Prev::Operator {
            op,
            len: (len + 1).min(op.len()),
            joint,
        }
    });
    weight
}

/// Whether the `#` just before `i` starts an attribute (`[` or `![` follows, maybe after
/// whitespace); if so, moves `i` past the `[`.
fn attribute_follows(bytes: &[u8], i: &mut usize) -> bool {
    let mut at = *i;
    let skip = |at: &mut usize| {
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    skip(&mut at);
    if bytes.get(at) == Some(&b'!') {
        at += 1;
        skip(&mut at);
    }
    let attribute = bytes.get(at) == Some(&b'[');
    if attribute {
        *i = at + 1;
    }
    attribute
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_skips_literals_and_comments() {
        let text = r##"fn f<'a>(x: &'a str) { let s = "(((("; let r = r#"[[[["#; let c = '{'; /* { /* ( */ */ // (((
        g(x) }"##;
        assert_eq!(scan(text).deepest_bracket, 2);
        let deep = format!("fn f() {{ {}{} }}", "(".repeat(300), ")".repeat(300));
        assert_eq!(scan(&deep).deepest_bracket, 301);
    }

    #[test]
    fn the_syntax_depth_resets_only_where_nothing_can_stay_open() {
        let many = |unit: &str| unit.repeat(100_000);
        // Flat lists of any length: statements, items, attributes, elements, match arms.
        for flat in [
            format!("fn f() {{ {} }}", many("let x = &*y?.z();")),
            many("#[inline] pub fn f(a: &mut u8) -> Option<Vec<u8>> { None }\n"),
            format!("static T: &[&u8] = &[{}];", many("&1, ")),
            format!(
                "fn f() {{ match x {{ {} }} }}",
                many("Some(a) => { g(a) } ")
            ),
            format!(
                "fn f() {{ {} }}",
                many("{ let g = m.lock(); drop(g); x().await; } ")
            ),
        ] {
            assert_eq!(scan(&flat).too_deep, None);
        }
        // `|` may be a binary operator, whose chains make deep trees: a pattern of 3,000
        // alternatives passes (the corpus's largest has 700), not one of any length.
        let alternatives = "'a'..='z' | ".repeat(3_000);
        let table = format!("fn f(c: char) -> bool {{ matches!(c, {alternatives} 'x') }}");
        assert_eq!(scan(&table).too_deep, None);
        // Chains and nestings without brackets, including across the commas of closure
        // parameters and generic arguments.
        for deep in [
            many("|| "),
            // proc-macro2 skips Unicode white space and direction marks: so must the scan.
            many("||\u{a0}"),
            many("&\u{200e}"),
            many("!\x0b"),
            many("|a, b| "),
            many("A<B, "),
            many("- "),
            many(".a()"),
            many("+ 1 "),
        ] {
            let (score, offset) = scan(&deep).too_deep.expect("too deep");
            assert!(
                score > MAX_SYNTAX_DEPTH && offset < deep.len(),
                "{score} {offset}"
            );
        }
    }
}
