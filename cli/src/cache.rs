//! The result cache under `target/cancel-check/cache/`: a run over an unchanged workspace reads
//! the files, hashes them and prints the stored findings, without parsing anything.
//!
//! The cache never changes an answer. A finding depends on much more than its own file: the
//! summary of whatever function a call resolves to (through imports, renames, re-exports and
//! `#[path]` modules), the types other files declare, who races a function, suppressions on
//! `mod` declarations, the configuration and the knowledge. So the stored findings are reused
//! only when the whole run is identical: the same key (tool build, configuration, knowledge)
//! and the same files, with the same labels, bytes (or read errors), crates, module paths and
//! package contexts. Anything else analyses everything again. Per-file reuse needs the model to
//! say what each file's findings depend on; until then, correctness comes first.
//!
//! The cache is the checkout's data: a forged entry with the right key hides findings, so on
//! untrusted code use `--no-cache`. Cache files are only read when they are regular files (not a
//! symlink, not a FIFO) of at most [`MAX_CACHE_BYTES`], and written through a unique temporary
//! file in the same folder, renamed into place, so concurrent runs never share a file name and
//! a reader never sees half a file.

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    lint_by_name, Applicability, Config, Diagnostic, Edit, Label, Level, Span, Suggestion,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The folder of every cache of the tool, under the target directory.
pub const CACHE_ROOT: &str = "cancel-check";

/// The results cache file, under the target directory.
const CACHE_FILE: &str = "cancel-check/cache/results-v3.json";

/// A cache file larger than this (256 MiB) is not read: it cannot be one this tool wrote for a
/// workspace of sane size, and reading it could exhaust memory.
pub const MAX_CACHE_BYTES: u64 = 256 << 20;

/// What `CACHEDIR.TAG` holds (<https://bford.info/cachedir/>): backup tools skip the folder.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by cancel-check.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// Where the cache lives and what it is valid for.
#[derive(Debug)]
pub struct Cache {
    file: PathBuf,
    /// Tool version, configuration and knowledge.
    key: String,
}

/// Everything a run's findings are computed from, besides the key: one entry per file.
#[derive(Debug, Default)]
pub struct RunInputs {
    hasher: Sha256,
}

impl RunInputs {
    /// Adds one file: its label, what it was read as (the hash of its bytes, or the reason it
    /// could not be read), its crate, its module path and its package context.
    pub fn add(
        &mut self,
        label: &str,
        content: &str,
        crate_name: &str,
        module: &[String],
        context: &str,
    ) {
        for part in [label, content, crate_name, &module.join("::"), context] {
            self.hasher.update(part.len().to_le_bytes());
            self.hasher.update(part);
        }
    }

    fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

/// The hash of a file's bytes, for [`RunInputs::add`].
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheFile {
    /// The key and the run's inputs, hashed together.
    key: String,
    diagnostics: Vec<StoredDiagnostic>,
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
    suggestions: Vec<StoredSuggestion>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredLabel {
    file: String,
    span: [u64; 6],
    message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredSuggestion {
    message: String,
    machine_applicable: bool,
    /// Each edit's span and replacement.
    edits: Vec<([u64; 6], String)>,
}

fn store_span(s: &Span) -> [u64; 6] {
    [
        u64::from(s.line),
        u64::from(s.column),
        u64::from(s.end_line),
        u64::from(s.end_column),
        s.start as u64,
        s.end as u64,
    ]
}

fn stored_span(span: [u64; 6]) -> Span {
    let [line, column, end_line, end_column, start, end] = span;
    Span {
        line: line as u32,
        column: column as u32,
        end_line: end_line as u32,
        end_column: end_column as u32,
        start: start as usize,
        end: end as usize,
    }
}

impl StoredLabel {
    fn from(label: &Label) -> StoredLabel {
        StoredLabel {
            file: label.file.clone(),
            span: store_span(&label.span),
            message: label.message.clone(),
        }
    }

    fn to_label(&self) -> Label {
        Label {
            file: self.file.clone(),
            span: stored_span(self.span),
            message: self.message.clone(),
        }
    }
}

impl StoredSuggestion {
    fn from(suggestion: &Suggestion) -> StoredSuggestion {
        StoredSuggestion {
            message: suggestion.message.clone(),
            machine_applicable: suggestion.applicability == Applicability::MachineApplicable,
            edits: suggestion
                .edits
                .iter()
                .map(|edit| (store_span(&edit.span), edit.replacement.clone()))
                .collect(),
        }
    }

    fn to_suggestion(&self) -> Suggestion {
        Suggestion {
            message: self.message.clone(),
            applicability: if self.machine_applicable {
                Applicability::MachineApplicable
            } else {
                Applicability::MaybeIncorrect
            },
            edits: self
                .edits
                .iter()
                .map(|(span, replacement)| Edit {
                    span: stored_span(*span),
                    replacement: replacement.clone(),
                })
                .collect(),
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
            suggestions: diagnostic
                .suggestions
                .iter()
                .map(StoredSuggestion::from)
                .collect(),
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
            suggestions: self
                .suggestions
                .iter()
                .map(StoredSuggestion::to_suggestion)
                .collect(),
        })
    }
}

impl Cache {
    /// The cache in `target_dir`, keyed by the tool's build, the configuration and the
    /// knowledge. The build is the version, the commit, and the running executable's size and
    /// modification time, so that a rebuilt binary of the same version never reuses the
    /// findings of another build.
    pub fn new(target_dir: &Path, config: &Config, knowledge: &Knowledge) -> Cache {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        hasher.update(b"\0");
        hasher.update(env!("CANCEL_CHECK_COMMIT"));
        hasher.update(b"\0");
        if let Some(metadata) = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::metadata(exe).ok())
        {
            hasher.update(metadata.len().to_le_bytes());
            if let Ok(modified) = metadata.modified() {
                hasher.update(format!("{modified:?}"));
            }
        }
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

    /// The key of a run with these inputs.
    fn run_key(&self, inputs: RunInputs) -> String {
        let mut hasher = Sha256::new();
        hasher.update(&self.key);
        hasher.update(inputs.finish());
        hex(&hasher.finalize())
    }

    /// The stored findings, when they were stored for exactly this run.
    pub fn lookup(&self, inputs: RunInputs) -> Lookup {
        let key = self.run_key(inputs);
        let stored = read_regular(&self.file, MAX_CACHE_BYTES)
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|stored| stored.key == key);
        let diagnostics = stored.and_then(|stored| {
            stored
                .diagnostics
                .iter()
                .map(StoredDiagnostic::to_diagnostic)
                .collect::<Option<Vec<_>>>()
        });
        Lookup { key, diagnostics }
    }

    /// Stores the findings of a run. A cache that cannot be written is not an error (the next
    /// run is simply slower); the reason is returned for a warning.
    pub fn store(&self, lookup: &Lookup, diagnostics: &[Diagnostic]) -> Result<(), String> {
        let stored = CacheFile {
            key: lookup.key.clone(),
            diagnostics: diagnostics.iter().map(StoredDiagnostic::from).collect(),
        };
        let write = || -> io::Result<()> {
            let text = serde_json::to_vec(&stored)?;
            write_atomic(&self.file, &text)
        };
        write().map_err(|error| {
            format!(
                "could not write the cache `{}`: {error}",
                crate::escape::path_label(&self.file)
            )
        })
    }
}

/// What the cache holds for a run: its key, and the findings when they are current.
#[derive(Debug)]
pub struct Lookup {
    key: String,
    pub diagnostics: Option<Vec<Diagnostic>>,
}

/// The bytes of a cache file, when it is a regular file (`symlink_metadata`: a symlink is not
/// followed) of at most `limit` bytes. A FIFO, a device or a link to one is never opened.
pub fn read_regular(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let metadata = fs::symlink_metadata(path).ok()?;
    if !metadata.file_type().is_file() || metadata.len() > limit {
        return None;
    }
    let file = open_no_follow(path).ok()?;
    // The file may have been replaced since: check what was opened, and read at most `limit`.
    let opened = file.metadata().ok()?;
    if !opened.is_file() || opened.len() > limit {
        return None;
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= limit).then_some(bytes)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: should a FIFO appear between the check and the open, the open does not block.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    fs::File::open(path)
}

/// Writes a cache file through a temporary file with a unique name in the same folder, renamed
/// into place (which replaces a symlink or FIFO there rather than writing through it). Creates
/// the folders, and marks `<target>/cancel-check` as a cache on the way.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("a cache file without a folder"))?;
    fs::create_dir_all(dir)?;
    if let Some(root) = dir
        .ancestors()
        .find(|ancestor| ancestor.file_name().is_some_and(|name| name == CACHE_ROOT))
    {
        mark_as_cache(root);
    }
    let mut temporary = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.flush()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// `CACHEDIR.TAG` and a `.gitignore` of `*` in the tool's cache folder, as cargo marks its
/// target directory. Each is created only when missing (never written through a symlink);
/// failing to create them is harmless.
fn mark_as_cache(root: &Path) {
    for (name, text) in [("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")] {
        let path = root.join(name);
        if fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        if let Ok(mut file) = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            let _ = file.write_all(text.as_bytes());
        }
    }
}

