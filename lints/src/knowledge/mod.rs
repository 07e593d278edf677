//! The cancel-safety knowledge base: what is known about library APIs, as data.
//!
//! The built-in entries live in `apis.toml` next to this file (read at compile time; this crate
//! does no IO). Each entry names an API by its owner path and method, gives a verdict, what is lost
//! when the future is dropped, the fix, and the source of the claim.

pub mod docs;
pub mod mine;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// What dropping an API's future midway costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing is lost.
    Safe,
    /// Safe when something else is (for example the stream being polled).
    Conditional,
    /// Data already taken from the resource is lost, or written partially.
    DataLoss,
    /// A value handed to the future, or received by it, is dropped with it.
    MessageLost,
    /// Only a place in a fair queue is lost (locks, permits).
    QueuePositionLost,
    /// Progress is kept in a buffer the caller owns; calling again resumes.
    PartialProgressKept,
}

impl Verdict {
    /// Whether a raced future with this verdict loses data or messages (what the select and
    /// timeout lints report).
    pub fn loses_progress(self) -> bool {
        matches!(self, Verdict::DataLoss | Verdict::MessageLost)
    }

    /// The data-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Conditional => "conditional",
            Verdict::DataLoss => "data_loss",
            Verdict::MessageLost => "message_lost",
            Verdict::QueuePositionLost => "queue_position_lost",
            Verdict::PartialProgressKept => "partial_progress_kept",
        }
    }
}

/// How an API is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// `receiver.name(..)`.
    Method,
    /// A free function called through a path: `tokio::time::sleep(..)`.
    Fn,
    /// An associated function: `Type::name(..)`.
    Assoc,
}

/// A side effect that dropping the future does not undo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Mutates the file system.
    FsWrite,
    /// Reads the file system.
    FsRead,
    /// Work on the blocking pool.
    Blocking,
}

/// Where an entry's knowledge comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The built-in data file, `apis.toml`.
    #[default]
    Builtin,
    /// A `# Cancel safety` statement (or attribute) in the sources of a dependency.
    Mined { krate: String, version: String },
    /// The project's configuration (`[[workspace.metadata.cancel-check.api]]`).
    Config,
}

/// One API the knowledge base knows.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    /// Owner path and name: `tokio::io::AsyncReadExt::read_exact`.
    pub path: String,
    pub kind: ApiKind,
    pub verdict: Verdict,
    /// What is lost when the future is dropped (absent when safe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loses: Option<String>,
    /// How to fix a raced use (absent when safe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Where the claim comes from.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// The loss happens only if the code also calls this method (`Notify::notified` misses a
    /// wakeup only from `notify_waiters`; `notify_one` stores a permit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_only_with: Option<String>,
    /// Dropping the future loses its result but leaves the receiver usable (no stream is left
    /// mid-frame), so only a loop that repeats the loss matters.
    #[serde(default, skip_serializing_if = "is_false")]
    pub resource_intact: bool,
    /// The future is a listener that stays registered from its creation (event-listener's
    /// `listen`): a loop that creates it and then checks the state the event guards before
    /// racing it misses nothing, since a notification sent in between is either seen by the
    /// check or wakes the listener.
    #[serde(default, skip_serializing_if = "is_false")]
    pub listen_then_check: bool,
    /// How many arguments a call passes (not counting `self`), when verified from the
    /// signature: a same-named method with another arity is a different API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<usize>,
    /// Where this entry comes from (not part of the data file).
    #[serde(skip, default)]
    pub origin: Origin,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ApiEntry {
    /// Whether the loss matters only when it repeats in a loop: a lost message or result, as
    /// opposed to a resource (a stream, a connection) left out of sync for its next user.
    pub fn loss_repeats_only(&self) -> bool {
        self.verdict == Verdict::MessageLost || self.resource_intact
    }
}

impl ApiEntry {
    /// The method or function name: the last path segment.
    pub fn name(&self) -> &str {
        self.path.rsplit("::").next().unwrap_or(&self.path)
    }

    /// The owner's last segment (type or trait name, or module for free functions).
    pub fn owner(&self) -> &str {
        let mut parts = self.path.rsplit("::");
        parts.next();
        parts.next().unwrap_or("")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    /// When the entries were last checked against their sources (a TOML date).
    #[serde(default)]
    updated: Option<toml::value::Datetime>,
    api: Vec<ApiEntry>,
}

/// The knowledge base, indexed by method name and by full path.
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    /// The data file's `updated` date, `YYYY-MM-DD`.
    updated: Option<String>,
    entries: Vec<ApiEntry>,
    by_name: HashMap<String, Vec<usize>>,
    by_path: HashMap<String, usize>,
}

/// The text of the built-in data file.
pub const BUILTIN_DATA: &str = include_str!("apis.toml");

impl Knowledge {
    /// Builds a knowledge base from a data file's text.
    pub fn from_toml(text: &str) -> Result<Knowledge, String> {
        let file: DataFile = toml::from_str(text).map_err(|err| err.to_string())?;
        let mut knowledge = Knowledge {
            updated: file.updated.map(|date| date.to_string()),
            ..Knowledge::default()
        };
        for entry in file.api {
            knowledge.insert(entry);
        }
        Ok(knowledge)
    }

