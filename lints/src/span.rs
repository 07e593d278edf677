//! Our own span type. `proc_macro2::Span` never leaves the model: it is converted here, at the
//! edge, into a plain value that can be stored, compared, sent across threads and serialised.

/// A region of one source file: a byte range plus 1-based line and column (columns count chars).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column of the first character, in chars.
    pub column: u32,
    /// 1-based line of the end (exclusive position).
    pub end_line: u32,
    /// 1-based column just past the last character, in chars.
    pub end_column: u32,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl Span {
    /// Converts a proc-macro2 span (parsed with `span-locations`) into our span. Only the byte
    /// range is taken here: lines and columns cost a source-map lookup each, and are filled in
    /// once per file, in one sweep of its text, for the few spans that end up in a diagnostic
    /// (`analysis::locate`, with [`positions`]).
    pub(crate) fn from_pm2(span: proc_macro2::Span) -> Span {
        let bytes = span.byte_range();
        Span {
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            start: bytes.start,
            end: bytes.end,
        }
    }

    /// Fills in the 1-based lines and columns (in chars) from the file's text, if not yet known.
    /// For one span; many spans of one file are placed with [`positions`] in one pass.
    #[cfg(test)]
    fn locate(&mut self, text: &str) {
        if self.line != 0 {
            return;
        }
        let (line, column) = position(text, self.start);
        let (end_line, end_column) = position(text, self.end);
        *self = Span {
            line,
            column,
            end_line,
            end_column,
            ..*self
        };
    }

    /// The span of a syntax node, from its first to its last token.
    pub(crate) fn of<T: syn::spanned::Spanned + ?Sized>(node: &T) -> Span {
        Span::from_pm2(node.span())
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        let first = if self.start <= other.start {
            self
        } else {
            other
        };
        let last = if self.end >= other.end { self } else { other };
        Span {
            line: first.line,
            column: first.column,
            start: first.start,
            end_line: last.end_line,
            end_column: last.end_column,
            end: last.end,
        }
    }

    /// The empty span where this one starts.
    pub fn start_only(self) -> Span {
        Span {
            end_line: self.line,
            end_column: self.column,
            end: self.start,
            ..self
        }
    }

    /// Whether `other` lies inside this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// The 1-based line and column (in chars) of a byte offset (what [`positions`] gives, one at a
/// time; the tests compare the two).
#[cfg(test)]
fn position(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.bytes().filter(|byte| *byte == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

/// The 1-based line and column (in chars) of each of `offsets`, which must be sorted: what
/// [`position`] gives for each, in one pass over the text.
pub(crate) fn positions(text: &str, offsets: &[usize]) -> Vec<(u32, u32)> {
    let (mut line, mut column) = (1u32, 1u32);
    let mut chars = text.char_indices().peekable();
    let mut placed = Vec::with_capacity(offsets.len());
    for &offset in offsets {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        while let Some((_, ch)) = chars.next_if(|(at, _)| *at < offset) {
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        placed.push((line, column));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_one_pass_agree_with_position() {
        let text = "fn a() {}\nlet é = 1;\r\n\n  x";
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        let one_by_one: Vec<(u32, u32)> = offsets.iter().map(|at| position(text, *at)).collect();
        assert_eq!(positions(text, &offsets), one_by_one);
    }

    #[test]
    fn positions_count_lines_and_chars() {
        // `é` is two bytes but one column: the space after it (byte 16) is column 6.
        let text = "fn a() {}\nlet é = 1;\n";
        let mut span = Span {
            start: 16,
            end: 17,
            ..Span::default()
        };
        span.locate(text);
        assert_eq!(
            (span.line, span.column, span.end_line, span.end_column),
            (2, 6, 2, 7)
        );
    }
}
