use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::suppression::{Malformed, COMMENT_FORM};
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Reports a suppression that suppressed nothing: a `// cancel-check: allow(<lint>)` comment,
    /// a `#[cancel_check::allow(<lint>)]` or a `#[cfg_attr(any(), allow(cancel_check::<lint>))]`
    /// attribute naming a lint that found nothing in the code it covers. Also reports a comment
    /// meant as a suppression that is not of the form
    /// `cancel-check: allow(<lint>[, <lint>]) -- <reason>` (a near miss of the marker such as
    /// `cancel_check:` or a missing colon, a misspelt `allow`, a reason not after `--`), with the
    /// comment as it should be written.
    ///
    /// ### Why is this bad?
    /// A stale suppression hides the next real finding in the same place, and tells the reader
    /// about a problem that is no longer there. A malformed comment suppresses nothing, which
    /// its author did not intend.
    ///
    /// ### Known problems
    /// A suppression of a lint that is allowed (by default, in the configuration or on the
    /// command line) is never reported: the tool cannot tell whether it would be used. Nor is
    /// one of `unused_allow`, `unknown_lint` or `parse_error`, nor one on a `mod name;`
    /// declaration, which applies to the module's own files.
    ///
    /// Malformed comments are reported under this lint rather than a lint of their own: such a
    /// comment is an allow that suppresses nothing, and one lint keeps the suppressions honest.
    /// A comment counts as meant for the tool when it starts with `cancel-check:`, or with a
    /// near miss of it followed by `allow` or a misspelling of it and `(`; other prose that
    /// mentions the tool is not read. Only plain `//` comments are read: doc comments, block
    /// comments and string literals never hold suppressions.
    ///
    /// ### Example
    /// ```rust
    /// // cancel-check: allow(select_timer_reset) -- the deadline restarts on purpose
    /// async fn next(rx: &mut tokio::sync::mpsc::Receiver<u32>) -> Option<u32> {
    ///     rx.recv().await
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn next(rx: &mut tokio::sync::mpsc::Receiver<u32>) -> Option<u32> {
    ///     rx.recv().await
    /// }
    /// ```
    pub UNUSED_ALLOW, "unused_allow", Warn
}

/// The finding for a lint named in a suppression that suppressed nothing.
pub(crate) fn diagnostic(name: Span, lint: &str) -> Diagnostic {
    Diagnostic::new(&UNUSED_ALLOW, format!("`allow({lint})` suppresses nothing"))
        .primary(name, format!("no `{lint}` finding here"))
        .help(format!("remove `{lint}` from the suppression"))
}

/// The finding for a comment meant as a suppression that is not one.
pub(crate) fn malformed(comment: &Malformed) -> Diagnostic {
    let fix = match &comment.fix {
        Some(fix) => fix.clone(),
        None => format!("// {COMMENT_FORM}"),
    };
    Diagnostic::new(
        &UNUSED_ALLOW,
        "malformed `cancel-check:` comment suppresses nothing",
    )
    .primary(comment.span, comment.problem.clone())
    .help(format!("write it as `{fix}`"))
}