/// Whether a cache folder may be used: one that lies inside the workspace root (as the default
/// `target/` does) must still be inside it once symlinks are resolved, so that a checkout's
/// `target` symlink cannot make the tool read or write elsewhere. A folder outside the root
/// (`--target-dir`, `CARGO_TARGET_DIR`, cargo's `build.target-dir`) is the user's choice.
pub fn usable_dir(dir: &Path, root: &Path) -> bool {
    if root.as_os_str().is_empty() || !dir.starts_with(root) {
        return true;
    }
    let Ok(canonical_root) = fs::canonicalize(root) else {
        return false;
    };
    // The deepest part that exists, resolved; the rest is created as plain folders.
    let existing = dir.ancestors().find(|ancestor| ancestor.exists());
    existing
        .and_then(|existing| fs::canonicalize(existing).ok())
        .is_some_and(|resolved| resolved.starts_with(&canonical_root))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path) -> Cache {
        Cache {
            file: dir.join(CACHE_FILE),
            key: "k".to_string(),
        }
    }

    fn inputs(files: &[(&str, &str, &[&str])]) -> RunInputs {
        let mut inputs = RunInputs::default();
        for (label, content, module) in files {
            let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
            inputs.add(label, content, "krate", &module, "");
        }
        inputs
    }

    fn finding(file: &str) -> Diagnostic {
        Diagnostic {
            lint: lint_by_name("select_arm_not_cancel_safe").unwrap(),
            level: Level::Warn,
            message: "m".to_string(),
            primary: Label {
                file: file.to_string(),
                span: Span::default(),
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    #[test]
    fn only_an_identical_run_reuses_the_findings() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let run = [("a.rs", "1", &["a"][..]), ("b.rs", "2", &["b"][..])];
        let lookup = cache.lookup(inputs(&run));
        assert!(lookup.diagnostics.is_none(), "nothing stored yet");
        cache.store(&lookup, &[finding("a.rs")]).unwrap();
        let again = cache.lookup(inputs(&run));
        assert_eq!(again.diagnostics.map(|d| d.len()), Some(1));

        // Another byte, another module path, another file, a missing file, another key: miss.
        let changes: [&[(&str, &str, &[&str])]; 4] = [
            &[("a.rs", "1", &["a"]), ("b.rs", "2'", &["b"])],
            &[("a.rs", "1", &["a"]), ("b.rs", "2", &["c"])],
            &[
                ("a.rs", "1", &["a"]),
                ("b.rs", "2", &["b"]),
                ("c.rs", "", &[]),
            ],
            &[("a.rs", "1", &["a"])],
        ];
        for change in changes {
            assert!(
                cache.lookup(inputs(change)).diagnostics.is_none(),
                "{change:?}"
            );
        }
        let other_key = Cache {
            key: "other".to_string(),
            ..cache
        };
        assert!(other_key.lookup(inputs(&run)).diagnostics.is_none());
    }

    #[test]
    fn parts_of_an_input_cannot_run_into_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let lookup = cache.lookup(inputs(&[("ab", "c", &[])]));
        cache.store(&lookup, &[]).unwrap();
        assert!(cache
            .lookup(inputs(&[("a", "bc", &[])]))
            .diagnostics
            .is_none());
    }

    #[test]
    fn writing_marks_the_cache_folder() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let lookup = cache.lookup(inputs(&[]));
        cache.store(&lookup, &[]).unwrap();
        let root = dir.path().join(CACHE_ROOT);
        assert_eq!(fs::read_to_string(root.join(".gitignore")).unwrap(), "*\n");
        assert!(fs::read_to_string(root.join("CACHEDIR.TAG"))
            .unwrap()
            .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_not_read_and_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.json");
        fs::write(&target, "precious").unwrap();
        let cache = cache(dir.path());
        fs::create_dir_all(cache.file.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, &cache.file).unwrap();
        assert!(read_regular(&cache.file, MAX_CACHE_BYTES).is_none());
        let lookup = cache.lookup(inputs(&[]));
        cache.store(&lookup, &[]).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
        assert!(fs::symlink_metadata(&cache.file).unwrap().is_file());
    }

    #[test]
    fn a_file_over_the_limit_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        fs::write(&path, [b'x'; 100]).unwrap();
        assert!(read_regular(&path, 99).is_none());
        assert_eq!(read_regular(&path, 100).map(|b| b.len()), Some(100));
    }

    #[cfg(unix)]
    #[test]
    fn a_target_symlink_out_of_the_workspace_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&outside).unwrap();
        assert!(usable_dir(&root.join("target/cancel-check"), &root));
        std::os::unix::fs::symlink(&outside, root.join("target")).unwrap();
        assert!(!usable_dir(&root.join("target/cancel-check"), &root));
        // A folder the user chose outside the workspace is used as it is.
        assert!(usable_dir(&outside.join("cancel-check"), &root));
    }
}
