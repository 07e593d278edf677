use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Reports an item that could not be parsed as Rust, or a file that could not be parsed or
    /// analysed at all.
    ///
    /// ### Why is this bad?
    /// What was not parsed was not checked. The rest of the run goes on: every other file is
    /// still analysed, and so is every other item of a file with a broken item. The run exits
    /// with code 1.
    ///
    /// ### Known problems
    /// The parser (syn) accepts stable Rust syntax. Where rustc's parser accepts more before
    /// macro expansion, so does this tool: a visibility on an `impl` (which an attribute macro
    /// such as `#[extension_trait]` consumes), bare `Fn(..)` trait objects of editions 2015 and
    /// 2018 (`Box<Fn(u8)>`), items under `#[cfg(any())]`, and cargo-script front matter (a
    /// `---` block at the top, nightly only, which holds the script's manifest). Other syntax
    /// that only nightly rustc or an old edition accepts (anonymous trait method parameters of
    /// 2015, `box` expressions, `try` blocks, generators) is reported.
    ///
    /// When a file does not parse, each of its items is parsed on its own: an item that fails
    /// is reported at syn's error (one finding per item, inside an `impl`, `trait` or `mod` too)
    /// and the other items are analysed. When most of the file's items fail, it is not Rust as
    /// far as the tool can tell (a template, another language) and is reported once, at the
    /// first error. A file named on the command line whose name does not end in `.rs` is not a
    /// Rust file: it is skipped with a warning on stderr, and is not a finding.
    ///
    /// A file larger than 16 MiB is not analysed (nor read): it is reported once, at its start.
    /// Parsing holds about 150 bytes of memory per byte of source, so such a file would need
    /// gigabytes; files that large are generated (bindings, tables). Split it, or leave it out
    /// with `exclude`.
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

/// The finding for a file syn rejects as a whole, at the error's position.
pub(crate) fn diagnostic(span: Span, error: &str) -> Diagnostic {
    Diagnostic::new(&PARSE_ERROR, format!("could not parse the file: {error}"))
        .primary(span, error)
        .note("nothing in this file was checked")
}

/// The finding for an item syn rejects, at the error's position: the rest of its file was
/// analysed.
pub(crate) fn item_diagnostic(span: Span, error: &str) -> Diagnostic {
    Diagnostic::new(&PARSE_ERROR, format!("could not parse this item: {error}"))
        .primary(span, error)
        .note("this item was not checked; the rest of the file was")
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
