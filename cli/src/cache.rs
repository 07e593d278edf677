//! The result cache under `target/cancel-check/cache/`: a second run over an unchanged workspace
//! reads the files, hashes them and prints the stored findings, without parsing anything.
//!
//! Findings depend on more than their own file: a raced call is judged by the summary of the
//! function it resolves to, in whatever file that is, and a function's buffer is judged by who
//! races it. So a changed file is re-analysed together with every file connected to it, in
//! either direction, by a function name one of them calls and the other defines (a
//! conservative, purely textual superset of the call graph: `foo(`, `.foo(` and `foo::<` count as
//! calls; `fn foo` as a definition). The connected files are analysed together, from scratch;
//! every other file keeps its stored findings.
//!
//! A change to a file whose `mod name;` declarations may change how other files are checked (a
//! suppression on one, `#[cfg(test)]` that makes the module test code, an allow of rustc's
//! `async_fn_in_trait` that flows down the module tree) re-analyses everything.
//!
//! The whole cache is invalidated by a different tool version, configuration or knowledge base
//! (built-in, mined from dependencies and configured). `--no-cache` turns it off.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{lint_by_name, Config, Diagnostic, Label, Level, Span};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cache file, under the target directory.
const CACHE_FILE: &str = "cancel-check/cache/results-v1.json";

/// Where the cache lives and what it is valid for.
#[derive(Debug)]
pub struct Cache {
    file: PathBuf,
    /// Tool version, configuration and knowledge: a stored cache with another key is ignored.
    key: String,
}

/// What is stored for one file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// SHA-256 of the file's bytes (empty when it could not be read).
    pub hash: String,
    /// Names of the functions it defines.
    pub defines: BTreeSet<String>,
    /// Names it calls.
    pub calls: BTreeSet<String>,
    /// Its `mod name;` declarations may change how the module's own files are checked (a
    /// suppression, `#[cfg(test)]`, an allow of `async_fn_in_trait`): a change to it
    /// re-analyses everything.
    #[serde(default)]
    pub allows_modules: bool,
    pub diagnostics: Vec<StoredDiagnostic>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    key: String,
    files: BTreeMap<String, FileEntry>,
}

/// A finding as stored (the library's `Diagnostic` points to a `&'static Lint`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredDiagnostic {
    lint: String,
    deny: bool,
    message: String,
    primary: StoredLabel,
    secondary: Vec<StoredLabel>,
    help: Option<String>,
    notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredLabel {
    file: String,
    span: [u64; 6],
    message: String,
}

impl StoredLabel {
    fn from(label: &Label) -> StoredLabel {
        let s = &label.span;
        StoredLabel {
            file: label.file.clone(),
            span: [
                u64::from(s.line),
                u64::from(s.column),
                u64::from(s.end_line),
                u64::from(s.end_column),
                s.start as u64,
                s.end as u64,
            ],
            message: label.message.clone(),
        }
    }

    fn to_label(&self) -> Label {
        let [line, column, end_line, end_column, start, end] = self.span;
        Label {
            file: self.file.clone(),
            span: Span {
                line: line as u32,
                column: column as u32,
                end_line: end_line as u32,
                end_column: end_column as u32,
                start: start as usize,
                end: end as usize,
            },
            message: self.message.clone(),
        }
    }
}

impl StoredDiagnostic {
    pub fn from(diagnostic: &Diagnostic) -> StoredDiagnostic {
        StoredDiagnostic {
            lint: diagnostic.lint.name.to_string(),
            deny: diagnostic.level == Level::Deny,
            message: diagnostic.message.clone(),
            primary: StoredLabel::from(&diagnostic.primary),
            secondary: diagnostic.secondary.iter().map(StoredLabel::from).collect(),
            help: diagnostic.help.clone(),
            notes: diagnostic.notes.clone(),
        }
    }

    /// `None` for a lint this version does not know (the key makes that impossible, short of a
    /// hand-edited cache).
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        Some(Diagnostic {
            lint: lint_by_name(&self.lint)?,
            level: if self.deny { Level::Deny } else { Level::Warn },
            message: self.message.clone(),
            primary: self.primary.to_label(),
            secondary: self.secondary.iter().map(StoredLabel::to_label).collect(),
            help: self.help.clone(),
            notes: self.notes.clone(),
        })
    }
}

/// The files to analyse again, and what is stored for the others.
#[derive(Debug, Default)]
pub struct Plan {
    /// Labels of the files to analyse.
    pub dirty: HashSet<String>,
    /// Stored findings of the files that are not analysed again.
    pub reused: Vec<Diagnostic>,
}

impl Cache {
    /// The cache in `target_dir`, keyed by the tool version, the configuration and the knowledge.
    pub fn new(target_dir: &Path, config: &Config, knowledge: &Knowledge) -> Cache {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        hasher.update(b"\0");
        hasher.update(config.fingerprint());
        hasher.update(b"\0");
        for entry in knowledge.entries() {
            hasher.update(serde_json::to_string(entry).unwrap_or_default());
            hasher.update(format!("{:?}", entry.origin));
        }
        Cache {
            file: target_dir.join(CACHE_FILE),
            key: hex(&hasher.finalize()),
        }
    }

