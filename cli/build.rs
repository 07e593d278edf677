//! The commit `--version` names, as `CANCEL_CHECK_COMMIT` for the compiler (empty when unknown).
//! In this order:
//!
//! 1. `CANCEL_CHECK_COMMIT` in the build's environment (a release job may set it), when it is a
//!    hexadecimal commit id;
//! 2. `.cargo_vcs_info.json` next to the manifest, which `cargo package` writes: what a
//!    `cargo install` from crates.io builds has it, and it names the commit packaged;
//! 3. `git rev-parse HEAD`, only when the git work tree is this repository (its top level holds
//!    `cli/`): a copy vendored into another repository must not take that repository's commit.
//!
//! Nothing here fails the build: without git, a `.git` folder or any of the above, the version
//! has no commit.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// As rustc and cargo print them.
const SHORT: usize = 9;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CANCEL_CHECK_COMMIT");
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = from_env()
        .or_else(|| from_vcs_info(&manifest_dir))
        .or_else(|| from_git(&manifest_dir))
        .unwrap_or_default();
    println!("cargo:rustc-env=CANCEL_CHECK_COMMIT={commit}");
}

fn short(id: &str) -> Option<String> {
    let id = id.trim();
    let hex = id.len() >= 7 && id.chars().all(|c| c.is_ascii_hexdigit());
    hex.then(|| {
        id.chars()
            .take(SHORT)
            .collect::<String>()
            .to_ascii_lowercase()
    })
}

fn from_env() -> Option<String> {
    short(&env::var("CANCEL_CHECK_COMMIT").ok()?)
}

/// `{"git": {"sha1": "…", "dirty": true}, "path_in_vcs": "cli"}`.
fn from_vcs_info(manifest_dir: &Path) -> Option<String> {
    let path = manifest_dir.join(".cargo_vcs_info.json");
    let text = fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after.split('"').nth(1)?;
    let mut commit = short(value)?;
    if text.contains("\"dirty\": true") || text.contains("\"dirty\":true") {
        commit.push_str("-dirty");
    }
    Some(commit)
}

fn from_git(manifest_dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(manifest_dir)
            .args(args)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let ours = manifest_dir.parent()?;
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(&top, ours) {
        return None;
    }
    // Build again when HEAD moves: on a commit (its branch's ref), a checkout (HEAD itself).
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        rerun_if_exists(&Path::new(&git_dir).join("HEAD"));
    }
    if let (Some(common), Some(head_ref)) = (
        git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"]),
    ) {
        let common = Path::new(&common);
        if head_ref.starts_with("refs/") {
            rerun_if_exists(&common.join(&head_ref));
        }
        rerun_if_exists(&common.join("packed-refs"));
    }
    short(&git(&["rev-parse", "HEAD"])?)
}

/// A file cargo watches (one that does not exist would make it run this script every build).
fn rerun_if_exists(path: &Path) {
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
