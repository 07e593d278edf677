//! The rules: one lint per file, named after the lint.

pub mod parse_error;
pub mod select_arm_not_cancel_safe;
pub mod select_timer_reset;
pub mod timeout_not_cancel_safe;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::knowledge::Knowledge;
use crate::lint::{Level, Lint};

/// What a rule sees besides the model: the knowledge base, the config, and where to report.
pub struct LintContext<'a> {
    pub config: &'a Config,
    pub knowledge: &'a Knowledge,
    pub diagnostics: Vec<Diagnostic>,
    /// The lint being checked (set by the driver before each rule runs).
    pub(crate) current: Option<&'static Lint>,
}

impl<'a> LintContext<'a> {
    pub fn new(config: &'a Config, knowledge: &'a Knowledge) -> Self {
        LintContext {
            config,
            knowledge,
            diagnostics: Vec::new(),
            current: None,
        }
    }

    /// The knowledge base.
    pub fn knowledge(&self) -> &'a Knowledge {
        self.knowledge
    }

    /// Reports a diagnostic at its lint's effective level (dropped when allowed).
    pub fn emit(&mut self, mut diagnostic: Diagnostic) {
        let level = self.config.level(diagnostic.lint);
        if level == Level::Allow {
            return;
        }
        diagnostic.level = level;
        self.diagnostics.push(diagnostic);
    }
}

use crate::diagnostic::Label;
use crate::knowledge::ApiEntry;
use crate::model::{Branch, FileModel, LossReason, OpTarget, RaceSite};

/// A raced future that loses data or a message when dropped, and why that matters.
pub(crate) struct LossyBranch<'m, 'k> {
    pub race: &'m RaceSite,
    pub branch: &'m Branch,
    pub api: &'k ApiEntry,
    pub reason: LossReason,
}

/// Every branch of the races `select` picks whose future is known not to be cancel safe and whose
/// loss someone will miss (the question both the select and the timeout lints ask).
pub(crate) fn lossy_branches<'m, 'k>(
    knowledge: &'k Knowledge,
    model: &'m FileModel,
    select: impl Fn(&RaceSite) -> bool,
) -> Vec<LossyBranch<'m, 'k>> {
    let mut found = Vec::new();
    for race in model.races.iter().filter(|race| select(race)) {
        for (index, branch) in race.branches.iter().enumerate() {
            let Some(op) = &branch.op else { continue };
            let Some(api) = op.api(knowledge, model, race.body) else {
                continue;
            };
            if !api.verdict.loses_progress() {
                continue;
            }
            if let Some(needed) = &api.lost_only_with {
                if !model.called_methods.contains(needed) {
                    continue;
                }
            }
            let Some(reason) = race.progress_lost(model, index, api.loss_repeats_only()) else {
                continue;
            };
            found.push(LossyBranch {
                race,
                branch,
                api,
                reason,
            });
        }
    }
    found
}

/// How a raced call reads in a message: `reader.read_exact(..)`, `tokio::io::copy(..)`.
pub(crate) fn call_text(branch: &Branch) -> String {
    let Some(op) = &branch.op else {
        return "future".to_string();
    };
    match &op.target {
        OpTarget::Method {
            receiver: Some(place),
        } => format!("{}.{}(..)", place.text, op.name),
        OpTarget::Method { receiver: None } => format!("{}(..)", op.name),
        OpTarget::Path { .. } => format!("{}(..)", op.name),
    }
}

/// The secondary label that shows why dropping the future matters.
pub(crate) fn reason_label(model: &FileModel, reason: &LossReason, call: &str) -> Option<Label> {
    let (span, message) = match reason {
        LossReason::Loop { keyword } => (
            *keyword,
            format!("the loop creates a new `{call}` each time round"),
        ),
        LossReason::UsedAfter { used } => {
            (used.span, format!("`{}` is used again here", used.place))
        }
        LossReason::SelfField | LossReason::MutParam { .. } => return None,
    };
    Some(Label {
        file: model.path.clone(),
        span,
        message,
    })
}

/// A note for reasons that have no span of their own.
pub(crate) fn reason_note(reason: &LossReason, call: &str) -> Option<String> {
    match reason {
        LossReason::SelfField => Some(format!(
            "the resource of `{call}` is a field of `self`, which outlives this call: the next call on it resumes mid-stream"
        )),
        LossReason::MutParam { name } => Some(format!(
            "`{name}` is borrowed from the caller, who may use it again after this future is dropped"
        )),
        LossReason::Loop { .. } | LossReason::UsedAfter { .. } => None,
    }
}

/// The note that names the API and where the knowledge comes from.
pub(crate) fn source_note(api: &ApiEntry) -> String {
    // The data file's `source` cites the statement in full; the note names only where it is.
    let source = api.source.split(": ").next().unwrap_or(&api.source);
    format!(
        "`{}` is {} (source: {source})",
        api.path,
        verdict_phrase(api)
    )
}

fn verdict_phrase(api: &ApiEntry) -> &'static str {
    use crate::knowledge::Verdict;
    match api.verdict {
        Verdict::DataLoss => "not cancel safe: data already taken is lost",
        Verdict::MessageLost => "not cancel safe: the value it carries is lost",
        Verdict::QueuePositionLost => "fair: only the queue position is lost",
        Verdict::PartialProgressKept => {
            "resumable: partial progress is kept in the caller's buffer"
        }
        Verdict::Conditional => "conditionally cancel safe",
        Verdict::Safe => "cancel safe",
    }
}
