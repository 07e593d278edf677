//! The rules: one lint per file, named after the lint.

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
use crate::lint::Level;
use crate::model::workspace::call_text;
use crate::model::{Branch, FileModel, Loss, LossReason, RaceSite, Workspace};

/// What a rule sees besides its file's model: the workspace (summaries, resolution, knowledge),
/// the config, and where to report.
pub struct LintContext<'a> {
    pub config: &'a Config,
    pub workspace: &'a Workspace<'a>,
    /// The index of the file being checked in the workspace.
    pub file: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> LintContext<'a> {
    pub fn new(config: &'a Config, workspace: &'a Workspace<'a>, file: usize) -> Self {
        LintContext {
            config,
            workspace,
            file,
            diagnostics: Vec::new(),
        }
    }

    /// Reports a diagnostic at its lint's effective level (dropped when allowed).
    pub fn emit(&mut self, mut diagnostic: Diagnostic) {
        let level = self
            .config
            .level_in(diagnostic.lint, &diagnostic.primary.file);
        if level == Level::Allow {
            return;
        }
        diagnostic.level = level;
        self.diagnostics.push(diagnostic);
    }
}

/// A raced future that loses data or a message when dropped, and why that matters.
pub(crate) struct LossyBranch<'m> {
    pub race: &'m RaceSite,
    pub branch: &'m Branch,
    pub loss: Loss,
    pub reason: LossReason,
}

/// Every branch of the races `select` picks whose future is known not to be cancel safe (from
/// the knowledge base, a workspace function's summary, or an `async` block's own body) and whose
/// loss someone will miss: the question both the select and the timeout lints ask.
pub(crate) fn lossy_branches<'m>(
    cx: &LintContext<'_>,
    model: &'m FileModel,
    select: impl Fn(&RaceSite) -> bool,
) -> Vec<LossyBranch<'m>> {
    let uses_method = |name: &str| model.called_methods.contains(name);
    let mut found = Vec::new();
    for race in model.races.iter().filter(|race| select(race)) {
        for (index, branch) in race.branches.iter().enumerate() {
            let loss = branch_loss(cx, model, race, branch, &uses_method);
            let Some(loss) = loss else { continue };
            let repeats_only = loss.kind == crate::model::LossKind::Message;
            let Some(reason) = race.progress_lost(model, index, repeats_only) else {
                continue;
            };
            found.push(LossyBranch {
                race,
                branch,
                loss,
                reason,
            });
        }
    }
    found
}

/// What dropping a branch's future loses: from the knowledge base, a workspace function's
/// summary, or an `async` block's own body.
pub(crate) fn branch_loss(
    cx: &LintContext<'_>,
    _model: &FileModel,
    race: &RaceSite,
    branch: &Branch,
    uses_method: &dyn Fn(&str) -> bool,
) -> Option<Loss> {
    let workspace = cx.workspace;
    match (&branch.op, branch.block_body) {
        (_, Some(block)) => workspace.body_loss(cx.file, block),
        (Some(op), None) => workspace
            .resolve(cx.file, race.body, op)
            .and_then(|callee| workspace.loss_of(callee, uses_method)),
        (None, None) => None,
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

/// The secondary labels of a lossy branch: why the loss matters here, and the root cause in a
/// workspace callee.
pub(crate) fn loss_labels(model: &FileModel, lossy: &LossyBranch<'_>, call: &str) -> Vec<Label> {
    let mut labels = Vec::new();
    match &lossy.reason {
        LossReason::Loop { keyword } => labels.push(Label {
            file: model.path.clone(),
            span: *keyword,
            message: format!("the loop creates a new `{call}` each time round"),
        }),
        LossReason::UsedAfter { used } => labels.push(Label {
            file: model.path.clone(),
            span: used.span,
            message: format!("`{}` is used again here", used.place),
        }),
        LossReason::SelfField | LossReason::MutParam { .. } => {}
    }
    if let Some(why) = &lossy.loss.why {
        labels.push(why.clone());
    }
    labels
}

/// The notes of a lossy branch: reasons that have no span, and where the knowledge comes from.
pub(crate) fn loss_notes(lossy: &LossyBranch<'_>, call: &str) -> Vec<String> {
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
    notes.push(lossy.loss.note.clone());
    notes
}
