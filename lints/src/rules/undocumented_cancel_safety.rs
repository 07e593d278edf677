use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::{FileModel, FnItem, FnRef, Loss, Safety};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a `pub async fn` (or a `pub fn` returning `impl Future`) that the analysis finds not
    /// cancel safe, whose docs have no `# Cancel safety` section.
    ///
    /// ### Why is this bad?
    /// Callers race public futures in `select!` and `timeout` without reading the body. tokio
    /// documents the cancel safety of every async method for this reason; a library that does
    /// not leaves its users to find out in production.
    ///
    /// ### Known problems
    /// Allowed by default: enable it for library crates with `-W undocumented_cancel_safety`.
    /// Any cancel-safety section or sentence counts as documentation, whatever it says.
    ///
    /// ### Example
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    ///
    /// pub struct Frames { stream: tokio::net::TcpStream }
    ///
    /// impl Frames {
    ///     /// Reads the next frame.
    ///     pub async fn next_frame(&mut self) -> std::io::Result<[u8; 64]> {
    ///         let mut frame = [0u8; 64];
    ///         self.stream.read_exact(&mut frame).await?;
    ///         Ok(frame)
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    ///
    /// pub struct Frames { stream: tokio::net::TcpStream }
    ///
    /// impl Frames {
    ///     /// Reads the next frame.
    ///     ///
    ///     /// # Cancel safety
    ///     ///
    ///     /// This method is not cancel safe: a frame partly read when the future is dropped is
    ///     /// lost, and the stream is left in the middle of it.
    ///     pub async fn next_frame(&mut self) -> std::io::Result<[u8; 64]> {
    ///         let mut frame = [0u8; 64];
    ///         self.stream.read_exact(&mut frame).await?;
    ///         Ok(frame)
    ///     }
    /// }
    /// ```
    pub UNDOCUMENTED_CANCEL_SAFETY, "undocumented_cancel_safety", Allow
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    let workspace = cx.workspace;
    for (index, item) in model.fns.iter().enumerate() {
        if !item.is_pub
            || !item.is_async
            || item.documents_cancel_safety
            || item.annotation.is_some()
        {
            continue;
        }
        let fn_ref = FnRef {
            file: cx.file,
            index,
        };
        let Safety::Unsafe(loss) = workspace.safety(fn_ref) else {
            continue;
        };
        cx.emit(diagnostic(item, loss));
    }
}

fn diagnostic(item: &FnItem, loss: &Loss<'_>) -> Diagnostic {
    let name = &item.name;
    Diagnostic::new(
        &UNDOCUMENTED_CANCEL_SAFETY,
        format!("`{name}` is not cancel safe and its docs do not say so"),
    )
    .primary(
        item.name_span,
        format!("loses {} when its future is dropped", super::loses(loss)),
    )
    .labels(super::root_label(loss))
    .help(
        "add a `# Cancel safety` section to the docs saying what a dropped future loses, or make it cancel safe",
    )
    .note(format!(
        "`{name}` is not cancel safe: {}",
        super::loss_note(loss)
    ))
}
