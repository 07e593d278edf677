//! The rules: one lint per file, named after the lint. This module holds what they share: the
//! context they report through, and the wording of losses that the select, timeout, try-join and
//! documentation lints all use.

pub mod abandoned_blocking_work;
pub mod block_on_in_async;
pub mod buffer_held_across_await;
pub mod detached_spawn;
pub mod futurelock;
pub mod lock_held_across_await;
pub mod missing_send_bound;
pub mod non_send_held_across_await;
pub mod parse_error;
pub mod select_arm_not_cancel_safe;
pub mod select_timer_reset;
pub mod timeout_not_cancel_safe;
pub mod try_join_not_cancel_safe;
pub mod undocumented_cancel_safety;
pub mod unknown_lint;
pub mod unused_allow;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Label};
use crate::knowledge::{ApiEntry, Verdict};
use crate::model::workspace::call_text;
use crate::model::{Branch, Leaf, Loss, LossReason, LossyBranch, Via, Workspace};

/// What a rule sees besides its file's model: the workspace (summaries, resolution, knowledge),
/// the config, and where to report.
pub struct LintContext<'a> {
    pub config: &'a Config,
    pub workspace: &'a Workspace<'a>,
    /// The index of the file being checked in the workspace.
    pub file: usize,
    /// The file's text, to build suggestions from; `None` when the model's offsets are not the
    /// file's (its parse inserted text), and then no rule suggests edits.
    pub source: Option<&'a str>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> LintContext<'a> {
    pub fn new(
        config: &'a Config,
        workspace: &'a Workspace<'a>,
        file: usize,
        source: Option<&'a str>,
    ) -> Self {
        LintContext {
            config,
            workspace,
            file,
            source,
            diagnostics: Vec::new(),
        }
    }

    /// Reports a diagnostic of the file being checked at its lint's effective level there, in
    /// test code or not (dropped when allowed).
    pub fn emit(&mut self, diagnostic: Diagnostic) {
        let model = &self.workspace.units[self.file].model;
        let in_test = model.test_code.covers(diagnostic.primary.span.start);
        self.diagnostics.extend(
            self.config
                .report_at(diagnostic.in_file(&model.path), in_test),
        );
    }
}

/// How a raced future reads in a message: `reader.read_exact(..)`, `async` block.
pub(crate) fn future_text(branch: &Branch) -> String {
    match (&branch.op, branch.block_body) {
        (_, Some(_)) => "async { .. }".to_string(),
        (Some(op), None) => call_text(op),
        (None, None) => "future".to_string(),
    }
}

/// What a loss loses, as a noun phrase.
pub(crate) fn loses(loss: &Loss<'_>) -> String {
    match &loss.leaf {
        Leaf::Api(api) => api
            .loses
            .clone()
            .unwrap_or_else(|| "its progress".to_string()),
        Leaf::Documented { .. } => "its progress".to_string(),
        Leaf::TakenItem { method, .. } => format!("the item taken by `{method}`"),
        Leaf::TakenBytes { method, .. } => format!("the bytes taken out by `{method}`"),
        Leaf::OwnedArgument { name, .. } => format!("the value passed in as `{name}`"),
        Leaf::LocalState { name, .. } => format!("the data `{name}` has read so far"),
        Leaf::Buffer { name } => format!("the data accumulated in `{name}`"),
        Leaf::PartialIn { buffer, .. } => format!("the partial data kept in `{buffer}`"),
    }
}

/// How to fix a loss, imperative.
pub(crate) fn fix(loss: &Loss<'_>) -> Option<String> {
    match &loss.leaf {
        Leaf::Api(api) => api.fix.clone(),
        Leaf::Documented { .. } => None,
        Leaf::TakenItem { item, .. } | Leaf::TakenBytes { item, .. } => Some(format!(
            "return or store `{item}` before awaiting anything else, or keep it in `self` so that a dropped call can be resumed"
        )),
        Leaf::LocalState { name, .. } => Some(format!(
            "keep `{name}` where it outlives the race: in the struct that owns the reader, or before the loop"
        )),
        Leaf::OwnedArgument { name, .. } => Some(format!(
            "wait for room before taking `{name}` (a `reserve`-then-send shape, as the runtime shim's `Outbox` does), or take it by reference"
        )),
        Leaf::Buffer { name } => Some(format!(
            "keep `{name}` in the struct that owns the resource, or use a framed reader"
        )),
        Leaf::PartialIn { buffer, .. } => Some(format!(
            "declare `{buffer}` where it outlives the race (before the loop, or in the struct that owns the reader), so that the next call resumes with what it holds"
        )),
    }
}

