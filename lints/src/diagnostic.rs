//! What the analysis returns: plain data, rendered by the binary.

use crate::lint::{Level, Lint};
use crate::span::Span;

/// A labelled span, in the file being analysed or in another one (`file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The path label of the file the span is in, as it was given to the analysis.
    pub file: String,
    pub span: Span,
    /// A short noun phrase; may be empty.
    pub message: String,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub lint: &'static Lint,
    /// The effective level (never `Allow`: allowed findings are not returned).
    pub level: Level,
    /// Lowercase, no trailing period, code in backticks.
    pub message: String,
    pub primary: Label,
    /// Related places: the loop, the `select!`, the callee that makes a future unsafe...
    pub secondary: Vec<Label>,
    /// The fix, imperative.
    pub help: Option<String>,
    /// Further facts (what is lost, where the knowledge comes from).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// The sort key that makes output deterministic: path, line, column, lint name.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str) {
        (
            self.primary.file.as_str(),
            self.primary.span.line,
            self.primary.span.column,
            self.lint.name,
        )
    }
}
