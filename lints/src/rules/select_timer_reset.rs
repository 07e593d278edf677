use crate::diagnostic::Diagnostic;
use crate::fix::{self, Applicability, Edit, Suggestion};
use crate::lint::declare_lint;
use crate::model::{Branch, FileModel, LoopSite, Operation, RaceKind, RaceSite};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags `sleep(d)`, or `sleep_until(Instant::now() + d)`, created in a `select!` branch
    /// inside a loop whose other branch takes events from a recurring source (a channel's
    /// `recv`, a stream's `next`, `accept`, `tick`, `changed`, `notified`, a read) and lets the
    /// loop go on.
    ///
    /// ### Why is this bad?
    /// Every iteration creates a new timer, so the deadline restarts whenever an event wins. If
    /// events arrive more often than `d`, the timer never fires: a heartbeat that is never sent,
    /// a flush that never happens.
    ///
    /// ### Known problems
    /// An idle timeout ("give up after 30 s without a message") restarts on purpose. The lint
    /// treats a timer branch whose handler leaves the loop (`break`, `return`, `?` on an error)
    /// or ends with `continue` as an idle timeout and does not report it; an idle timeout written
    /// differently (setting a flag) is reported and can be allowed with `-A select_timer_reset`.
    ///
    /// A per-item deadline is not a reset either: when the other branches work on the current
    /// item (`tx.send(event)`, `process(&job)`, `stream.write_all(chunk)`) and the loop then
    /// moves on (`for event in events`, `while let Some(job) = queue.pop()`), the timer times
    /// that item. Only a branch that polls a recurring source, told by its method's name
    /// (`recv`, `next`, `tick`, `accept`, `changed`, `notified`, `listen`, `read`, `read_buf`,
    /// `readable`, `incoming`, and names starting with `recv_`, `next_`, `read_`, `accept_`,
    /// `receive_`), and whose handler does not leave the loop, starves the timer. A recurring
    /// source hidden behind another name (a user method `poll_peer()`) is missed.
    ///
    /// Two more shapes are taken as deliberate and not reported: a duration the loop recomputes
    /// (`sleep(remaining)` where `remaining` is assigned, or bound by a `let` or a pattern, inside the loop), and a
    /// select whose handlers only compute a value (`reason = select! { _ = sleep(d) => Timer,
    /// _ = rx.changed() => Changed }`), where the loop does the same work whichever branch won.
    /// A batching loop written in that value style is therefore missed. A duration whose name
    /// says it measures inactivity (`idle`, `keepalive`, `timeout`, `quiet` in a local, constant
    /// or field name) is also taken as an idle timeout.
    ///
    /// The quick fix, for a `tokio::select!` directly in a `loop`, `while` or `for` statement
    /// racing `tokio::time::sleep(d)` or `sleep_until(Instant::now() + d)`, creates the timer
    /// once before the loop (`let timer = ..; tokio::pin!(timer);`), races `&mut timer`, and
    /// resets it at the start of the branch's handler (`timer.as_mut().reset(Instant::now() +
    /// d)`). It changes what the program does (the timer now fires every `d` instead of `d`
    /// after the last event), which is the point, so it is `MaybeIncorrect`: offered in the
    /// editor, applied by `--fix` only with `--unsafe-fixes`. `d` is evaluated once more, before
    /// the loop.
    ///
    /// In test code (test fns, `#[cfg(test)]` modules, `tests/` folders) the lint is allowed by
    /// default: cancellation-injection tests race a fresh `sleep` against a write on purpose,
    /// and a starved timer in a test loses nothing. `lints-in-tests` in the configuration
    /// turns it on there.
    ///
    /// ### Example
    /// ```rust
    /// use std::time::Duration;
    /// use tokio::sync::mpsc;
    ///
    /// async fn batch(mut rx: mpsc::Receiver<u64>) {
    ///     let mut pending = Vec::new();
    ///     loop {
    ///         tokio::select! {
    ///             Some(item) = rx.recv() => pending.push(item),
    ///             _ = tokio::time::sleep(Duration::from_millis(100)) => pending.clear(),
    ///         }
    ///     }
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::time::Duration;
    /// use tokio::sync::mpsc;
    ///
    /// async fn batch(mut rx: mpsc::Receiver<u64>) {
    ///     let mut pending = Vec::new();
    ///     let mut flush = tokio::time::interval(Duration::from_millis(100));
    ///     loop {
    ///         tokio::select! {
    ///             Some(item) = rx.recv() => pending.push(item),
    ///             _ = flush.tick() => pending.clear(),
    ///         }
    ///     }
    /// }
    /// ```
    pub SELECT_TIMER_RESET, "select_timer_reset", Warn, tests: Allow
}

