use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{declare_lint, Level};
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
pub(crate) fn diagnostic(path: &str, span: Span, error: &str) -> Diagnostic {
    Diagnostic {
        lint: &PARSE_ERROR,
        level: Level::Deny,
        message: format!("could not parse the file: {error}"),
        primary: Label {
            file: path.to_string(),
            span,
            message: error.to_string(),
        },
        secondary: Vec::new(),
        help: None,
        notes: vec!["nothing in this file was checked".to_string()],
    }
}