    /// The built-in knowledge base (parsed once).
    pub fn builtin() -> &'static Knowledge {
        static BUILTIN: OnceLock<Knowledge> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Knowledge::from_toml(BUILTIN_DATA).expect("the built-in apis.toml is checked by tests")
        })
    }

    /// Adds an entry; a later entry for the same path replaces the earlier one.
    pub fn insert(&mut self, entry: ApiEntry) {
        if let Some(&index) = self.by_path.get(&entry.path) {
            self.entries[index] = entry;
            return;
        }
        let index = self.entries.len();
        self.by_name
            .entry(entry.name().to_string())
            .or_default()
            .push(index);
        self.by_path.insert(entry.path.clone(), index);
        self.entries.push(entry);
    }

    /// When the data file's entries were last checked against their sources (its `updated`
    /// date, `YYYY-MM-DD`), if it says.
    pub fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[ApiEntry] {
        &self.entries
    }

    /// The entry with exactly this path.
    pub fn by_path(&self, path: &str) -> Option<&ApiEntry> {
        self.by_path.get(path).map(|&index| &self.entries[index])
    }

    /// Every entry whose name is `name` (methods and functions).
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a ApiEntry> + 'a {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(move |&index| &self.entries[index])
    }

    /// Adds what the docs of dependencies state (see [`mine::mine_source`]).
    ///
    /// A mined entry that describes an API the base already knows (same crate, `futures_util`
    /// counting as `futures`, same owner, same name, no conflicting arity) and agrees with it
    /// leaves the richer built-in text alone. When they disagree (one loses progress and the
    /// other does not, or one is safe and the other conditional), the docs of the version in use
    /// win: the entry keeps its path and takes the mined verdict, loss, fix, source and origin.
    /// Unless the built-in entry was written from those very docs (its source cites the same
    /// crate and version): then the disagreement is a deliberate reading of them and it stays.
    /// An API the base does not know is added.
    pub fn merge_mined(&mut self, entries: Vec<ApiEntry>) {
        for mined in entries {
            let known: Vec<usize> = self
                .named(mined.name())
                .filter(|entry| same_api(entry, &mined))
                .map(|entry| self.by_path[&entry.path])
                .collect();
            if known.is_empty() {
                self.insert(mined);
                continue;
            }
            for index in known {
                let entry = &mut self.entries[index];
                if !disagree(entry.verdict, mined.verdict) || cites_same_docs(entry, &mined) {
                    continue;
                }
                entry.note = Some(format!(
                    "the built-in base says `{}`; the docs of the version in use say `{}`",
                    entry.verdict.as_str(),
                    mined.verdict.as_str()
                ));
                entry.verdict = mined.verdict;
                entry.loses = mined.loses.clone();
                entry.fix = mined.fix.clone();
                entry.source = mined.source.clone();
                entry.origin = mined.origin.clone();
            }
        }
    }
}

/// Whether two entries describe the same API: the same crate, owner and name, and no
/// conflicting arity. A mined free function is named after the file that defines it
/// (`tokio::io::util::copy::copy`), its built-in entry after the public re-export
/// (`tokio::io::copy`): for functions, the built-in modules must appear in the mined path, in
/// order.
fn same_api(known: &ApiEntry, mined: &ApiEntry) -> bool {
    let krate = |entry: &ApiEntry| match entry.path.split("::").next().unwrap_or("") {
        "futures_util" => "futures".to_string(),
        other => other.to_string(),
    };
    let arity_conflicts = matches!((known.args, mined.args), (Some(a), Some(b)) if a != b);
    let same_owner = if known.kind == ApiKind::Fn && mined.kind == ApiKind::Fn {
        let modules = |entry: &'_ ApiEntry| -> Vec<String> {
            let segments: Vec<&str> = entry.path.split("::").collect();
            let inner = &segments[1.min(segments.len())..segments.len().saturating_sub(1)];
            inner.iter().map(|segment| segment.to_string()).collect()
        };
        let mined_modules = modules(mined);
        let mut rest = mined_modules.iter();
        modules(known)
            .iter()
            .all(|module| rest.any(|candidate| candidate == module))
    } else {
        known.owner() == mined.owner()
    };
    known.name() == mined.name() && same_owner && krate(known) == krate(mined) && !arity_conflicts
}

/// Whether a built-in entry was written from the docs of the version a mined entry comes from.
fn cites_same_docs(known: &ApiEntry, mined: &ApiEntry) -> bool {
    match &mined.origin {
        Origin::Mined { krate, version } => known.source.contains(&format!("{krate} {version} ")),
        Origin::Builtin | Origin::Config => false,
    }
}

/// Whether two verdicts disagree: one loses progress and the other does not, or one is safe and
/// the other only conditionally so.
fn disagree(known: Verdict, mined: Verdict) -> bool {
    known.loses_progress() != mined.loses_progress()
        || matches!(
            (known, mined),
            (Verdict::Safe, Verdict::Conditional) | (Verdict::Conditional, Verdict::Safe)
        )
}
