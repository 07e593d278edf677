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
use crate::model::{Branch, Leaf, Loss, LossKind, LossReason, LossyBranch, Via, Workspace};

/// What a rule sees besides its file's model: the workspace (summaries, resolution, knowledge),
/// the config, and where to report.
pub struct LintContext<'a> {
    pub config: &'a Config,
    pub workspace: &'a Workspace<'a>,
    /// The index of the file being checked in the workspace.
    pub file: usize,
    /// The file's text, to build suggestions from, asked for when a rule first wants it (the
    /// analysis holds no text while the rules run): see [`LintContext::source`].
    fetch: &'a dyn Fn() -> Option<String>,
    source: std::cell::OnceCell<Option<String>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> LintContext<'a> {
    pub fn new(
        config: &'a Config,
        workspace: &'a Workspace<'a>,
        file: usize,
        fetch: &'a dyn Fn() -> Option<String>,
    ) -> Self {
        LintContext {
            config,
            workspace,
            file,
            fetch,
            source: std::cell::OnceCell::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The file's text, to build suggestions from; `None` when the model's offsets are not the
    /// file's (its parse inserted text or gave up items), and then no rule suggests edits.
    pub fn source(&self) -> Option<&str> {
        self.source.get_or_init(self.fetch).as_deref()
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

/// What a loss loses, in a few words, for a label: `loses data`, `loses the item taken by
/// \`recv\``. The whole story is in the note ([`loss_note`]).
pub(crate) fn loses_briefly(loss: &Loss<'_>) -> String {
    match &loss.leaf {
        Leaf::Api(_) | Leaf::Documented { .. } => match loss.kind() {
            LossKind::Message => "loses a message".to_string(),
            LossKind::Data => "loses data".to_string(),
        },
        Leaf::TakenItem { method, .. } => format!("loses the item taken by `{method}`"),
        Leaf::TakenBytes { method, .. } => format!("loses the bytes taken out by `{method}`"),
        Leaf::OwnedArgument { name, .. } => format!("loses `{name}`"),
        Leaf::LocalState { name, .. } => format!("loses what `{name}` has read"),
        Leaf::Buffer { name } => format!("loses the data in `{name}`"),
        Leaf::PartialIn { buffer, .. } => format!("loses the partial data in `{buffer}`"),
    }
}

/// The runtime shim's cancel-safe replacement for a knowledge-base API, when it has one: the
/// type, and what it keeps.
fn shim_replacement(api: &ApiEntry) -> Option<(&'static str, &'static str)> {
    let path = api.path.as_str();
    let method = path.rsplit("::").next().unwrap_or(path);
    let read = (path.starts_with("tokio::io::AsyncReadExt::read_")
        && !matches!(method, "read_to_end" | "read_to_string" | "read_buf"))
        || matches!(
            path,
            "tokio::io::AsyncBufReadExt::read_line" | "tokio::io::AsyncBufReadExt::read_until"
        );
    let write = path.starts_with("tokio::io::AsyncWriteExt::write_")
        && !matches!(method, "write_buf" | "write_vectored" | "write_all_buf");
    if read {
        Some((
            "cancel_check::io::CancelSafeReader",
            "partial reads stay in the reader",
        ))
    } else if write {
        Some((
            "cancel_check::io::CancelSafeWriter",
            "a partial write stays in the writer",
        ))
    } else if path == "tokio::sync::mpsc::Sender::send" {
        Some((
            "cancel_check::outbox::Outbox",
            "the message stays in it until the channel has room",
        ))
    } else if matches!(path, "futures::SinkExt::send" | "futures::SinkExt::feed") {
        Some((
            "cancel_check::outbox::SinkOutbox",
            "the item stays in it until the sink takes it",
        ))
    } else {
        None
    }
}

/// The knowledge-base API at the end of a loss, when there is one.
fn leaf_api<'k>(loss: &Loss<'k>) -> Option<&'k ApiEntry> {
    match &loss.leaf {
        Leaf::Api(api) | Leaf::PartialIn { api, .. } => Some(api),
        _ => None,
    }
}

/// How to fix a raced future that loses progress, imperative. When the raced call is the
/// user's own function, about that call site and that function, not the leaf call inside it;
/// loop wording only where a loop re-creates the future; the runtime shim's type where it has
/// the fix.
pub(crate) fn branch_fix(lossy: &LossyBranch<'_, '_>, call: &str) -> Option<String> {
    let looped = matches!(lossy.reason, LossReason::Loop { .. });
    let shim = leaf_api(&lossy.loss).and_then(shim_replacement);
    let resource = match &lossy.reason {
        LossReason::UsedAfter { used } => format!("`{}`", used.place),
        LossReason::MutParam { name } => format!("`{name}`"),
        LossReason::Loop { .. } | LossReason::SelfField => lossy
            .branch
            .op
            .as_ref()
            .and_then(|op| op.resource.as_ref())
            .map_or_else(
                || "the resource".to_string(),
                |place| format!("`{}`", place.text),
            ),
    };
    let finish = format!(
        "pin `{call}` before the race, race `&mut` it and finish it (`.await`) before {resource} is used again"
    );
    if let Some(callee) = &lossy.loss.callee {
        // What the function itself should do: the fix of what it does wrong when that is in
        // its own body (an item held, a buffer of its own), else keep its state in `self`.
        let function_fix = match (&lossy.loss.via, &lossy.loss.leaf) {
            (
                Via::Itself,
                Leaf::TakenItem { .. }
                | Leaf::TakenBytes { .. }
                | Leaf::OwnedArgument { .. }
                | Leaf::Buffer { .. },
            ) => fix(&lossy.loss),
            _ => None,
        };
        // A method keeps its state in `self`; a free function in what its caller passes in.
        let place = if callee.contains("::") {
            "in `self`"
        } else {
            "in what the caller passes in"
        };
        let state = match (function_fix, shim) {
            (Some(fix), _) => format!(": {fix}"),
            (None, Some((shim, keeps))) => format!(
                " by keeping its partial state {place} (as the runtime shim's `{shim}` does: {keeps})"
            ),
            (None, None) => format!(" by keeping its partial state {place}"),
        };
        return Some(if looped {
            format!(
                "create the `{call}` future once before the loop and race `&mut` it (pinned with `tokio::pin!`); or make `{callee}` cancel safe{state}"
            )
        } else {
            format!("{finish}; or make `{callee}` cancel safe{state}")
        });
    }
    let leaf = fix(&lossy.loss);
    if looped {
        return match (leaf, shim) {
            (Some(leaf), Some((shim, keeps))) => Some(format!(
                "{leaf}; or use the runtime shim's `{shim}` ({keeps})"
            )),
            (leaf, _) => leaf,
        };
    }
    // No loop re-creates the future: the knowledge base's fixes, written for loops, do not fit.
    let loop_words = |text: &str| text.contains("loop") || text.contains("iteration");
    Some(match (leaf, shim) {
        (Some(leaf), _) if !loop_words(&leaf) => leaf,
        (_, Some((shim, keeps))) => {
            format!("use the runtime shim's `{shim}` ({keeps}); or {finish}")
        }
        _ => finish,
    })
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
            "wait for room before taking `{name}` (a `reserve`-then-send shape, as the runtime shim's `cancel_check::outbox::Outbox` does), or take it by reference"
        )),
        Leaf::Buffer { name } => Some(format!(
            "keep `{name}` in the struct that owns the resource, or read through the runtime shim's `cancel_check::io::CancelSafeReader` (partial reads stay in the reader)"
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

/// The note that names a knowledge-base API, what it loses, and where the knowledge comes from.
fn api_note(api: &ApiEntry) -> String {
    // The data file's `source` cites the statement in full; the note names only where it is.
    let source = api.source.split(": ").next().unwrap_or(&api.source);
    if let (Some(loses), Verdict::DataLoss | Verdict::MessageLost) = (&api.loses, &api.verdict) {
        return format!(
            "`{}` is not cancel safe: dropped midway, it loses {loses} (source: {source})",
            api.path
        );
    }
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

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::Diagnostic;
    use crate::source::SourceInput;

    fn findings(files: &[(&str, &str)], lint: &str) -> Vec<Diagnostic> {
        let inputs: Vec<SourceInput> = files
            .iter()
            .map(|(path, text)| SourceInput::standalone(path, text))
            .collect();
        crate::analyze_files(
            &inputs,
            &Config::default(),
            crate::knowledge::Knowledge::builtin(),
        )
        .into_iter()
        .filter(|finding| finding.lint.name == lint)
        .collect()
    }

    const CONN: &str = "use tokio::io::AsyncReadExt;\npub struct Conn { stream: tokio::net::TcpStream }\nimpl Conn {\n    pub async fn next_frame(&mut self) -> std::io::Result<u32> {\n        let mut header = [0u8; 4];\n        self.stream.read_exact(&mut header).await?;\n        Ok(u32::from_be_bytes(header))\n    }\n}\n";

    #[test]
    fn a_raced_call_of_the_users_own_function_gets_advice_about_that_call_and_function() {
        let pump = format!("{CONN}pub async fn pump(conn: &mut Conn, mut stop: tokio::sync::mpsc::Receiver<()>) {{\n    loop {{\n        tokio::select! {{\n            frame = conn.next_frame() => {{ let _ = frame; }}\n            Some(()) = stop.recv() => {{}}\n        }}\n    }}\n}}\n");
        let found = findings(&[("src/lib.rs", &pump)], "select_arm_not_cancel_safe");
        assert_eq!(found.len(), 1);
        let help = found[0].help.as_deref().unwrap();
        assert!(
            help.starts_with(
                "create the `conn.next_frame(..)` future once before the loop and race `&mut` it"
            ),
            "{help}"
        );
        assert!(
            help.contains(
                "make `Conn::next_frame` cancel safe by keeping its partial state in `self`"
            ),
            "{help}"
        );
        assert!(
            help.contains("`cancel_check::io::CancelSafeReader`"),
            "{help}"
        );
        // Not the advice for the `read_exact` inside it.
        assert!(!help.contains("read_buf"), "{help}");
        // The label is short; what is lost is in the note about the function.
        assert_eq!(
            found[0].primary.message,
            "loses data when another branch completes first"
        );
        assert!(found[0].notes.iter().any(|note| note.contains(
            "`Conn::next_frame` is not cancel safe: it awaits `self.stream.read_exact(..)`, which loses the bytes already read"
        )));
    }

    #[test]
    fn without_a_loop_the_advice_speaks_of_none() {
        let once = "use tokio::io::AsyncReadExt;\npub async fn greet(stream: &mut tokio::net::TcpStream) -> std::io::Result<u32> {\n    let mut header = [0u8; 4];\n    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), stream.read_exact(&mut header)).await;\n    stream.read_u32().await\n}\n";
        let found = findings(&[("src/lib.rs", once)], "timeout_not_cancel_safe");
        assert_eq!(found.len(), 1);
        let help = found[0].help.as_deref().unwrap();
        assert!(
            !help.contains("loop") && !help.contains("iteration"),
            "{help}"
        );
        assert!(
            help.contains("`cancel_check::io::CancelSafeReader`")
                && help.contains("finish it (`.await`) before `stream` is used again"),
            "{help}"
        );
        // A loop keeps the knowledge base's advice, and names the shim too.
        let looped = "use tokio::io::AsyncReadExt;\npub async fn pump(mut stream: tokio::net::TcpStream, mut stop: tokio::sync::mpsc::Receiver<()>) {\n    let mut header = [0u8; 4];\n    loop {\n        tokio::select! {\n            r = stream.read_exact(&mut header) => { let _ = r; }\n            Some(()) = stop.recv() => {}\n        }\n    }\n}\n";
        let found = findings(&[("src/lib.rs", looped)], "select_arm_not_cancel_safe");
        let help = found[0].help.as_deref().unwrap();
        assert!(
            help.contains("outside the loop") && help.contains("CancelSafeReader"),
            "{help}"
        );
    }

    #[test]
    fn a_lost_send_names_the_outbox() {
        let send = "pub async fn relay(tx: tokio::sync::mpsc::Sender<u32>, mut rx: tokio::sync::mpsc::Receiver<u32>, mut stop: tokio::sync::mpsc::Receiver<()>) {\n    let mut n = 0;\n    loop {\n        tokio::select! {\n            r = tx.send(n) => { let _ = r; n += 1; }\n            Some(()) = stop.recv() => {}\n        }\n    }\n}\n";
        let found = findings(&[("src/lib.rs", send)], "select_arm_not_cancel_safe");
        assert_eq!(found.len(), 1, "{found:#?}");
        let help = found[0].help.as_deref().unwrap();
        assert!(help.contains("`cancel_check::outbox::Outbox`"), "{help}");
        assert_eq!(
            found[0].primary.message,
            "loses a message when another branch completes first"
        );
    }
}
