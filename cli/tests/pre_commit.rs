//! The pre-commit hook, with the real `pre-commit` from PyPI: it installs this repository's hook
//! (`.pre-commit-hooks.yaml`, `language: rust`, so `cargo install --path .` at the root) into a
//! temporary git repository, then a commit with a non-cancel-safe select loop fails and a commit
//! with a clean file passes.
//!
//! The test installs what it needs: a virtualenv with `pre-commit` (cached under cargo's target
//! folder, like the hook's build). It needs python3, git and the package registries, and takes
//! minutes (a release build of the tool), so it is `#[ignore]`d in the README's
//! `cargo test --workspace --locked`; `.ci/run` runs it right after that command
//! (`-- --ignored`), where it fails, never skips, if pre-commit cannot be installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The pre-commit version the test installs.
const PRE_COMMIT: &str = "pre-commit==4.7.0";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("could not run {command:?}: {error}"));
    output
}

fn check(command: &mut Command) -> Output {
    let output = run(command);
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `pre-commit` in a virtualenv under the target folder, installed once.
fn pre_commit(tools: &Path) -> PathBuf {
    let venv = tools.join("pre-commit-venv");
    let bin = venv.join("bin/pre-commit");
    let wanted = PRE_COMMIT.trim_start_matches("pre-commit==");
    let installed = Command::new(&bin).arg("--version").output().ok();
    if installed.is_some_and(|version| {
        version.status.success() && String::from_utf8_lossy(&version.stdout).contains(wanted)
    }) {
        return bin;
    }
    check(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    check(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PRE_COMMIT,
    ]));
    bin
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@localhost")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@localhost")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// A git repository holding this repository's files as they are now (committed or not): the
/// hook repository pre-commit clones.
fn hook_repository(into: &Path) -> String {
    let root = repo_root();
    let listed = check(git(&root).args([
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
        "-z",
    ]));
    for file in listed.stdout.split(|byte| *byte == 0) {
        if file.is_empty() {
            continue;
        }
        let relative = Path::new(std::str::from_utf8(file).unwrap());
        let source = root.join(relative);
        if !source.is_file() {
            continue; // deleted in the working tree
        }
        let target = into.join(relative);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&source, &target).unwrap();
    }
    check(git(into).args(["init", "--quiet"]));
    check(git(into).args(["add", "--all"]));
    check(git(into).args(["commit", "--quiet", "--no-verify", "-m", "snapshot"]));
    let head = check(git(into).args(["rev-parse", "HEAD"]));
    String::from_utf8(head.stdout).unwrap().trim().to_string()
}

const LOSSY: &str = r#"use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub async fn pump(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { let _ = read; }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}
"#;

const CLEAN: &str = r#"use tokio::sync::mpsc;

pub async fn drain(mut rx: mpsc::Receiver<u32>) {
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}
"#;

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn the_hook_fails_a_commit_with_a_finding_and_passes_a_clean_one() {
    let tools = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-tools");
    fs::create_dir_all(&tools).unwrap();
    let pre_commit = pre_commit(&tools);
    let scratch = tempfile::tempdir().unwrap();
    let hooks = scratch.path().join("hooks");
    let project = scratch.path().join("project");
    fs::create_dir_all(&hooks).unwrap();
    fs::create_dir_all(&project).unwrap();
    let rev = hook_repository(&hooks);

    check(git(&project).args(["init", "--quiet"]));
    fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: cancel-check\n",
            hooks.display()
        ),
    )
    .unwrap();
    let with_env = |command: &mut Command| {
        command
            .env("PRE_COMMIT_HOME", scratch.path().join("pre-commit-home"))
            // The hook's `cargo install` build is cached across runs.
            .env("CARGO_TARGET_DIR", tools.join("hook-target"))
            .env_remove("CARGO_BUILD_TARGET_DIR");
    };
    let mut install = Command::new(&pre_commit);
    install.arg("install").current_dir(&project);
    with_env(&mut install);
    check(&mut install);

    fs::create_dir_all(project.join("src")).unwrap();
    fs::write(project.join("src/net.rs"), LOSSY).unwrap();
    check(git(&project).args(["add", "--all"]));
    let mut commit = git(&project);
    commit.args(["commit", "-m", "add a lossy loop"]);
    with_env(&mut commit);
    let failed = run(&mut commit);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(
        !failed.status.success(),
        "the commit must be refused:\n{output}"
    );
    assert!(
        output.contains("warning[select_arm_not_cancel_safe]")
            && output.contains("src/net.rs:9:20"),
        "the hook reports the finding:\n{output}"
    );

    fs::write(project.join("src/net.rs"), CLEAN).unwrap();
    check(git(&project).args(["add", "--all"]));
    let mut commit = git(&project);
    commit.args(["commit", "-m", "drain the channel"]);
    with_env(&mut commit);
    let passed = run(&mut commit);
    assert!(
        passed.status.success(),
        "a clean file passes:\n{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    let log = check(git(&project).args(["log", "--format=%s"]));
    assert_eq!(String::from_utf8_lossy(&log.stdout), "drain the channel\n");
}
