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
    /// range is kept: while a file's model is built ([`with_lines`]), from proc-macro2's line
    /// and column through a line index of the file, else from `byte_range`. Lines and columns
    /// are filled in once per file, in one sweep of its text, for the few spans that end up in
    /// a diagnostic (`analysis::locate`, with [`positions`]).
    pub(crate) fn from_pm2(span: proc_macro2::Span) -> Span {
        let bytes = LINES
            .with(|lines| {
                lines
                    .borrow()
                    .as_ref()
                    .and_then(|lines| lines.byte_range(span))
            })
            .unwrap_or_else(|| span.byte_range());
        debug_assert_eq!(
            bytes,
            span.byte_range(),
            "the line index agrees with proc-macro2"
        );
        Span {
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            start: bytes.start,
            end: bytes.end,
        }
    }

    /// The byte offset where a proc-macro2 span starts: what `Span::from_pm2(span).start`
    /// gives, with one position lookup instead of two.
    pub(crate) fn start_of(span: proc_macro2::Span) -> usize {
        let start = LINES
            .with(|lines| lines.borrow().as_ref()?.byte(span.start()))
            .unwrap_or_else(|| span.byte_range().start);
        debug_assert_eq!(start, span.byte_range().start, "the line index agrees");
        start
    }

    /// The span of a one-token word (an identifier) whose text is `len` bytes long, with one
    /// position lookup instead of two.
    pub(crate) fn of_word(span: proc_macro2::Span, len: usize) -> Span {
        let start = Span::start_of(span);
        let word = Span {
            start,
            end: start + len,
            ..Span::default()
        };
        debug_assert_eq!(word, Span::from_pm2(span), "a word's span");
        word
    }

    /// From the start of `first` to the end of `last` (tokens of one file, in order), with one
    /// position lookup for each end rather than two.
    pub(crate) fn between(first: proc_macro2::Span, last: proc_macro2::Span) -> Span {
        let bytes = LINES
            .with(|lines| {
                let lines = lines.borrow();
                let lines = lines.as_ref()?;
                Some(lines.byte(first.start())?..lines.byte(last.end())?)
            })
            .unwrap_or_else(|| first.byte_range().start..last.byte_range().end);
        debug_assert_eq!(
            bytes,
            first.byte_range().start..last.byte_range().end,
            "the line index agrees with proc-macro2"
        );
        Span {
            start: bytes.start,
            end: bytes.end,
            ..Span::default()
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

    /// The span of an expression, as [`Span::of`] gives it, from the tokens at its two ends
    /// when its shape says where they are: `Span::of` prints the whole expression to tokens
    /// first, which for a call whose arguments hold a block costs as much as the block.
    pub(crate) fn of_expr(expr: &syn::Expr) -> Span {
        let span = ends(expr).map_or_else(
            || Span::of(expr),
            |(first, last)| Span::between(first, last),
        );
        debug_assert_eq!(span, Span::of(expr), "the ends of an expression");
        span
    }

    /// [`Span::of`] a call, as [`Span::of_expr`] finds it.
    pub(crate) fn of_call(call: &syn::ExprCall) -> Span {
        Span::headed(call, &call.attrs, &call.func, call.paren_token.span.close())
    }

    /// [`Span::of`] a method call, as [`Span::of_expr`] finds it.
    pub(crate) fn of_method_call(call: &syn::ExprMethodCall) -> Span {
        Span::headed(
            call,
            &call.attrs,
            &call.receiver,
            call.paren_token.span.close(),
        )
    }

    /// [`Span::of`] a field expression, as [`Span::of_expr`] finds it.
    pub(crate) fn of_field(field: &syn::ExprField) -> Span {
        Span::headed(field, &field.attrs, &field.base, member_span(&field.member))
    }

    /// [`Span::of`] a node that starts with the expression `head` and ends with the token
    /// `last`, from those two ends when `head`'s shape says where it starts.
    fn headed<T: syn::spanned::Spanned>(
        node: &T,
        attrs: &[syn::Attribute],
        head: &syn::Expr,
        last: proc_macro2::Span,
    ) -> Span {
        let span = match ends(head) {
            Some((first, _)) if attrs.is_empty() => Span::between(first, last),
            _ => Span::of(node),
        };
        debug_assert_eq!(span, Span::of(node));
        span
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

/// The spans of the first and last tokens of an expression without attributes, for the shapes
/// whose ends are known tokens or sub-expressions; `None` for the others. They stay
/// proc-macro2 spans, so that only the two ends of the whole expression are converted
/// ([`Span::between`]), not the ends of every sub-expression on the way.
fn ends(expr: &syn::Expr) -> Option<(proc_macro2::Span, proc_macro2::Span)> {
    use syn::Expr;
    let token = |span: proc_macro2::Span| Some((span, span));
    let first = |expr: &Expr| ends(expr).map(|(first, _)| first);
    let last = |expr: &Expr| ends(expr).map(|(_, last)| last);
    let no_attrs = |attrs: &[syn::Attribute]| attrs.is_empty().then_some(());
    match expr {
        Expr::Path(path) => {
            no_attrs(&path.attrs)?;
            if path.qself.is_some() {
                return None;
            }
            let start = match &path.path.leading_colon {
                Some(colon) => colon.spans[0],
                None => path.path.segments.first()?.ident.span(),
            };
            let segment = path.path.segments.last()?;
            let end = match &segment.arguments {
                syn::PathArguments::None => segment.ident.span(),
                syn::PathArguments::AngleBracketed(args) => args.gt_token.span,
                syn::PathArguments::Parenthesized(_) => return None,
            };
            Some((start, end))
        }
        Expr::Lit(lit) => {
            no_attrs(&lit.attrs)?;
            token(lit.lit.span())
        }
        Expr::MethodCall(call) => {
            no_attrs(&call.attrs)?;
            Some((first(&call.receiver)?, call.paren_token.span.close()))
        }
        Expr::Call(call) => {
            no_attrs(&call.attrs)?;
            Some((first(&call.func)?, call.paren_token.span.close()))
        }
        Expr::Field(field) => {
            no_attrs(&field.attrs)?;
            Some((first(&field.base)?, member_span(&field.member)))
        }
        Expr::Await(expr) => {
            no_attrs(&expr.attrs)?;
            Some((first(&expr.base)?, expr.await_token.span))
        }
        Expr::Try(expr) => {
            no_attrs(&expr.attrs)?;
            Some((first(&expr.expr)?, expr.question_token.spans[0]))
        }
        Expr::Index(index) => {
            no_attrs(&index.attrs)?;
            Some((first(&index.expr)?, index.bracket_token.span.close()))
        }
        Expr::Reference(reference) => {
            no_attrs(&reference.attrs)?;
            Some((reference.and_token.spans[0], last(&reference.expr)?))
        }
        Expr::Unary(unary) => {
            no_attrs(&unary.attrs)?;
            let op = match &unary.op {
                syn::UnOp::Deref(star) => star.spans[0],
                syn::UnOp::Not(bang) => bang.spans[0],
                syn::UnOp::Neg(minus) => minus.spans[0],
                _ => return None,
            };
            Some((op, last(&unary.expr)?))
        }
        Expr::Paren(paren) => {
            no_attrs(&paren.attrs)?;
            let span = paren.paren_token.span;
            Some((span.open(), span.close()))
        }
        Expr::Tuple(tuple) => {
            no_attrs(&tuple.attrs)?;
            let span = tuple.paren_token.span;
            Some((span.open(), span.close()))
        }
        Expr::Array(array) => {
            no_attrs(&array.attrs)?;
            let span = array.bracket_token.span;
            Some((span.open(), span.close()))
        }
        Expr::Block(block) => {
            no_attrs(&block.attrs)?;
            let close = block.block.brace_token.span.close();
            match &block.label {
                Some(label) => Some((label.name.apostrophe, close)),
                None => Some((block.block.brace_token.span.open(), close)),
            }
        }
        Expr::Async(block) => {
            no_attrs(&block.attrs)?;
            Some((block.async_token.span, block.block.brace_token.span.close()))
        }
        Expr::Match(expr) => {
            no_attrs(&expr.attrs)?;
            Some((expr.match_token.span, expr.brace_token.span.close()))
        }
        Expr::Macro(mac) => {
            no_attrs(&mac.attrs)?;
            let path = &mac.mac.path;
            let start = match &path.leading_colon {
                Some(colon) => colon.spans[0],
                None => path.segments.first()?.ident.span(),
            };
            let close = match &mac.mac.delimiter {
                syn::MacroDelimiter::Paren(paren) => paren.span.close(),
                syn::MacroDelimiter::Brace(brace) => brace.span.close(),
                syn::MacroDelimiter::Bracket(bracket) => bracket.span.close(),
            };
            Some((start, close))
        }
        Expr::Loop(expr) => {
            no_attrs(&expr.attrs)?;
            Some(labelled(&expr.label, expr.loop_token.span, &expr.body))
        }
        Expr::While(expr) => {
            no_attrs(&expr.attrs)?;
            Some(labelled(&expr.label, expr.while_token.span, &expr.body))
        }
        Expr::ForLoop(expr) => {
            no_attrs(&expr.attrs)?;
            Some(labelled(&expr.label, expr.for_token.span, &expr.body))
        }
        Expr::If(expr) => {
            no_attrs(&expr.attrs)?;
            let end = match &expr.else_branch {
                Some((_, other)) => last(other)?,
                None => expr.then_branch.brace_token.span.close(),
            };
            Some((expr.if_token.span, end))
        }
        Expr::Binary(binary) => {
            no_attrs(&binary.attrs)?;
            Some((first(&binary.left)?, last(&binary.right)?))
        }
        Expr::Assign(assign) => {
            no_attrs(&assign.attrs)?;
            Some((first(&assign.left)?, last(&assign.right)?))
        }
        Expr::Struct(expr) => {
            no_attrs(&expr.attrs)?;
            if expr.qself.is_some() {
                return None;
            }
            let start = match &expr.path.leading_colon {
                Some(colon) => colon.spans[0],
                None => expr.path.segments.first()?.ident.span(),
            };
            Some((start, expr.brace_token.span.close()))
        }
        _ => None,
    }
}

/// The span of a field's name or index.
fn member_span(member: &syn::Member) -> proc_macro2::Span {
    match member {
        syn::Member::Named(ident) => ident.span(),
        syn::Member::Unnamed(index) => index.span,
    }
}

/// The ends of a loop: its label or keyword, and its body's closing brace.
fn labelled(
    label: &Option<syn::Label>,
    keyword: proc_macro2::Span,
    body: &syn::Block,
) -> (proc_macro2::Span, proc_macro2::Span) {
    let start = label
        .as_ref()
        .map_or(keyword, |label| label.name.apostrophe);
    (start, body.brace_token.span.close())
}

thread_local! {
    /// The lines of the text this thread's spans point into while a file's model is built.
    static LINES: std::cell::RefCell<Option<LineIndex>> = const { std::cell::RefCell::new(None) };
}

/// Where each line of a text starts, so that a proc-macro2 span's line and column (a binary
/// search in proc-macro2's own line table) give its bytes without `Span::byte_range`, which
/// walks chars from the nearest offset it has seen and keeps every answer in a tree: on the
/// corpus it cost about as much as the rest of span handling together.
struct LineIndex {
    /// Per line: its first byte, and where its chars' byte offsets start in `chars` (`u32::MAX`
    /// for a line that is all ASCII, where a column is a byte count).
    lines: Vec<(usize, u32)>,
    /// The byte offset (from the line's start) of each char of the non-ASCII lines, and of
    /// their ends.
    chars: Vec<u32>,
    len: usize,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut lines = vec![(0, u32::MAX)];
        lines.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| (at + 1, u32::MAX)));
        let mut chars = Vec::new();
        if !text.is_ascii() {
            let ends: Vec<usize> = lines.iter().skip(1).map(|&(start, _)| start).collect();
            for (index, line) in lines.iter_mut().enumerate() {
                let end = ends.get(index).copied().unwrap_or(text.len());
                let slice = &text[line.0..end];
                if !slice.is_ascii() {
                    line.1 = chars.len() as u32;
                    chars.extend(slice.char_indices().map(|(offset, _)| offset as u32));
                    chars.push(slice.len() as u32);
                }
            }
        }
        LineIndex {
            lines,
            chars,
            len: text.len(),
        }
    }

    /// The span's bytes, when its lines are lines of this text.
    fn byte_range(&self, span: proc_macro2::Span) -> Option<std::ops::Range<usize>> {
        Some(self.byte(span.start())?..self.byte(span.end())?)
    }

    fn byte(&self, at: proc_macro2::LineColumn) -> Option<usize> {
        let &(start, extra) = self.lines.get(at.line.checked_sub(1)?)?;
        let next = self.lines.get(at.line).map_or(self.len, |&(next, _)| next);
        let offset = if extra == u32::MAX {
            start + at.column
        } else {
            let chars = &self.chars[extra as usize..];
            start + *chars.get(at.column)? as usize
        };
        (offset <= next).then_some(offset)
    }
}

