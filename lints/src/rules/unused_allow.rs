use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::suppression::COMMENT_FORM;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Reports a suppression that suppressed nothing: a `// cancel-check: allow(<lint>)` comment,
    /// a `#[cancel_check::allow(<lint>)]` or a `#[cfg_attr(any(), allow(cancel_check::<lint>))]`
    /// attribute naming a lint that found nothing in the code it covers. Also reports a
    /// `cancel-check:` comment that is not of the form
    /// `cancel-check: allow(<lint>[, <lint>]) -- <reason>`.
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

/// The finding for a `cancel-check:` comment that is not a suppression.
pub(crate) fn malformed(comment: Span) -> Diagnostic {
    Diagnostic::new(
        &UNUSED_ALLOW,
        "malformed `cancel-check:` comment suppresses nothing",
    )
    .primary(comment, "not a suppression")
    .help(format!("write it as `// {COMMENT_FORM}`"))
}