const SLEEP_FNS: &[&str] = &["tokio::time::sleep", "async_std::task::sleep"];
const SLEEP_UNTIL_FNS: &[&str] = &["tokio::time::sleep_until"];

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for race in &model.races {
        if !matches!(race.kind, RaceKind::Select { .. }) {
            continue;
        }
        let Some(lp) = race.in_loop else { continue };
        for (index, branch) in race.branches.iter().enumerate() {
            let Some(op) = &branch.op else { continue };
            let Some(path) = op.path() else { continue };
            let restarts =
                SLEEP_FNS.contains(&path) || (SLEEP_UNTIL_FNS.contains(&path) && op.args_call_now);
            // A timer whose handler leaves the loop, or skips the rest of it with `continue`, is
            // an idle timeout: restarting it whenever something else happens is the point.
            let idle_timeout = branch.handler_diverges || branch.handler_continues;
            // Only events of a recurring source (a channel, a stream, a listener) that let the
            // loop go on starve the timer. Another branch that does one piece of work (`send`
            // this item, `process` it) makes the timer a deadline for that piece.
            if !restarts || !branch.created_in_loop || idle_timeout || !race.others_recur(index) {
                continue;
            }
            // The loop manages the deadline itself: the duration is recomputed each time round
            // (`sleep(remaining)` with `remaining` assigned in the loop).
            if !op.args_call_now
                && op
                    .arg_names
                    .iter()
                    .any(|name| model.recomputed_in(race.body, name, &lp.span))
            {
                continue;
            }
            // A duration named for inactivity (`idle_timeout`, `self.keepalive`) restarts on
            // purpose: it measures the time since the last event.
            if names_an_inactivity_timer(&op.arg_names, &op.arg_fields) {
                continue;
            }
            // The select only reports which branch won; the loop does the same work after it
            // whichever it was, so a restarted timer delays nothing.
            if race.handlers_are_values {
                continue;
            }
            let hoist = cx
                .source()
                .and_then(|source| hoist_timer(model, source, race, branch, op, lp));
            cx.emit(diagnostic(race, branch, &op.name, lp).suggest(hoist));
        }
    }
}

/// Whether the duration's names say it measures inactivity.
fn names_an_inactivity_timer(names: &[String], fields: &[String]) -> bool {
    names.iter().chain(fields).any(|name| {
        let name = name.to_ascii_lowercase();
        [
            "idle",
            "inactiv",
            "keepalive",
            "keep_alive",
            "timeout",
            "quiet",
            "silence",
        ]
        .iter()
        .any(|word| name.contains(word))
    })
}

fn diagnostic(race: &RaceSite, branch: &Branch, name: &str, lp: LoopSite) -> Diagnostic {
    let construct = match &race.kind {
        RaceKind::Select { macro_name, .. } => format!("{macro_name}!"),
        _ => "select!".to_string(),
    };
    Diagnostic::new(
        &SELECT_TIMER_RESET,
        format!("`{name}` in a `{construct}` branch restarts its deadline on every iteration of the loop"),
    )
    .primary(branch.span, "a new timer is created on every iteration")
    .secondary(lp.keyword, "the deadline restarts each time this loop goes round")
    .secondary(race.label_span, "another branch winning drops the timer")
    .help(
        "create the timer once before the loop (`let sleep = tokio::time::sleep(d); tokio::pin!(sleep);`), \
         poll `&mut sleep` in the branch and call `sleep.as_mut().reset(..)` when it fires, or use `tokio::time::interval`",
    )
}