/// Runs `build` with the spans of `text` (the text proc-macro2 last parsed on this thread)
/// turned into bytes through a line index of it.
pub(crate) fn with_lines<T>(text: &str, build: impl FnOnce() -> T) -> T {
    struct Reset(Option<LineIndex>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            LINES.with(|lines| *lines.borrow_mut() = previous);
        }
    }
    let previous = LINES.with(|lines| lines.borrow_mut().replace(LineIndex::new(text)));
    let _reset = Reset(previous);
    build()
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
    fn the_line_index_gives_the_bytes_proc_macro2_gives() {
        // Multi-byte chars before and inside tokens, CRLF line ends, a last line without one.
        let text = "fn é() -> &'static str {\r\n    \"ü ß\" }\n\n// ✓ done\nstruct Ω(u8); const X: u8 = 1;";
        let tokens: proc_macro2::TokenStream = text.parse().unwrap();
        fn all(stream: proc_macro2::TokenStream, out: &mut Vec<proc_macro2::Span>) {
            for tree in stream {
                out.push(tree.span());
                if let proc_macro2::TokenTree::Group(group) = tree {
                    out.push(group.span_open());
                    out.push(group.span_close());
                    all(group.stream(), out);
                }
            }
        }
        let mut spans = Vec::new();
        all(tokens, &mut spans);
        let index = LineIndex::new(text);
        assert!(spans.len() > 20);
        for span in spans {
            assert_eq!(index.byte_range(span), Some(span.byte_range()), "{span:?}");
        }
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
