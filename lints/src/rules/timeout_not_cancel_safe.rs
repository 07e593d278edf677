use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::{FileModel, LossyBranch, RaceKind};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a future that is not cancel safe wrapped in `tokio::time::timeout`, `timeout_at` or
    /// a `.timeout(..)` extension, when the loss matters: the timeout sits in a loop or retry and
    /// the future is created anew inside it, or the resource is used again afterwards (also as a
    /// field of `self` or a `&mut` parameter).
    ///
    /// A timeout in a loop whose elapsed case leaves the loop (`?`, a `match` or `if let Err(_) = ..` arm that breaks or returns,
    /// `if timeout(..).await.is_err() { break }`) drops its future at most once and is not
    /// reported for a value the future owned.
    ///
    /// ### Why is this bad?
    /// When the time runs out, `timeout` drops the inner future. A `read_exact` that had read half
    /// a frame loses that half; the retry, or the next read on the same connection, starts in the
    /// middle of the frame and the protocol is out of sync.
    ///
    /// ### Known problems
    /// The lint cannot see whether the caller discards the connection after a timeout error;
    /// when it does, the finding is harmless and can be allowed. A timeout whose error panics
    /// (`timeout(..).await.unwrap()`, `.expect(..)`, as tests write it) is not reported: the task
    /// ends with the future, and nothing reads the resource again; nor is a result bound first
    /// and checked by the very next statement (`let r = timeout(..).await;` then
    /// `assert!(r.is_ok())`, `assert!(matches!(r, Ok(..)))` or `r.unwrap()`). A check further
    /// down is not followed, and the finding stays. The future is judged as in
    /// `select_arm_not_cancel_safe`: knowledge-base APIs, mined dependency docs and the summaries
    /// of the crate's own functions.
    ///
    /// A value the future owns is lost only if it was the caller's to give: an argument written
    /// `x.clone()` (or `to_owned()`, `to_vec()`, `to_string()`), as retry loops pass theirs, or
    /// a name declared outside the loop, loses nothing when the attempt is dropped. A name bound
    /// by a `while let` or `for` pattern is not yet told from one declared outside the loop, so
    /// the loss of an item popped that way is missed (a `let .. else` binding is seen).
    ///
    /// A function that takes its reader by value (`src: impl AsyncRead + Unpin`) and is given a
    /// borrow (`read_frame(&mut stream)`) loses data on the caller's stream, also when it only
    /// hands the reader on to another such function. When it wraps the reader in something of
    /// its own first (`BufReader::new(src)`), the bytes read ahead into the wrapper are lost with
    /// the future, and this is not yet reported.
    ///
    /// ### Example
    /// ```rust
    /// use std::time::Duration;
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    /// use tokio::time::timeout;
    ///
    /// async fn read_header(stream: &mut TcpStream) -> std::io::Result<[u8; 4]> {
    ///     let mut header = [0u8; 4];
    ///     loop {
    ///         match timeout(Duration::from_secs(5), stream.read_exact(&mut header)).await {
    ///             Ok(res) => { res?; return Ok(header); }
    ///             Err(_) => eprintln!("slow peer, retrying"),
    ///         }
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::time::Duration;
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    /// use tokio::time::timeout;
    ///
    /// async fn read_header(stream: &mut TcpStream, buffer: &mut bytes::BytesMut) -> std::io::Result<()> {
    ///     while buffer.len() < 4 {
    ///         match timeout(Duration::from_secs(5), stream.read_buf(buffer)).await {
    ///             Ok(res) => { res?; }
    ///             Err(_) => eprintln!("slow peer, retrying"),
    ///         }
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub TIMEOUT_NOT_CANCEL_SAFE, "timeout_not_cancel_safe", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, _model: &FileModel) {
    let workspace = cx.workspace;
    let found = workspace.lossy_branches(cx.file, |race| {
        matches!(race.kind, RaceKind::Timeout { .. })
    });
    for lossy in found {
        cx.emit(diagnostic(&lossy));
    }
}

fn diagnostic(lossy: &LossyBranch<'_, '_>) -> Diagnostic {
    let call = super::future_text(lossy.branch);
    Diagnostic::new(
        &TIMEOUT_NOT_CANCEL_SAFE,
        format!("`{call}` is not cancel safe and is wrapped in a timeout"),
    )
    .primary(
        lossy.branch.span,
        format!(
            "{} when the time runs out",
            super::loses_briefly(&lossy.loss)
        ),
    )
    .secondary(
        lossy.race.label_span,
        "drops the future when the time runs out",
    )
    .labels(super::loss_labels(lossy, &call))
    .help_if(super::branch_fix(lossy, &call))
    .notes(super::loss_notes(lossy, &call))
}
