use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Reports a file that could not be parsed as Rust, or could not be analysed at all.
    ///
    /// ### Why is this bad?
    /// Nothing in the file was checked. The rest of the run goes on: every other file is still
    /// analysed, and the run exits with code 1.
    ///
    /// ### Known problems
    /// The parser (syn) accepts stable Rust syntax; a file that uses unstable syntax the parser
    /// does not know is reported here even though nightly rustc compiles it.
    ///
    /// ### Example
    /// ```rust
    /// async fn broken( {
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn fixed() {}
    /// ```
    pub PARSE_ERROR, "parse_error", Deny
}

/// The finding for a file syn rejects, at the error's position.
pub(crate) fn diagnostic(span: Span, error: &str) -> Diagnostic {
    Diagnostic::new(&PARSE_ERROR, format!("could not parse the file: {error}"))
        .primary(span, error)
        .note("nothing in this file was checked")
}

/// The finding for a file that could not be analysed at all (unreadable, not UTF-8, an internal
/// error), at its first line.
pub(crate) fn not_analysed(message: &str) -> Diagnostic {
    let start = Span {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        start: 0,
        end: 0,
    };
    Diagnostic::new(&PARSE_ERROR, message)
        .primary(start, "not analysed")
        .note("nothing in this file was checked")
}
