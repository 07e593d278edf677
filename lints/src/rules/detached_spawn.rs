use crate::diagnostic::Diagnostic;
use crate::fix::{Applicability, Edit, Suggestion};
use crate::lint::declare_lint;
use crate::model::{DetachedSpawn, FileModel};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a `tokio::spawn(..)` (also `tokio::task::spawn`, `spawn_local`, under any import)
    /// whose `JoinHandle` is dropped at once: the call is a statement of its own, or bound to
    /// `let _ = ..`.
    ///
    /// ### Why is this bad?
    /// The task is unstructured: nothing waits for it, cancels it on shutdown or sees its panic or
    /// error. Its work may be cut off by runtime shutdown at any await, which is cancellation
    /// nobody planned for. Keeping the handle (or a `JoinSet`, or a task group) makes the task's
    /// lifetime part of the program's structure.
    ///
    /// ### Known problems
    /// Allowed by default: fire-and-forget tasks are often intended. A handle bound to a named
    /// variable (`let _task = ..`) is taken as deliberate and not reported, even though it is
    /// dropped at the end of the scope.
    ///
    /// The quick fix binds the handle that way (`let _task = tokio::spawn(..)`). It changes
    /// nothing at run time (dropping a `JoinHandle` detaches the task, at once or at the end of
    /// the scope) and supervises nothing: it records that the task is detached on purpose. It
    /// is therefore `MaybeIncorrect`, offered in the editor and applied by `--fix` only with
    /// `--unsafe-fixes`; the fix the lint asks for, awaiting or aborting the handle, is yours
    /// to write.
    ///
    /// ### Example
    /// ```rust
    /// async fn start(mut jobs: tokio::sync::mpsc::Receiver<u64>) {
    ///     tokio::spawn(async move {
    ///         while let Some(job) = jobs.recv().await {
    ///             println!("{job}");
    ///         }
    ///     });
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn start(mut jobs: tokio::sync::mpsc::Receiver<u64>) -> tokio::task::JoinHandle<()> {
    ///     tokio::spawn(async move {
    ///         while let Some(job) = jobs.recv().await {
    ///             println!("{job}");
    ///         }
    ///     })
    /// }
    /// ```
    pub DETACHED_SPAWN, "detached_spawn", Allow
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for spawn in &model.detached_spawns {
        cx.emit(diagnostic(spawn).suggest(cx.source().and_then(|_| mark_detached(spawn))));
    }
}

fn diagnostic(spawn: &DetachedSpawn) -> Diagnostic {
    Diagnostic::new(
        &DETACHED_SPAWN,
        format!("the `JoinHandle` of `{}` is dropped at once", spawn.callee),
    )
    .primary(
        spawn.span,
        "this task is detached: nothing awaits, aborts or observes it",
    )
    .help(
        "keep the `JoinHandle` and await or abort it, or spawn into a `tokio::task::JoinSet` that is joined on shutdown",
    )
}

/// Binds the handle to `_task`: the task is detached on purpose. Changes nothing at run time
/// and fixes nothing, so the author decides.
fn mark_detached(spawn: &DetachedSpawn) -> Option<Suggestion> {
    // `_ = ` up to the call, so that the edit touches the finding.
    let edit = match spawn.wild {
        Some(wild) => Edit::replace(wild.to(spawn.span.start_only()), "_task = "),
        None => Edit::insert(spawn.span.start, "let _task = "),
    };
    Suggestion::new(
        "bind the handle to `_task` to say the task is detached on purpose",
        Applicability::MaybeIncorrect,
        vec![edit],
    )
}
