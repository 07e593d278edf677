use crate::diagnostic::{Diagnostic, Label};
use crate::knowledge::Effect;
use crate::lint::declare_lint;
use crate::model::workspace::{call_text, BlockingWork};
use crate::model::{Callee, FileModel, RaceKind, RaceSite};
use crate::rules::LintContext;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Flags blocking work that cancellation cannot stop, raced in a `select!` branch or under a
    /// `timeout`: a `spawn_blocking` handle, a `tokio::fs` (or `async_std::fs`) operation that
    /// changes the file system (`write`, `copy`, `rename`, `remove_*`, `create_dir*`,
    /// `set_permissions`, `File::write_all`, `sync_all`, ...), or a function of the workspace that
    /// awaits such a file-system change. Read-only operations (`read`, `metadata`, `read_dir`)
    /// are not reported.
    ///
    /// ### Why is this bad?
    /// Dropping the future does not stop a thread: the blocking pool finishes the work later. The
    /// file system is then in a state that may still change after the select has moved on, and a
    /// `timeout` retry can race two writers on one file. This is the structured-concurrency
    /// argument against drop-based cancellation (Nathaniel J. Smith, "Notes on structured
    /// concurrency"): cancellation should be requested, waited for and reported.
    ///
    /// ### Known problems
    /// Work behind a handle created before the loop and polled through `&mut handle` is not
    /// reported (it may be awaited after the select). A `spawn_blocking` inside a called function
    /// is not followed: it is often read-only (a DNS lookup), and only file-system changes are. The knowledge base marks which file-system
    /// operations mutate; other blocking libraries are not known.
    ///
    /// In test code (test fns, `#[cfg(test)]` modules, `tests/` folders) the lint is allowed by
    /// default: a `timeout` around blocking setup there is a deadlock watchdog whose expiry fails
    /// the test, which then retries nothing. `lints-in-tests` in the configuration turns it on.
    ///
    /// ### Example
    /// ```rust
    /// use std::time::Duration;
    ///
    /// async fn save(path: &str, data: Vec<u8>) -> std::io::Result<()> {
    ///     match tokio::time::timeout(Duration::from_secs(1), tokio::fs::write(path, data)).await {
    ///         Ok(done) => done,
    ///         Err(_) => Err(std::io::Error::other("slow disk")),
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn save(path: &str, data: Vec<u8>) -> std::io::Result<()> {
    ///     let path = path.to_string();
    ///     let write = tokio::spawn(async move { tokio::fs::write(path, data).await });
    ///     write.await.map_err(std::io::Error::other)?
    /// }
    /// ```
    pub ABANDONED_BLOCKING_WORK, "abandoned_blocking_work", Warn, tests: Allow
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    let workspace = cx.workspace;
    for race in &model.races {
        if !matches!(
            race.kind,
            RaceKind::Select { .. } | RaceKind::FutureSelect { .. } | RaceKind::Timeout { .. }
        ) {
            continue;
        }
        for branch in race.branches.iter().filter(|branch| !branch.resumed) {
            let Some(op) = &branch.op else { continue };
            let inside = match workspace.resolve(cx.file, race.body, op) {
                Some(Callee::Api(api))
                    if matches!(api.effect, Some(Effect::FsWrite) | Some(Effect::Blocking)) =>
                {
                    None
                }
                Some(Callee::Fn(fn_ref)) => match workspace.blocking_work(fn_ref) {
                    Some(work) => Some(work),
                    None => continue,
                },
                _ => continue,
            };
            let timeout = matches!(race.kind, RaceKind::Timeout { .. });
            cx.emit(diagnostic(
                race,
                branch.span,
                &call_text(op),
                inside,
                timeout,
            ));
        }
    }
}

fn diagnostic(
    race: &RaceSite,
    span: Span,
    call: &str,
    inside: Option<&BlockingWork>,
    timeout: bool,
) -> Diagnostic {
    let dropped = if timeout {
        "drops the future when the time runs out"
    } else {
        "drops the branches that lose"
    };
    Diagnostic::new(
        &ABANDONED_BLOCKING_WORK,
        format!("`{call}` runs blocking work that dropping its future does not stop"),
    )
    .primary(span, "the work goes on after this future is dropped")
    .secondary(race.label_span, dropped)
    .labels(inside.map(|work| Label {
        file: work.site.file.clone(),
        span: work.site.span,
        message: format!("awaits `{}`, which runs on the blocking pool", work.call),
    }))
    .help(
        "await the work in a task of its own (`tokio::spawn`) and race its `JoinHandle`, keep the handle and await it \
         after the select, or make the work cooperative (a cancellation flag it checks, a cancel scope)",
    )
    .note("`spawn_blocking` work and `tokio::fs` operations run on the blocking pool and cannot be aborted")
}
