//! Where a finding is, in terms that survive edits and machines: paths relative to the
//! repository root, and fingerprints that stay the same when unrelated lines move. Used by the
//! SARIF `partialFingerprints`, the GitHub annotations and the baseline.

use std::collections::HashMap;
use std::env;
use std::path::{Component, Path, PathBuf};

use cancel_check_lints::Diagnostic;
use sha2::{Digest, Sha256};

use crate::analyze::Analysis;

/// The folder paths are reported relative to: the git toplevel around the workspace, else the
/// workspace root, else the current directory.
#[derive(Clone, Debug)]
pub struct RepoRoot {
    pub root: PathBuf,
}

impl RepoRoot {
    /// Finds the root for a run: from the workspace root of the first file with a cargo
    /// context, else from the current directory.
    pub fn for_analysis(analysis: &Analysis) -> RepoRoot {
        let cwd = env::current_dir().unwrap_or_default();
        let workspace = analysis
            .files
            .iter()
            .find_map(|file| file.file.context.as_ref())
            .map(|context| context.workspace_root.clone());
        let start = workspace.clone().unwrap_or_else(|| cwd.clone());
        let git = start
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .map(Path::to_path_buf);
        RepoRoot {
            root: git.or(workspace).unwrap_or(cwd),
        }
    }

    /// A path relative to the root with `/` separators; a path outside the root stays as it is
    /// (made absolute).
    pub fn relative(&self, path: &Path) -> String {
        let cwd = env::current_dir().unwrap_or_default();
        let absolute = normalise(&cwd.join(path));
        let root = normalise(&self.root);
        match absolute.strip_prefix(&root) {
            Ok(relative) => relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => absolute.to_string_lossy().replace('\\', "/"),
        }
    }

    /// The repository-relative path of a finding's file, by its path label.
    pub fn of_label(&self, analysis: &Analysis, label: &str) -> String {
        match analysis.files.iter().find(|file| file.file.label == label) {
            Some(file) => self.relative(&file.file.path),
            None => self.relative(Path::new(label)),
        }
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system (symlinks are left alone).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A finding's identity across edits: its lint, its file, the text of its primary line and
/// the lines around it (whitespace collapsed), and which occurrence of that same context it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    pub lint: String,
    pub path: String,
    /// The hash of the normalised context lines (hex).
    pub context: String,
    /// 0 for the first finding with this lint, path and context, 1 for the next...
    pub occurrence: usize,
}

impl Fingerprint {
    /// One hex string for the whole fingerprint (the SARIF `partialFingerprints` value).
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(format!(
            "{}\0{}\0{}\0{}",
            self.lint, self.path, self.context, self.occurrence
        )))
    }
}

/// The fingerprint of every finding of a run, in the order of `analysis.diagnostics`.
pub fn fingerprints(analysis: &Analysis, root: &RepoRoot) -> Vec<Fingerprint> {
    // Each file's lines and repository path, computed once (a file may have many findings).
    let mut files: HashMap<&str, (Vec<&str>, String)> = HashMap::new();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    analysis
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let label = diagnostic.primary.file.as_str();
            let (lines, path) = files.entry(label).or_insert_with(|| {
                let file = analysis.files.iter().find(|file| file.file.label == label);
                let lines = file
                    .map(|file| file.text().lines().collect())
                    .unwrap_or_default();
                let path = match file {
                    Some(file) => root.relative(&file.file.path),
                    None => root.relative(Path::new(label)),
                };
                (lines, path)
            });
            let context = context_hash(lines, diagnostic);
            let key = (diagnostic.lint.name.to_string(), path.clone(), context);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let fingerprint = Fingerprint {
                lint: key.0,
                path: key.1,
                context: key.2,
                occurrence: *occurrence,
            };
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

/// The hash of the primary line and its neighbours, each with its whitespace collapsed.
fn context_hash(lines: &[&str], diagnostic: &Diagnostic) -> String {
    let line = diagnostic.primary.span.line.max(1) as usize - 1;
    let mut hasher = Sha256::new();
    for index in line.saturating_sub(1)..=line + 1 {
        let normalised = lines
            .get(index)
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        hasher.update(normalised.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
