use crate::diagnostic::{Diagnostic, Label};
use crate::lint::declare_lint;
use crate::model::loss::HeldBuffer;
use crate::model::{FileModel, FnRef};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a local collection (`Vec`, `String`, `BytesMut`, `VecDeque`, an array filled
    /// piecewise) that accumulates data read from a longer-lived resource across `.await`s in a
    /// loop, in an async function or block whose future is raced somewhere in the analysed code
    /// (a `select!` branch or a `timeout`, directly or through the functions that await it).
    ///
    /// ### Why is this bad?
    /// The data already read lives only in the future. When the race drops the future, the
    /// buffer goes with it, but the bytes are gone from the stream: the next call starts in the
    /// middle of a message. mini-redis keeps its read buffer in the `Connection` for exactly this
    /// reason.
    ///
    /// ### Known problems
    /// A function that nothing in the analysed code races is not reported; a public one is left
    /// to `undocumented_cancel_safety`. The buffer is recognised by its initialiser
    /// (`Vec::new()`, `String::with_capacity(..)`, `BytesMut::new()`, `vec![..]`, `[0; N]`).
    ///
    /// ### Example
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    ///
    /// pub struct Conn { stream: TcpStream }
    ///
    /// impl Conn {
    ///     async fn read_message(&mut self) -> std::io::Result<Vec<u8>> {
    ///         let mut message = Vec::new();
    ///         loop {
    ///             let mut chunk = [0u8; 512];
    ///             let n = self.stream.read(&mut chunk).await?;
    ///             message.extend_from_slice(&chunk[..n]);
    ///             if n == 0 || message.ends_with(b"\n") {
    ///                 return Ok(message);
    ///             }
    ///         }
    ///     }
    ///
    ///     async fn run(&mut self, mut shutdown: tokio::sync::mpsc::Receiver<()>) {
    ///         loop {
    ///             tokio::select! {
    ///                 message = self.read_message() => println!("{message:?}"),
    ///                 _ = shutdown.recv() => println!("still running"),
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use tokio::io::AsyncReadExt;
    /// use tokio::net::TcpStream;
    ///
    /// pub struct Conn { stream: TcpStream, buffer: Vec<u8> }
    ///
    /// impl Conn {
    ///     async fn read_message(&mut self) -> std::io::Result<Vec<u8>> {
    ///         loop {
    ///             if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
    ///                 return Ok(self.buffer.drain(..=end).collect());
    ///             }
    ///             self.stream.read_buf(&mut self.buffer).await?;
    ///         }
    ///     }
    ///
    ///     async fn run(&mut self, mut shutdown: tokio::sync::mpsc::Receiver<()>) {
    ///         loop {
    ///             tokio::select! {
    ///                 message = self.read_message() => println!("{message:?}"),
    ///                 _ = shutdown.recv() => println!("still running"),
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    pub BUFFER_HELD_ACROSS_AWAIT, "buffer_held_across_await", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    let workspace = cx.workspace;
    for (index, item) in model.fns.iter().enumerate() {
        let fn_ref = FnRef {
            file: cx.file,
            index,
        };
        if !item.is_async || item.annotation.is_some() {
            continue;
        }
        let Some(race) = workspace.raced_by(fn_ref) else {
            continue;
        };
        let raced = Label {
            file: race.file.clone(),
            span: race.span,
            message: "raced here: the future is dropped if it does not finish first".to_string(),
        };
        for held in workspace.held_buffers(cx.file, item.body) {
            cx.emit(diagnostic(&held, raced.clone()));
        }
    }
    for race in &model.races {
        for branch in &race.branches {
            let Some(block) = branch.block_body else {
                continue;
            };
            let raced = Label::here(
                race.label_span,
                "the block's future is dropped here when another branch wins",
            );
            for held in workspace.held_buffers(cx.file, block) {
                cx.emit(diagnostic(&held, raced.clone()));
            }
        }
    }
}

fn diagnostic(held: &HeldBuffer, raced: Label) -> Diagnostic {
    let name = &held.name;
    Diagnostic::new(
        &BUFFER_HELD_ACROSS_AWAIT,
        format!("`{name}` holds data read across `.await`s in a future that is raced"),
    )
    .primary(
        held.declared,
        format!("`{name}` is dropped with the future when the race is lost"),
    )
    .secondary(
        held.await_span,
        "the future can be dropped at this await, with the data read so far",
    )
    .secondary(
        held.loop_keyword,
        "the buffer grows across the iterations of this loop",
    )
    .labels([raced])
    .help(format!(
        "keep `{name}` in the struct that owns the resource (as mini-redis's `Connection` keeps its `BytesMut`), \
         or read through a `FramedRead` with a codec"
    ))
}