/// The timer created once before the loop, raced by `&mut`, and reset when it fires: for a
/// `tokio::select!` whose loop is a statement starting its line, racing tokio's `sleep(d)` (or
/// `sleep_until(Instant::now() + d)`) whose duration names nothing the loop declares.
fn hoist_timer(
    model: &FileModel,
    source: &str,
    race: &RaceSite,
    branch: &Branch,
    op: &Operation,
    lp: LoopSite,
) -> Option<Suggestion> {
    let RaceKind::Select { path, .. } = &race.kind else {
        return None;
    };
    if !path.starts_with("tokio::")
        || !lp.statement
        || !fix::first_on_line(source, lp.keyword.start)
    {
        return None;
    }
    if op
        .arg_names
        .iter()
        .any(|name| model.recomputed_in(race.body, name, &lp.span))
    {
        return None;
    }
    let argument = fix::text_of(source, op.first_arg?)?;
    let deadline = match op.path()? {
        "tokio::time::sleep" => {
            let simple = argument
                .chars()
                .all(|c| c.is_alphanumeric() || "_:.()".contains(c));
            if simple {
                format!("tokio::time::Instant::now() + {argument}")
            } else {
                format!("tokio::time::Instant::now() + ({argument})")
            }
        }
        "tokio::time::sleep_until" => argument.to_string(),
        _ => return None,
    };
    let handler = branch.handler_span?;
    let handler_text = fix::text_of(source, handler)?;
    let name = unused_name(model, race.body, "timer");
    let newline = fix::newline(source);
    let indent = fix::indentation(source, lp.keyword.start);
    let reset = format!("{name}.as_mut().reset({deadline});");
    // In a block handler the reset is its first statement: on a line of its own when the
    // block's code starts on the next line (after a comment, maybe), else right after `{`.
    let handler_edit = match handler_text.strip_prefix('{') {
        Some(rest) => {
            let first_line = rest.split('\n').next().unwrap_or_default();
            let first_line = first_line.strip_suffix('\r').unwrap_or(first_line);
            let opening = first_line.trim();
            if (opening.is_empty() || opening.starts_with("//")) && rest.contains('\n') {
                let end_of_line = handler.start + 1 + first_line.len();
                let next_line = handler.start + 1 + rest.find('\n').unwrap_or_default() + 1;
                let inner = fix::indentation(source, next_line);
                Edit::insert(end_of_line, format!("{newline}{inner}{reset}"))
            } else {
                Edit::insert(handler.start + 1, format!(" {reset}"))
            }
        }
        None => Edit::replace(handler, format!("{{ {reset} {handler_text} }}")),
    };
    let timer = fix::text_of(source, op.span)?;
    Suggestion::new(
        format!(
            "create `{name}` once before the loop, race `&mut {name}` and reset it when it fires"
        ),
        Applicability::MaybeIncorrect,
        vec![
            Edit::insert(
                lp.keyword.start,
                format!(
                    "let {name} = {timer};{newline}{indent}tokio::pin!({name});{newline}{indent}"
                ),
            ),
            Edit::replace(branch.span, format!("&mut {name}")),
            handler_edit,
        ],
    )
}

/// `base`, or `base_2`, `base_3`.. : the first that no local, parameter, binding or place of the
/// fn around `body` is named.
fn unused_name(model: &FileModel, body: usize, base: &str) -> String {
    let item = model.bodies[body].item;
    let taken = |name: &str| {
        model.item_uses[item]
            .iter()
            .any(|used| used.place.split('.').next() == Some(name))
            || model
                .bodies
                .iter()
                .filter(|other| other.item == item)
                .any(|other| {
                    other.locals.iter().any(|local| local.name == name)
                        || other.params.iter().any(|param| param.name == name)
                        || other.bindings.iter().any(|binding| binding.name == name)
                })
    };
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_string())
}
