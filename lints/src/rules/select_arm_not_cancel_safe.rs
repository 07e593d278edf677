use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::{FileModel, LossyBranch, RaceKind};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a `select!` branch whose future is not cancel safe when the select can lose its
    /// progress: the select sits in a loop and the future is created anew inside it, or the
    /// resource the future works on outlives the select (it is used again after it, is a field of
    /// `self`, or is a `&mut` parameter whose owner will poll it again).
    ///
    /// Covers `tokio::select!`, `futures::select!`, `futures::select_biased!` (under any import
    /// path), `futures::future::select`, `select_all` and `select_ok`. Only the branch future is
    /// checked, never the handler after `=>`.
    ///
    /// ### Why is this bad?
    /// `select!` drops every branch that does not complete first. A future such as
    /// `read_exact` has already taken bytes off the stream when it is dropped; those bytes are
    /// gone, and the next read starts in the middle of a frame. A `send(value)` that loses the
    /// race drops the value with it. Nothing fails loudly: the protocol is silently out of sync.
    ///
    /// ### Known problems
    /// Library APIs are known from the knowledge base (tokio, futures, async-std, quinn, ...) and
    /// from the `# Cancel safety` docs of the dependencies; the crate's own async functions are
    /// followed through their summaries, across files and crates. A receiver's type is known when
    /// it is declared: a parameter, `self` and its fields, `let x: T`, `T::new(..)`, `T { .. }`.
    /// It is also followed through `Arc::new(..)`, `Arc::clone(&..)`, `Box::pin(..)` and a name
    /// that the module's one glob import of another crate brings in. A method is a knowledge-base
    /// entry only on that entry's type: `.notified()` on the crate's own notification type, or
    /// on a `Notify` of another crate, is not tokio's `Notify::notified`. A name that one of
    /// several glob imports of other crates brings in cannot be told apart and counts as not
    /// visible. When two library APIs share a name and disagree, and the type is not visible,
    /// the more common meaning wins (`send(value)` is taken as a channel send unless the
    /// argument is borrowed, as with `UdpSocket::send(&buf)`).
    /// Losing a queue position (`Mutex::lock`, `Semaphore::acquire`, `Sender::reserve`) is not
    /// reported here.
    ///
    /// A function's `# Cancel safety` docs decide for it when they state its own cancel safety
    /// ("This method is cancel safe", "The returned future is not cancel safe"); a clause about
    /// another item it links to ("However, [`Pending::process`] ... is not cancel safe") is not
    /// about it (see docs/knowledge.md). A clause that refers back to the function only as "it",
    /// next to a link to another item, is read as being about that item.
    ///
    /// A select in a loop whose other branches all leave the loop (`break`, `return`, `?` on an
    /// error) is treated as a one-shot select: the future is dropped at most once, at shutdown,
    /// and is reported only if its resource outlives the select. Dropping one in-flight message
    /// at shutdown is then a policy choice the lint does not second-guess.
    ///
    /// ### Example
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    /// use tokio::sync::mpsc;
    ///
    /// async fn pump(mut stream: TcpStream, mut commands: mpsc::Receiver<String>) -> std::io::Result<()> {
    ///     let mut header = [0u8; 8];
    ///     loop {
    ///         tokio::select! {
    ///             res = stream.read_exact(&mut header) => { res?; }
    ///             Some(cmd) = commands.recv() => println!("{cmd}"),
    ///         }
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    /// use tokio::sync::mpsc;
    ///
    /// async fn pump(mut stream: TcpStream, mut commands: mpsc::Receiver<String>) -> std::io::Result<()> {
    ///     let mut buffer = bytes::BytesMut::with_capacity(4096);
    ///     loop {
    ///         tokio::select! {
    ///             res = stream.read_buf(&mut buffer) => { res?; }
    ///             Some(cmd) = commands.recv() => println!("{cmd}"),
    ///         }
    ///     }
    /// }
    /// ```
    pub SELECT_ARM_NOT_CANCEL_SAFE, "select_arm_not_cancel_safe", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, _model: &FileModel) {
    let workspace = cx.workspace;
    let found = workspace.lossy_branches(cx.file, |race| {
        matches!(
            race.kind,
            RaceKind::Select { .. } | RaceKind::FutureSelect { .. }
        )
    });
    for lossy in found {
        cx.emit(diagnostic(&lossy));
    }
}

fn diagnostic(lossy: &LossyBranch<'_, '_>) -> Diagnostic {
    let construct = match &lossy.race.kind {
        RaceKind::Select { macro_name, .. } => format!("{macro_name}!"),
        RaceKind::FutureSelect { function }
        | RaceKind::Timeout { function }
        | RaceKind::TryJoin { function } => function.clone(),
    };
    let call = super::future_text(lossy.branch);
    Diagnostic::new(
        &SELECT_ARM_NOT_CANCEL_SAFE,
        format!("`{call}` is not cancel safe and is raced in `{construct}`"),
    )
    .primary(
        lossy.branch.span,
        format!(
            "{} when another branch completes first",
            super::loses_briefly(&lossy.loss)
        ),
    )
    .secondary(
        lossy.race.label_span,
        format!("`{construct}` drops the branches that lose"),
    )
    .labels(super::loss_labels(lossy, &call))
    .help_if(super::branch_fix(lossy, &call))
    .notes(super::loss_notes(lossy, &call))
}
