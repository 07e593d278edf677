//! Which files may be read: those inside the workspace root (without PATHs) or inside the PATHs
//! given. The checkout is untrusted, and a symlink in it, a `[[bin]] path = "../../x.rs"` or a
//! `#[path]` module can point anywhere: a `TOKEN=...` file outside must never reach the output.
//! Every source file is canonicalized (symlinks resolved) and checked before it is read; one
//! outside is skipped with a note on stderr that names it, and the run goes on.

use std::fs;
use std::path::{Path, PathBuf};

use crate::escape::path_label;

/// The folders and files a run may read.
#[derive(Clone, Debug)]
pub enum Boundary {
    /// The canonical workspace root.
    Workspace(PathBuf),
    /// The canonical PATHs given: a folder allows what is inside it, a file itself.
    Paths(Vec<PathBuf>),
}

impl Boundary {
    /// The boundary of a workspace run.
    pub fn workspace(root: &Path) -> Boundary {
        Boundary::Workspace(fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()))
    }

    /// The boundary of a run on PATHs (that exist).
    pub fn paths(paths: &[PathBuf]) -> Boundary {
        Boundary::Paths(
            paths
                .iter()
                .filter_map(|path| fs::canonicalize(path).ok())
                .collect(),
        )
    }

    /// Whether `path` may be read. A path that cannot be resolved (missing, a dangling link) is
    /// allowed: reading it fails with its own error, which shows no content.
    pub fn allows(&self, path: &Path) -> bool {
        let Ok(resolved) = fs::canonicalize(path) else {
            return true;
        };
        self.allows_resolved(&resolved)
    }

    /// Whether a canonical path is inside.
    pub fn allows_resolved(&self, resolved: &Path) -> bool {
        match self {
            Boundary::Workspace(root) => resolved.starts_with(root),
            Boundary::Paths(paths) => paths.iter().any(|allowed| resolved.starts_with(allowed)),
        }
    }

    /// The note for a file this boundary keeps out, by its label.
    pub fn note(&self, path: &Path) -> String {
        let what = match self {
            Boundary::Workspace(_) => "the workspace",
            Boundary::Paths(_) => "the paths given",
        };
        format!(
            "note: skipped `{}`: it resolves outside {what}",
            path_label(path)
        )
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn symlinks_out_of_the_boundary_are_not_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(dir.path().join("secret.rs"), "TOKEN=1").unwrap();
        fs::write(root.join("src/lib.rs"), "").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.rs"), root.join("src/leak.rs")).unwrap();
        std::os::unix::fs::symlink(root.join("src/lib.rs"), root.join("src/alias.rs")).unwrap();
        let boundary = Boundary::workspace(&root);
        assert!(boundary.allows(&root.join("src/lib.rs")));
        assert!(boundary.allows(&root.join("src/alias.rs")));
        assert!(!boundary.allows(&root.join("src/leak.rs")));
        assert!(!boundary.allows(&root.join("../secret.rs")));
        assert!(boundary.allows(&root.join("src/missing.rs")));

        let paths = Boundary::paths(&[root.join("src/lib.rs")]);
        assert!(paths.allows(&root.join("src/lib.rs")));
        assert!(paths.allows(&root.join("src/alias.rs")), "the same file");
        assert!(!paths.allows(&root.join("src/leak.rs")));
    }
}