    fn load(&self) -> CacheFile {
        let Ok(text) = fs::read_to_string(&self.file) else {
            return CacheFile::default();
        };
        match serde_json::from_str::<CacheFile>(&text) {
            Ok(stored) if stored.key == self.key => stored,
            _ => CacheFile::default(),
        }
    }

    /// Decides what to analyse: the files whose entry changed (new, edited, or removed since),
    /// and every file connected to one of them by a call name.
    pub fn plan(&self, current: &BTreeMap<String, FileEntry>) -> Plan {
        let stored = self.load();
        if stored.files.is_empty() {
            return Plan {
                dirty: current.keys().cloned().collect(),
                reused: Vec::new(),
            };
        }
        let changed: Vec<&str> = current
            .iter()
            .filter(|(label, entry)| {
                stored
                    .files
                    .get(*label)
                    .is_none_or(|old| old.hash != entry.hash || entry.hash.is_empty())
            })
            .map(|(label, _)| label.as_str())
            .chain(
                stored
                    .files
                    .keys()
                    .filter(|label| !current.contains_key(*label))
                    .map(String::as_str),
            )
            .collect();
        // The graph over the old and the new entries: a removed file still connects the files
        // that used it, and a changed file connects through both its old and its new names.
        let mut graph = Graph::default();
        for (label, entry) in current.iter().chain(&stored.files) {
            graph.add(label, entry);
        }
        let everything = changed.iter().any(|label| {
            current.get(*label).is_some_and(|e| e.allows_modules)
                || stored.files.get(*label).is_some_and(|e| e.allows_modules)
        });
        if everything {
            return Plan {
                dirty: current.keys().cloned().collect(),
                reused: Vec::new(),
            };
        }
        let reached = graph.connected(&changed);
        let dirty: HashSet<String> = current
            .keys()
            .filter(|label| reached.contains(label.as_str()))
            .cloned()
            .collect();
        let reused = current
            .keys()
            .filter(|label| !dirty.contains(*label))
            .filter_map(|label| stored.files.get(label))
            .flat_map(|entry| &entry.diagnostics)
            .filter_map(StoredDiagnostic::to_diagnostic)
            .collect();
        Plan { dirty, reused }
    }

    /// Stores the entries of this run. A cache that cannot be written is not an error (the next
    /// run is simply slower); the reason is returned for a warning.
    pub fn store(&self, files: BTreeMap<String, FileEntry>) -> Result<(), String> {
        let stored = CacheFile {
            key: self.key.clone(),
            files,
        };
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.file.parent() {
                fs::create_dir_all(dir)?;
            }
            let text = serde_json::to_string(&stored)?;
            let partial = self.file.with_extension("json.partial");
            fs::write(&partial, text)?;
            fs::rename(&partial, &self.file)
        };
        write().map_err(|error| {
            format!(
                "could not write the cache `{}`: {error}",
                self.file.display()
            )
        })
    }
}

/// Which files define and which call each name.
#[derive(Default)]
struct Graph<'a> {
    defines: HashMap<&'a str, Vec<&'a str>>,
    calls: HashMap<&'a str, Vec<&'a str>>,
    entries: HashMap<&'a str, Vec<&'a FileEntry>>,
}

impl<'a> Graph<'a> {
    fn add(&mut self, label: &'a str, entry: &'a FileEntry) {
        for name in &entry.defines {
            self.defines.entry(name).or_default().push(label);
        }
        for name in &entry.calls {
            self.calls.entry(name).or_default().push(label);
        }
        self.entries.entry(label).or_default().push(entry);
    }

