//! The runtime shim seen by the analyser: its "before" examples are flagged, its "after" examples
//! (the same code with the shim's primitives) are not, and a project that depends on the shim
//! learns that the shim's methods are cancel safe from the mined `# Cancel safety` docs, with no
//! special case for the shim in the analyser.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `--message-format short` lines of a run from the repository root, and its exit code.
fn short(args: &[&str]) -> (Vec<String>, i32) {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(repo_root())
        .args(["--message-format", "short", "--no-cache"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (
        stdout.lines().map(str::to_string).collect(),
        output.status.code().unwrap(),
    )
}

#[test]
fn the_before_examples_are_flagged_and_the_after_examples_are_not() {
    // The whole shim package: its sources, tests and examples, analysed together.
    let (lines, code) = short(&[
        "--no-deps-docs",
        "--manifest-path",
        "runtime-shim/Cargo.toml",
    ]);
    assert_eq!(
        lines,
        [
            "runtime-shim/examples/frame_reader_before.rs:55:21: warning[select_arm_not_cancel_safe]: `read_frame(..)` is not cancel safe and is raced in `select!`",
            "runtime-shim/examples/send_in_select_before.rs:21:20: warning[select_arm_not_cancel_safe]: `out.send(..)` is not cancel safe and is raced in `select!`",
        ]
    );
    assert_eq!(code, 1);

    // Each "after" example with the shim's sources: silent, because the shim's methods carry
    // `#[cancel_safe]`.
    for example in ["frame_reader_after.rs", "send_in_select_after.rs"] {
        let example = format!("runtime-shim/examples/{example}");
        let (lines, code) = short(&["--no-deps-docs", "runtime-shim/src", &example]);
        assert_eq!((lines.as_slice(), code), (&[][..], 0), "{example}");
    }
}

/// Copies `from` into `to`, leaving out `target/` folders; `edit` rewrites each manifest.
fn copy_tree(from: &Path, to: &Path, edit: &dyn Fn(&str) -> String) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&entry.path(), &target, edit);
            }
        } else if entry.file_name() == "Cargo.toml" {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(&target, edit(&text)).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `with-shim` in a temporary folder with the shim vendored inside it (`vendor/cancel-check`):
/// dependency docs are only mined from cargo's caches and from inside the workspace, and in the
/// repository the shim is a path dependency outside the fixture.
fn with_vendored_shim() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("with-shim");
    copy_tree(
        &repo_root().join("test-fixtures/projects/with-shim"),
        &project,
        &|text| text.replace("../../../runtime-shim", "vendor/cancel-check"),
    );
    // Outside the repository's workspace, the shim's inherited fields are spelled out, with the
    // values of the root manifest's `[workspace.package]`.
    let root: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap()).unwrap();
    let inherited: Vec<(String, String)> = root["workspace"]["package"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(key, value)| {
            (
                format!("{key}.workspace = true"),
                format!("{key} = {value}"),
            )
        })
        .collect();
    let inherit = |text: &str| {
        let mut text = text.to_string();
        for (from, to) in &inherited {
            text = text.replace(from, to);
        }
        assert!(!text.contains(".workspace = true"), "{text}");
        text
    };
    copy_tree(
        &repo_root().join("runtime-shim"),
        &project.join("vendor/cancel-check"),
        &inherit,
    );
    dir
}

#[test]
fn a_project_depending_on_the_shim_learns_its_cancel_safety_from_the_mined_docs() {
    let manifest = "test-fixtures/projects/with-shim/Cargo.toml";
    // The tool reads dependency sources offline; make sure the locked crates are downloaded.
    // For this platform only: the tool falls back to them, and they are the workspace's own
    // dependencies, which its build has downloaded, so this needs no network.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let version = std::process::Command::new(&cargo)
        .arg("-vV")
        .output()
        .unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("`cargo -vV` names the host");
    let fetched = std::process::Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "fetch",
            "--locked",
            "--target",
            host,
            "--manifest-path",
            manifest,
        ])
        .output()
        .unwrap();
    assert!(
        fetched.status.success(),
        "cargo fetch: {}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let dir = with_vendored_shim();
    let manifest = dir.path().join("with-shim/Cargo.toml");
    let manifest = manifest.to_str().unwrap();
    let (lines, code) = short(&["--manifest-path", manifest]);
    assert_eq!(
        lines,
        ["src/lib.rs:50:20: warning[select_arm_not_cancel_safe]: `out.send(..)` is not cancel safe and is raced in `select!`"]
    );
    assert_eq!(code, 1);

    // Without the mined docs, `outbox.send(event)` is judged by the knowledge base alone, which
    // cannot tell it from a `Sink`'s `send`: the docs are what makes it known to be safe.
    let (lines, _) = short(&["--no-deps-docs", "--manifest-path", manifest]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0]
        .starts_with("src/lib.rs:38:20: warning[select_arm_not_cancel_safe]: `outbox.send(..)`"));

    // In the repository the shim is a path dependency outside the fixture's workspace: its
    // sources are not read, so the run knows as little as without dependency docs.
    let (outside, _) = short(&[
        "--manifest-path",
        "test-fixtures/projects/with-shim/Cargo.toml",
    ]);
    assert_eq!(outside, lines);
}
