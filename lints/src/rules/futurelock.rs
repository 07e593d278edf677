use crate::diagnostic::Diagnostic;
use crate::knowledge::{ApiEntry, Verdict};
use crate::lint::declare_lint;
use crate::model::workspace::call_text;
use crate::model::{BodyId, Branch, Callee, FileModel, Operation, RaceKind, RaceSite};
use crate::rules::LintContext;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Flags a "futurelock": a future polled through `&mut fut` in a `select!` is waiting for a
    /// lock, a permit or channel capacity (tokio `Mutex::lock`, `RwLock::read`/`write`,
    /// `Semaphore::acquire`, bounded `Sender::send`/`reserve`), while a handler of the same
    /// select, or code after it that runs while that future is still alive, awaits the same
    /// resource.
    ///
    /// ### Why is this bad?
    /// tokio's locks and semaphores are fair: the pinned future holds its place in the queue (or
    /// has already been handed the lock) but is not polled while the handler runs. The handler
    /// waits behind it forever. The task deadlocks with no lock visibly held. Oxide's RFD 609 and
    /// tokio issue #6450 describe it.
    ///
    /// ### Known problems
    /// The resource is matched by its expression (`state.lock()` and `state.lock()`); two
    /// names for one mutex (a clone of an `Arc`) are not seen as the same. Locks taken inside
    /// other functions called by the handler are not followed yet.
    ///
    /// ### Example
    /// ```rust
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use tokio::sync::Mutex;
    ///
    /// async fn report(state: Arc<Mutex<Vec<u64>>>) {
    ///     let first = state.lock();
    ///     tokio::pin!(first);
    ///     loop {
    ///         tokio::select! {
    ///             guard = &mut first => { println!("{}", guard.len()); break; }
    ///             _ = tokio::time::sleep(Duration::from_secs(1)) => {
    ///                 state.lock().await.push(1);
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use tokio::sync::Mutex;
    ///
    /// async fn report(state: Arc<Mutex<Vec<u64>>>) {
    ///     loop {
    ///         tokio::select! {
    ///             guard = state.lock() => { println!("{}", guard.len()); break; }
    ///             _ = tokio::time::sleep(Duration::from_secs(1)) => {
    ///                 state.lock().await.push(1);
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    pub FUTURELOCK, "futurelock", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for race in &model.races {
        if !matches!(race.kind, RaceKind::Select { .. }) {
            continue;
        }
        for (index, branch) in race.branches.iter().enumerate() {
            if !branch.resumed {
                continue;
            }
            // The pinned future's own wait, or the waits of a pinned `async` block.
            let held: Vec<(&Operation, BodyId)> = match (&branch.op, branch.block_body) {
                (Some(op), _) => vec![(op, race.body)],
                (None, Some(block)) => model.bodies[block]
                    .awaits
                    .iter()
                    .filter_map(|site| site.op.as_ref().map(|op| (op, block)))
                    .collect(),
                (None, None) => Vec::new(),
            };
            for (op, held_in) in held {
                check_held(cx, model, race, index, branch, op, held_in);
            }
        }
    }
}

/// Reports the awaits that wait on the resource `op` (a pinned future's wait) waits on, in a
/// handler of the same select or after it while the future is alive.
fn check_held(
    cx: &mut LintContext<'_>,
    model: &FileModel,
    race: &RaceSite,
    index: usize,
    branch: &Branch,
    op: &Operation,
    held_in: BodyId,
) {
    let Some(resource) = &op.resource else {
        return;
    };
    if !waits_in_queue(cx, held_in, op) {
        return;
    }
    for site in &model.bodies[race.body].awaits {
        let in_other_handler = race.branches.iter().enumerate().any(|(other, candidate)| {
            other != index
                && candidate
                    .handler_span
                    .is_some_and(|handler| handler.contains(&site.span))
        });
        let after_select = site.span.start > race.span.end
            && race.in_loop.is_none_or(|lp| lp.span.contains(&site.span));
        if !in_other_handler && !after_select {
            continue;
        }
        let Some(waiting) = &site.op else { continue };
        if waiting
            .resource
            .as_ref()
            .is_none_or(|other| other.text != resource.text)
        {
            continue;
        }
        if !waits_in_queue(cx, race.body, waiting) {
            continue;
        }
        cx.emit(diagnostic(
            branch.span,
            op,
            waiting,
            race.label_span,
            in_other_handler,
        ));
    }
}

/// A fair lock, permit or bounded-capacity wait.
fn waits_in_queue(cx: &LintContext<'_>, body: BodyId, op: &Operation) -> bool {
    match cx.workspace.resolve(cx.file, body, op) {
        Some(Callee::Api(api)) => is_queue(api),
        _ => false,
    }
}

fn is_queue(api: &ApiEntry) -> bool {
    api.verdict == Verdict::QueuePositionLost || api.path.ends_with("mpsc::Sender::send")
}

fn diagnostic(
    pinned: Span,
    held: &Operation,
    waiting: &Operation,
    select: Span,
    in_handler: bool,
) -> Diagnostic {
    let held_call = call_text(held);
    let waiting_call = call_text(waiting);
    let place = if in_handler {
        "a handler of the same `select!`"
    } else {
        "code that runs while the pinned future is alive"
    };
    Diagnostic::new(
        &FUTURELOCK,
        format!("`{waiting_call}` waits behind the pinned `{held_call}`, which is not polled here: futurelock"),
    )
    .primary(waiting.span, format!("waits for the resource in {place}"))
    .secondary(
        pinned,
        format!("this `{held_call}` is queued first, or already holds it, but is not polled"),
    )
    .secondary(select, "polls the pinned future only when this select runs")
    .help(
        "do not await the same lock, permit or channel while the pinned future is alive: drop it first, \
         move the work into the branch that owns the resource, or use `try_lock()`",
    )
    .note(
        "tokio's `Mutex`, `RwLock`, `Semaphore` and bounded channels are fair: a waiter that is not polled still blocks those behind it",
    )
}
