use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Reports a lint name that cancel-check does not know in a suppression: a
    /// `// cancel-check: allow(<lint>)` comment, a `#[cancel_check::allow(<lint>)]` or a
    /// `#[cfg_attr(any(), allow(cancel_check::<lint>))]` attribute.
    ///
    /// ### Why is this bad?
    /// A misspelt name suppresses nothing, so the finding its author meant to silence is still
    /// reported, or worse, the suppression looks like it works until the lint is renamed.
    ///
    /// ### Known problems
    /// None known.
    ///
    /// ### Example
    /// ```rust
    /// async fn f(mut rx: tokio::sync::mpsc::Receiver<u32>) {
    ///     // cancel-check: allow(select_arm_not_cancelsafe)
    ///     while let Some(value) = rx.recv().await {
    ///         println!("{value}");
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn f(mut rx: tokio::sync::mpsc::Receiver<u32>) {
    ///     while let Some(value) = rx.recv().await {
    ///         println!("{value}");
    ///     }
    /// }
    /// ```
    pub UNKNOWN_LINT, "unknown_lint", Deny
}

/// The finding for an unknown lint name in a suppression, with the closest known name when one is
/// close enough.
pub(crate) fn diagnostic(name: Span, lint: &str, closest: Option<&str>) -> Diagnostic {
    Diagnostic::new(&UNKNOWN_LINT, format!("unknown lint `{lint}`"))
        .primary(name, "not a cancel-check lint")
        .help(match closest {
            Some(closest) => format!("did you mean `{closest}`?"),
            None => "run `cargo cancel-check lints` for the list of lints".to_string(),
        })
}
