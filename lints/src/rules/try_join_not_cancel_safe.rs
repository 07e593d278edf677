use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{declare_lint, Level};
use crate::model::workspace::call_text;
use crate::model::{Branch, Callee, FileModel, LossKind, RaceKind, RaceSite};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a future that is not cancel safe joined with others in `tokio::try_join!`,
    /// `futures::try_join!`, `futures::future::try_join` / `try_join3..5`, `try_join_all`, or a
    /// `FuturesUnordered`/`FuturesOrdered` drained with `try_collect`/`try_for_each`,
    /// when what it loses outlives the join: a write (`write_all`, `tokio::fs::write`, ...) whose
    /// partial result stays on disk or on the wire, or a resource used again afterwards, kept in
    /// `self`, or borrowed from the caller.
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
    let uses_method = |name: &str| model.called_methods.contains(name);
    let mut found = Vec::new();
    for race in model
        .races
        .iter()
        .filter(|race| matches!(race.kind, RaceKind::TryJoin { .. }))
    {
        for (index, branch) in race.branches.iter().enumerate() {
            let Some(loss) = super::branch_loss(cx, model, race, branch, &uses_method) else {
                continue;
            };
            if loss.kind != LossKind::Data {
                continue;
            }
            let lasting =
                writes(cx, race, branch) || race.progress_lost(model, index, false).is_some();
            if lasting {
                found.push((
                    race,
                    branch,
                    loss.loses.clone(),
                    loss.note.clone(),
                    loss.why.clone(),
                ));
            }
        }
    }
    for (race, branch, loses, note, why) in found {
        cx.emit(diagnostic(model, race, branch, &loses, note, why));
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

fn diagnostic(
    model: &FileModel,
    race: &RaceSite,
    branch: &Branch,
    loses: &str,
    note: String,
    why: Option<Label>,
) -> Diagnostic {
    let call = branch
        .op
        .as_ref()
        .map_or_else(|| "future".to_string(), call_text);
    let construct = match &race.kind {
        RaceKind::TryJoin { function } => function.clone(),
        _ => "try_join".to_string(),
    };
    let mut secondary = vec![Label {
        file: model.path.clone(),
        span: race.label_span,
        message: "returns on the first error and drops the other futures".to_string(),
    }];
    secondary.extend(why);
    Diagnostic {
        lint: &TRY_JOIN_NOT_CANCEL_SAFE,
        level: Level::Warn,
        message: format!("`{call}` is not cancel safe and is joined in `{construct}`"),
        primary: Label {
            file: model.path.clone(),
            span: branch.span,
            message: format!("loses {loses} when a sibling fails first"),
        },
        secondary,
        help: Some(
            "join with `join!` and check the results afterwards (`let (a, b) = tokio::join!(..); a?; b?;`), \
             or use `cancel_safe_futures::join_then_try!`, which waits for every future before returning the first error"
                .to_string(),
        ),
        notes: vec![note],
    }
}
