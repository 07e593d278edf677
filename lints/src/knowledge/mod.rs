//! The cancel-safety knowledge base: what is known about library APIs, as data.
//!
//! The built-in entries live in `apis.toml` next to this file (read at compile time; this crate
//! does no IO). Each entry names an API by its owner path and method, gives a verdict, what is lost
//! when the future is dropped, the fix, and the source of the claim.

pub mod docs;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// What dropping an API's future midway costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Mutates the file system.
    FsWrite,
    /// Reads the file system.
    FsRead,
    /// Work on the blocking pool.
    Blocking,
}

/// One API the knowledge base knows.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    /// Owner path and name: `tokio::io::AsyncReadExt::read_exact`.
    pub path: String,
    pub kind: ApiKind,
    pub verdict: Verdict,
    /// What is lost when the future is dropped (absent when safe).
    pub loses: Option<String>,
    /// How to fix a raced use (absent when safe).
    pub fix: Option<String>,
    /// Where the claim comes from.
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub effect: Option<Effect>,
    /// The loss happens only if the code also calls this method (`Notify::notified` misses a
    /// wakeup only from `notify_waiters`; `notify_one` stores a permit).
    #[serde(default)]
    pub lost_only_with: Option<String>,
    /// Dropping the future loses its result but leaves the receiver usable (no stream is left
    /// mid-frame), so only a loop that repeats the loss matters.
    #[serde(default)]
    pub resource_intact: bool,
    /// How many arguments a call passes (not counting `self`), when verified from the
    /// signature: a same-named method with another arity is a different API.
    #[serde(default)]
    pub args: Option<usize>,
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
    api: Vec<ApiEntry>,
}

/// The knowledge base, indexed by method name and by full path.
#[derive(Debug, Default)]
pub struct Knowledge {
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
        let mut knowledge = Knowledge::default();
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
}