    /// Every file connected to one of `start` (themselves included).
    fn connected(&self, start: &[&'a str]) -> HashSet<&'a str> {
        let mut seen: HashSet<&str> = start.iter().copied().collect();
        let mut queue: VecDeque<&str> = start.iter().copied().collect();
        let mut names_seen: HashSet<(&str, bool)> = HashSet::new();
        while let Some(label) = queue.pop_front() {
            for entry in self.entries.get(label).into_iter().flatten() {
                let callers = entry.defines.iter().map(|name| (name.as_str(), true));
                let callees = entry.calls.iter().map(|name| (name.as_str(), false));
                for (name, defined) in callers.chain(callees) {
                    if !names_seen.insert((name, defined)) {
                        continue;
                    }
                    let others = if defined {
                        self.calls.get(name)
                    } else {
                        self.defines.get(name)
                    };
                    for other in others.into_iter().flatten() {
                        if seen.insert(other) {
                            queue.push_back(other);
                        }
                    }
                }
            }
        }
        seen
    }
}

/// The entry of a file as read now (its findings are filled in after the analysis).
pub fn entry_for(bytes: Option<&[u8]>, text: &str) -> FileEntry {
    let (defines, calls) = names(text);
    FileEntry {
        hash: bytes
            .map(|bytes| hex(&Sha256::digest(bytes)))
            .unwrap_or_default(),
        defines,
        calls,
        allows_modules: reaches_modules(text),
        diagnostics: Vec::new(),
    }
}

/// Whether a text may change how the files of its `mod name;` declarations are checked: it
/// declares a module without a body, and mentions a suppression, `cfg(test)` or an allow of
/// `async_fn_in_trait` (a textual superset: it may be in a comment).
fn reaches_modules(text: &str) -> bool {
    let declares = text.lines().any(|line| {
        let line = line.trim();
        let line = line
            .strip_prefix("pub")
            .map(|rest| {
                rest.trim_start_matches(|c: char| c != ' ' && c != 'm')
                    .trim_start()
            })
            .unwrap_or(line);
        line.starts_with("mod ") && line.ends_with(';')
    });
    declares
        && [
            "cancel-check",
            "cancel_check",
            "cfg(test)",
            "async_fn_in_trait",
        ]
        .iter()
        .any(|word| text.contains(word))
}

/// The function names a text defines (`fn foo`) and calls (`foo(`, `.foo(`, `foo::<`), found by
/// a scan of its identifiers: a superset of what the parser would find (comments and strings
/// count too), which is what the cache needs.
fn names(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut defines = BTreeSet::new();
    let mut calls = BTreeSet::new();
    let mut previous: Option<&str> = None;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte.is_ascii_alphabetic() || byte == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let ident = &text[start..i];
            let rest = &bytes[i..];
            let after = rest
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let next = &rest[after..];
            if previous == Some("fn") {
                defines.insert(ident.to_string());
            } else if next.starts_with(b"(") || next.starts_with(b"::<") {
                calls.insert(ident.to_string());
            }
            previous = Some(ident);
            continue;
        }
        if !byte.is_ascii_whitespace() {
            previous = None;
        }
        i += 1;
    }
    (defines, calls)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hash: &str, defines: &[&str], calls: &[&str]) -> FileEntry {
        FileEntry {
            hash: hash.to_string(),
            defines: defines.iter().map(|s| s.to_string()).collect(),
            calls: calls.iter().map(|s| s.to_string()).collect(),
            allows_modules: false,
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn a_file_whose_module_declarations_reach_other_files_is_marked() {
        for (text, reaches) in [
            ("#[cfg(test)]\nmod tests;\n", true),
            ("#![allow(async_fn_in_trait)]\npub mod io;\n", true),
            (
                "// cancel-check: allow(futurelock)\npub(crate) mod legacy;\n",
                true,
            ),
            ("pub mod io;\nfn f() {}\n", false),
            ("#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n", false),
        ] {
            assert_eq!(entry_for(None, text).allows_modules, reaches, "{text}");
        }
    }

    #[test]
    fn names_are_definitions_and_calls() {
        let (defines, calls) = names(
            "pub async fn read_frame(&mut self) { self.inner.read_exact(&mut b).await; helper::<u8>(); let x = y; }",
        );
        assert_eq!(defines, BTreeSet::from(["read_frame".to_string()]));
        assert_eq!(
            calls,
            BTreeSet::from(["read_exact".to_string(), "helper".to_string()])
        );
    }

    #[test]
    fn a_change_reaches_callers_and_callees_but_not_strangers() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache {
            file: dir.path().join("cache.json"),
            key: "k".to_string(),
        };
        let mut files = BTreeMap::new();
        files.insert("a.rs".to_string(), entry("1", &["run"], &["read_frame"]));
        files.insert(
            "b.rs".to_string(),
            entry("2", &["read_frame"], &["read_exact"]),
        );
        files.insert("c.rs".to_string(), entry("3", &["main"], &["run"]));
        files.insert("d.rs".to_string(), entry("4", &["unrelated"], &["println"]));
        cache.store(files.clone()).unwrap();

        let plan = cache.plan(&files);
        assert!(plan.dirty.is_empty(), "nothing changed: {:?}", plan.dirty);

        files.get_mut("b.rs").unwrap().hash = "2'".to_string();
        let plan = cache.plan(&files);
        let mut dirty: Vec<&str> = plan.dirty.iter().map(String::as_str).collect();
        dirty.sort();
        assert_eq!(dirty, ["a.rs", "b.rs", "c.rs"]);

        // A removed file takes the files that used it along.
        files.remove("b.rs");
        let plan = cache.plan(&files);
        let mut dirty: Vec<&str> = plan.dirty.iter().map(String::as_str).collect();
        dirty.sort();
        assert_eq!(dirty, ["a.rs", "c.rs"]);
    }

    #[test]
    fn another_key_ignores_the_stored_cache() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.json");
        let files = BTreeMap::from([("a.rs".to_string(), entry("1", &[], &[]))]);
        Cache {
            file: file.clone(),
            key: "old".to_string(),
        }
        .store(files.clone())
        .unwrap();
        let plan = Cache {
            file,
            key: "new".to_string(),
        }
        .plan(&files);
        assert_eq!(plan.dirty.len(), 1);
    }
}