/// Why the future is not cancel safe, as a note: where the knowledge comes from, or what the
/// workspace function does.
pub(crate) fn loss_note(loss: &Loss<'_>) -> String {
    let reason = match (&loss.via, &loss.leaf) {
        (Via::Awaits { call }, _) => format!("it awaits `{call}`, which loses {}", loses(loss)),
        (Via::Itself, Leaf::Api(api)) => api_note(api),
        (Via::Itself, Leaf::Documented { text }) => {
            format!("documented as not cancel safe: \"{text}\"")
        }
        (Via::Itself, Leaf::TakenItem { method, item })
        | (Via::Itself, Leaf::TakenBytes { method, item }) => {
            format!("it takes `{item}` with `{method}` and awaits again while holding it")
        }
        (Via::Itself, Leaf::LocalState { name, method }) => format!(
            "`{method}` keeps what it reads in its receiver, and `{name}` is a local that is dropped with the future"
        ),
        (Via::Itself, Leaf::OwnedArgument { name, .. }) => {
            format!("it awaits while it still owns `{name}`, which the caller handed over")
        }
        (Via::Itself, Leaf::Buffer { name }) => {
            format!("it accumulates data in the local `{name}` across awaits")
        }
        (Via::Itself, Leaf::PartialIn { api, buffer }) => format!(
            "{}; the partial data goes into `{buffer}`, which is dropped with the future",
            api_note(api)
        ),
    };
    match (&loss.via_trait, &loss.callee) {
        (Some(method), Some(callee)) => {
            format!("`{method}` may run `{callee}`, which is not cancel safe: {reason}")
        }
        (_, Some(callee)) => format!("`{callee}` is not cancel safe: {reason}"),
        (_, None) => reason,
    }
}

/// The root cause of a loss in the code, as a label (possibly in another file).
pub(crate) fn root_label(loss: &Loss<'_>) -> Option<Label> {
    let root = loss.root.as_ref()?;
    let message = match (&root.call, &loss.leaf) {
        (Some(call), _) => format!("awaits `{call}`, which is not cancel safe"),
        (None, Leaf::Documented { .. } | Leaf::Api(_)) => {
            "documented as not cancel safe".to_string()
        }
        (None, Leaf::TakenItem { method, item }) | (None, Leaf::TakenBytes { method, item }) => {
            format!("awaits while holding `{item}` taken by `{method}`")
        }
        (None, Leaf::LocalState { name, .. }) => {
            format!("reads into `{name}`, which is dropped with the future")
        }
        (None, Leaf::OwnedArgument { name, .. }) => {
            format!("awaits while owning `{name}`, which is dropped with the future")
        }
        (None, Leaf::Buffer { name }) => {
            format!("`{name}` accumulates data across awaits and is dropped with the future")
        }
        (None, Leaf::PartialIn { buffer, .. }) => {
            format!("keeps partial data in `{buffer}`, which is dropped with the future")
        }
    };
    Some(Label {
        file: root.site.file.clone(),
        span: root.site.span,
        message,
    })
}

/// The secondary labels of a lossy branch: why the loss matters here, and the root cause in a
/// workspace callee.
pub(crate) fn loss_labels(lossy: &LossyBranch<'_, '_>, call: &str) -> Vec<Label> {
    let mut labels = Vec::new();
    match &lossy.reason {
        LossReason::Loop { keyword } => labels.push(Label::here(
            *keyword,
            format!("the loop creates a new `{call}` each time round"),
        )),
        LossReason::UsedAfter { used } => labels.push(Label::here(
            used.span,
            format!("`{}` is used again here", used.place),
        )),
        LossReason::SelfField | LossReason::MutParam { .. } => {}
    }
    labels.extend(root_label(&lossy.loss));
    labels
}

/// The notes of a lossy branch: reasons that have no span, and where the knowledge comes from.
pub(crate) fn loss_notes(lossy: &LossyBranch<'_, '_>, call: &str) -> Vec<String> {
    let mut notes = Vec::new();
    match &lossy.reason {
        LossReason::SelfField => notes.push(format!(
            "the resource of `{call}` is a field of `self`, which outlives this call: the next call on it resumes mid-stream"
        )),
        LossReason::MutParam { name } => notes.push(format!(
            "`{name}` is borrowed from the caller, who may use it again after this future is dropped"
        )),
        LossReason::Loop { .. } | LossReason::UsedAfter { .. } => {}
    }
    notes.push(loss_note(&lossy.loss));
    notes
}

/// The note that names a knowledge-base API and where the knowledge comes from.
fn api_note(api: &ApiEntry) -> String {
    // The data file's `source` cites the statement in full; the note names only where it is.
    let source = api.source.split(": ").next().unwrap_or(&api.source);
    let phrase = match api.verdict {
        Verdict::DataLoss => "not cancel safe: data already taken is lost",
        Verdict::MessageLost => "not cancel safe: the value it carries is lost",
        Verdict::QueuePositionLost => "fair: only the queue position is lost",
        Verdict::PartialProgressKept => {
            "resumable: partial progress is kept in the caller's buffer"
        }
        Verdict::Conditional => "conditionally cancel safe",
        Verdict::Safe => "cancel safe",
    };
    format!("`{}` is {phrase} (source: {source})", api.path)
}
