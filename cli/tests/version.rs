//! `--version`: the tool's version, the commit it was built from and the knowledge base's date.
//! The commit comes from `cli/build.rs`, which these tests also compile and run on their own, as
//! cargo would, where there is no git, no `.git` folder, a packaged crate or a vendored copy.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use cancel_check_lints::knowledge::Knowledge;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = StdCommand::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

#[test]
fn the_version_names_the_commit_and_the_knowledge_base_s_date() {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let line = String::from_utf8(output.stdout).unwrap();
    let date = Knowledge::builtin().updated().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    // Built in this repository's work tree (as the tests are), the build script found the
    // commit, unless the build environment named one.
    let from_env = std::env::var("CANCEL_CHECK_COMMIT")
        .ok()
        .filter(|commit| commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()));
    let commit: Option<String> = match from_env {
        Some(commit) => Some(commit.to_ascii_lowercase().chars().take(9).collect()),
        None => git(&repo_root(), &["rev-parse", "HEAD"]).map(|id| id.chars().take(9).collect()),
    };
    let expected = match commit {
        Some(commit) => {
            format!("cargo-cancel-check {version} ({commit}, knowledge base of {date})\n")
        }
        None => format!("cargo-cancel-check {version} (knowledge base of {date})\n"),
    };
    assert_eq!(line, expected);
    // `-V` says the same, and so does the cargo subcommand form.
    let short = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .args(["cancel-check", "-V"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(short.stdout).unwrap(), expected);
}

/// `cli/build.rs`, compiled as cargo compiles it.
struct BuildScript {
    _dir: tempfile::TempDir,
    binary: PathBuf,
}

impl BuildScript {
    fn compile() -> BuildScript {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("build-script");
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let output = StdCommand::new(rustc)
            .args(["--edition", "2021", "-o"])
            .arg(&binary)
            .arg(repo_root().join("cli/build.rs"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        BuildScript { _dir: dir, binary }
    }

    /// Runs it for a package in `manifest_dir`: (exit status, the commit it sets).
    fn run(&self, manifest_dir: &Path, env: &[(&str, &str)], path: Option<&str>) -> (bool, String) {
        let mut command = StdCommand::new(&self.binary);
        command
            .env("CARGO_MANIFEST_DIR", manifest_dir)
            .env_remove("CANCEL_CHECK_COMMIT");
        if let Some(path) = path {
            command.env("PATH", path);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let commit = stdout
            .lines()
            .find_map(|line| line.strip_prefix("cargo:rustc-env=CANCEL_CHECK_COMMIT="))
            .expect("the variable is always set")
            .to_string();
        (output.status.success(), commit)
    }
}

#[test]
fn the_build_script_never_fails_and_takes_the_commit_only_where_it_is_this_repository_s() {
    let script = BuildScript::compile();
    let empty = tempfile::tempdir().unwrap();
    let package = empty.path().join("cli");
    fs::create_dir_all(&package).unwrap();

    // No git at all (an empty PATH), or no `.git` folder: no commit, and no failure.
    assert_eq!(script.run(&package, &[], Some("")), (true, String::new()));
    assert_eq!(script.run(&package, &[], None), (true, String::new()));

    // What `cargo package` records: a crate from crates.io names its commit.
    fs::write(
        package.join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"cli\"\n}",
    )
    .unwrap();
    assert_eq!(
        script.run(&package, &[], Some("")),
        (true, "012345678".to_string())
    );

    // The build environment wins; a value that is no commit id is ignored.
    assert_eq!(
        script.run(
            &package,
            &[("CANCEL_CHECK_COMMIT", "FEDCBA9876543210")],
            None
        ),
        (true, "fedcba987".to_string())
    );
    assert_eq!(
        script.run(
            &package,
            &[("CANCEL_CHECK_COMMIT", "v0.1.0; rm -rf /")],
            None
        ),
        (true, "012345678".to_string())
    );
    fs::remove_file(package.join(".cargo_vcs_info.json")).unwrap();

    if git(empty.path(), &["--version"]).is_none() {
        return;
    }
    // A copy vendored into another repository (its top level does not hold `cli/` as this
    // package) does not take that repository's commit.
    let vendoring = tempfile::tempdir().unwrap();
    let vendored = vendoring.path().join("vendor/cargo-cancel-check");
    fs::create_dir_all(&vendored).unwrap();
    fs::write(vendored.join("Cargo.toml"), "").unwrap();
    let init = |dir: &Path| {
        for args in [
            &["init", "-q"][..],
            &["add", "."],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-q",
                "-m",
                "x",
            ],
        ] {
            assert!(git(dir, args).is_some(), "git {args:?}");
        }
    };
    init(vendoring.path());
    assert_eq!(script.run(&vendored, &[], None), (true, String::new()));

    // This layout in its own repository (the top level holds `cli/`): its commit.
    fs::write(package.join("Cargo.toml"), "").unwrap();
    init(empty.path());
    let head: String = git(empty.path(), &["rev-parse", "HEAD"])
        .unwrap()
        .chars()
        .take(9)
        .collect();
    assert_eq!(script.run(&package, &[], None), (true, head));
}
