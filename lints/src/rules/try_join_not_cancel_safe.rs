use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::workspace::call_text;
use crate::model::{Branch, Callee, FileModel, Loss, LossKind, RaceKind, RaceSite};
use crate::rules::LintContext;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Flags a future that is not cancel safe joined with others in `tokio::try_join!`,
    /// `futures::try_join!`, `futures::future::try_join` / `try_join3..5`, `try_join_all`, or a
    /// `FuturesUnordered`/`FuturesOrdered` drained with `try_collect`/`try_for_each`,
    /// when what it loses outlives the failed join: a write (`write_all`, `tokio::fs::write`, ...)
    /// whose partial result stays on disk or on the wire, or a resource the code goes on with
    /// after the error (a loop that handles the error and goes round again, a use after a join
    /// whose error does not leave).
    ///
    /// ### Why is this bad?
    /// `try_join` returns on the first error and drops the other futures midway. A
    /// `try_join!(primary.write_all(buf), replica.write_all(buf))` that fails on the replica leaves
    /// the primary file half written. Oxide's post-mortem of omicron PR 3707 is one such bug;
    /// the `cancel-safe-futures` crate's `join_then_try!` exists because of it.
    ///
    /// ### Known problems
    /// Only the futures a join visibly builds are checked: `vec![..]`, `[..]`, `.map(|x| ..)`
    /// given to `try_join_all`, or a `FuturesUnordered`/`FuturesOrdered` collected from
    /// `.map(|x| ..)` and drained with `try_collect`/`try_for_each` in the same expression. A set
    /// filled with `push` in a loop is not followed.
    ///
    /// A join drops its futures only when one fails, and then the exchange has failed. A read
    /// lost on that error path is reported only where the code visibly reads the resource
    /// again; when the error is returned (`?`, or a value saying "do not reuse") the resource
    /// may be the caller's (a field of `self`, a `&mut` parameter), but whether the caller reads
    /// it again after the failure is not followed. A join whose error panics (`.unwrap()`,
    /// `.expect(..)`) ends the task and loses nothing anyone reads. A write joined directly is
    /// reported even when the connection it wrote to is dropped on error.
    ///
    /// ### Example
    /// ```rust
    /// use tokio::io::AsyncWriteExt;
    ///
    /// async fn replicate(primary: &mut tokio::fs::File, replica: &mut tokio::fs::File, record: &[u8]) -> std::io::Result<()> {
    ///     tokio::try_join!(primary.write_all(record), replica.write_all(record))?;
    ///     Ok(())
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use tokio::io::AsyncWriteExt;
    ///
    /// async fn replicate(primary: &mut tokio::fs::File, replica: &mut tokio::fs::File, record: &[u8]) -> std::io::Result<()> {
    ///     let (first, second) = tokio::join!(primary.write_all(record), replica.write_all(record));
    ///     first?;
    ///     second?;
    ///     Ok(())
    /// }
    /// ```
    pub TRY_JOIN_NOT_CANCEL_SAFE, "try_join_not_cancel_safe", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    let workspace = cx.workspace;
    // The losses someone misses after the join has failed (a loop that handles the error and
    // goes on, a later use of the resource).
    let missed: Vec<(Span, Span)> = workspace
        .lossy_branches(cx.file, |race| {
            matches!(race.kind, RaceKind::TryJoin { .. })
        })
        .iter()
        .map(|found| (found.race.span, found.branch.span))
        .collect();
    for race in model
        .races
        .iter()
        .filter(|race| matches!(race.kind, RaceKind::TryJoin { .. }))
    {
        for branch in &race.branches {
            let Some(loss) = workspace.branch_loss(cx.file, race, branch) else {
                continue;
            };
            if loss.kind() != LossKind::Data {
                continue;
            }
            let lasting = writes(cx, race, branch) || missed.contains(&(race.span, branch.span));
            if lasting {
                cx.emit(diagnostic(race, branch, &loss));
            }
        }
    }
}

/// A write whose partial result outlives the dropped future (on disk, on the wire).
fn writes(cx: &LintContext<'_>, race: &RaceSite, branch: &Branch) -> bool {
    let Some(op) = &branch.op else { return false };
    let written =
        op.name.starts_with("write") || op.name.starts_with("copy") || op.name == "send_all";
    let fs_write = matches!(
        cx.workspace.resolve(cx.file, race.body, op),
        Some(Callee::Api(api)) if api.effect == Some(crate::knowledge::Effect::FsWrite)
    );
    written || fs_write
}

fn diagnostic(race: &RaceSite, branch: &Branch, loss: &Loss<'_>) -> Diagnostic {
    let call = branch
        .op
        .as_ref()
        .map_or_else(|| "future".to_string(), call_text);
    let construct = match &race.kind {
        RaceKind::TryJoin { function } => function.clone(),
        _ => "try_join".to_string(),
    };
    Diagnostic::new(
        &TRY_JOIN_NOT_CANCEL_SAFE,
        format!("`{call}` is not cancel safe and is joined in `{construct}`"),
    )
    .primary(
        branch.span,
        format!("loses {} when a sibling fails first", super::loses(loss)),
    )
    .secondary(
        race.label_span,
        "returns on the first error and drops the other futures",
    )
    .labels(super::root_label(loss))
    .help(
        "join with `join!` and check the results afterwards (`let (a, b) = tokio::join!(..); a?; b?;`), \
         or use `cancel_safe_futures::join_then_try!`, which waits for every future before returning the first error",
    )
    .note(super::loss_note(loss))
}
