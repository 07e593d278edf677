use crate::diagnostic::{Diagnostic, Label};
use crate::lint::declare_lint;
use crate::model::loss::HeldBuffer;
use crate::model::{FileModel, FnRef, RaceKind};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a local collection (`Vec`, `String`, `BytesMut`, `VecDeque`, an array filled
    /// piecewise) that accumulates data read from a longer-lived resource (a field of `self`, a
    /// borrowed or `&mut` reader) across `.await`s in a loop, in an async function or block
    /// whose future is raced somewhere in the analysed code (a `select!` branch, a `timeout`, a
    /// `try_join!`, directly or through the functions that await it) where the loss is
    /// observable: the race is in a loop that goes on after it, or the resource is used after
    /// it, kept in `self` or borrowed from the caller, as `select_arm_not_cancel_safe` and
    /// `timeout_not_cancel_safe` decide.
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
    /// What does not count as data read: the errors awaited calls report (`Err(e) =>
    /// errors.push(e)`), and what an await gives back for an item the loop moved out of a local
    /// or a by-value parameter (`for t in tasks { kept.push(filter(t).await) }`: the function
    /// already held it). An await handed the whole item is taken to transform it, even if it
    /// also reads something. Nobody reads the resource again after a race whose loss panics
    /// (`timeout(..).await.unwrap()`), after a select whose other branches all return (a
    /// shutdown branch) on a resource that is not the caller's, or after a failed `try_join!`
    /// whose error ends the exchange: those races are not reported.
    ///
    /// Any await on a resource that outlives the function counts as a read, also a query the
    /// code could simply run again (pages of a database listing collected into a `Vec`): such a
    /// buffer is reported although a dropped future loses nothing that cannot be fetched again.
    /// A buffer is only the `let` in scope where it is filled: a same-named binding of another
    /// `match` arm (a state machine that keeps its progress in `self`) is not it.
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
            file: race.site.file.clone(),
            span: race.site.span,
            message: race_label(&race.kind),
        };
        for held in workspace.held_buffers(cx.file, item.body) {
            cx.emit(diagnostic(&held, &race.kind, raced.clone()));
        }
    }
    for race in &model.races {
        for (index, branch) in race.branches.iter().enumerate() {
            let Some(block) = branch.block_body else {
                continue;
            };
            for held in workspace.held_buffers(cx.file, block) {
                if race
                    .progress_lost(model, index, false, held.resource.as_ref())
                    .is_none()
                {
                    continue;
                }
                let raced = Label::here(race.label_span, block_label(&race.kind));
                cx.emit(diagnostic(&held, &race.kind, raced));
            }
        }
    }
}

/// When the race drops the future.
fn dropped_when(kind: &RaceKind) -> &'static str {
    match kind {
        RaceKind::Select { .. } | RaceKind::FutureSelect { .. } => "when another branch wins",
        RaceKind::Timeout { .. } => "when the time runs out",
        RaceKind::TryJoin { .. } => "when a sibling fails",
    }
}

fn race_label(kind: &RaceKind) -> String {
    match kind {
        RaceKind::TryJoin { .. } => {
            format!("joined here: the future is dropped {}", dropped_when(kind))
        }
        _ => format!("raced here: the future is dropped {}", dropped_when(kind)),
    }
}

fn block_label(kind: &RaceKind) -> String {
    format!("the block's future is dropped here {}", dropped_when(kind))
}

fn diagnostic(held: &HeldBuffer, kind: &RaceKind, raced: Label) -> Diagnostic {
    let name = &held.name;
    Diagnostic::new(
        &BUFFER_HELD_ACROSS_AWAIT,
        format!("`{name}` holds data read across `.await`s in a future that is raced"),
    )
    .primary(
        held.declared,
        format!("`{name}` is dropped with the future {}", dropped_when(kind)),
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

#[cfg(test)]
mod tests {
    use crate::{analyze_file, Config};

    /// The race label says how the race drops the future.
    fn labels(text: &str) -> Vec<(String, Vec<String>)> {
        analyze_file("src/lib.rs", text, &Config::default())
            .into_iter()
            .filter(|found| found.lint.name == "buffer_held_across_await")
            .map(|found| {
                let secondary = found.secondary.iter().map(|l| l.message.clone()).collect();
                (found.primary.message, secondary)
            })
            .collect()
    }

    const READ: &str = "
async fn read_record(s: &mut tokio::net::TcpStream) -> std::io::Result<Vec<u8>> {
    let mut record = Vec::new();
    loop {
        let byte = s.read_u8().await?;
        if byte == b'\\n' { return Ok(record); }
        record.push(byte);
    }
}
";

    #[test]
    fn a_join_drops_the_future_when_a_sibling_fails() {
        let text = format!(
            "{READ}
async fn pair(a: &mut tokio::net::TcpStream, b: &mut tokio::net::TcpStream) {{
    loop {{
        if let Err(e) = tokio::try_join!(read_record(a), read_record(b)) {{ log(e); }}
    }}
}}"
        );
        let found = labels(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        let (primary, secondary) = &found[0];
        assert_eq!(
            primary,
            "`record` is dropped with the future when a sibling fails"
        );
        assert!(secondary
            .contains(&"joined here: the future is dropped when a sibling fails".to_string()));
        assert!(!secondary
            .iter()
            .any(|label| label.contains("does not finish first")));
    }

    #[test]
    fn a_timeout_drops_the_future_when_the_time_runs_out() {
        let text = format!(
            "{READ}
async fn poll(s: &mut tokio::net::TcpStream) {{
    loop {{
        let _ = tokio::time::timeout(D, read_record(s)).await;
    }}
}}"
        );
        let found = labels(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]
            .1
            .contains(&"raced here: the future is dropped when the time runs out".to_string()));
    }
}
