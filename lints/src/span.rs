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
    /// Converts a proc-macro2 span (parsed with `span-locations`) into our span.
    pub(crate) fn from_pm2(span: proc_macro2::Span) -> Span {
        let start = span.start();
        let end = span.end();
        let bytes = span.byte_range();
        Span {
            line: start.line as u32,
            column: start.column as u32 + 1,
            end_line: end.line as u32,
            end_column: end.column as u32 + 1,
            start: bytes.start,
            end: bytes.end,
        }
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

    /// Whether `other` lies inside this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}
