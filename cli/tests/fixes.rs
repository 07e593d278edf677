//! Fixes from the command line: suggestions in cargo's JSON (what rust-analyzer reads) and in
//! human output, `--fix` (machine-applicable fixes only, `--unsafe-fixes` for the rest),
//! `--diff`, and `--add-allow`. Each test copies the real fixtures (`test-fixtures/<lint>/
//! fixes.rs`) into a crate in a temporary folder and runs the real binary on it.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cancel_check_lints::fix::parses;
use cargo_metadata::diagnostic::Applicability;
use cargo_metadata::Message;
use tempfile::TempDir;

/// The lints with a `fixes.rs` fixture (and its `fixes.rs.fixed`).
const FIXED: &[&str] = &[
    "lock_held_across_await",
    "missing_send_bound",
    "detached_spawn",
    "select_timer_reset",
];

fn fixture(lint: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-fixtures")
        .join(lint)
        .join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A crate whose modules are the `fixes.rs` fixtures, one module per lint
/// (`src/<lint>.rs`), with every lint at warn level (`detached_spawn` is allowed by default).
struct Crate {
    dir: TempDir,
}

impl Crate {
    fn new() -> Crate {
        let dir = tempfile::tempdir().unwrap();
        let krate = Crate { dir };
        krate.write(
            "Cargo.toml",
            "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.cancel-check.lints]\ndetached_spawn = \"warn\"\n",
        );
        // `pub mod`: `missing_send_bound` reports only what other crates can reach.
        let modules: String = FIXED
            .iter()
            .map(|lint| format!("pub mod {lint};\n"))
            .collect();
        krate.write("src/lib.rs", &modules);
        for lint in FIXED {
            krate.write(&format!("src/{lint}.rs"), &fixture(lint, "fixes.rs"));
        }
        krate
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.path().join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.path().join(file)).unwrap()
    }

    fn sources(&self) -> Vec<(String, String)> {
        FIXED
            .iter()
            .map(|lint| {
                let file = format!("src/{lint}.rs");
                let text = self.read(&file);
                (file, text)
            })
            .collect()
    }

    /// The tool run on the crate's workspace, without mining dependency docs: stdout, stderr
    /// and the exit code.
    fn run(&self, args: &[&str]) -> (String, String, i32) {
        let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .args(["--no-deps-docs", "--no-cache", "--color", "never"])
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
            output.status.code().unwrap(),
        )
    }

    /// The findings as `file:line: lint` lines.
    fn findings(&self) -> Vec<String> {
        let (stdout, _, _) = self.run(&["--message-format", "short"]);
        stdout
            .lines()
            .map(|line| {
                let mut parts = line.splitn(4, ':');
                let (file, row) = (parts.next().unwrap(), parts.next().unwrap());
                let lint = line.split('[').nth(1).unwrap().split(']').next().unwrap();
                format!("{file}:{row}: {lint}")
            })
            .collect()
    }
}

/// The line (1-based) of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

// ---- suggestions in the output ----

#[test]
fn json_carries_suggestions_as_rustc_does_and_they_apply_at_their_byte_offsets() {
    let krate = Crate::new();
    let (stdout, _, code) = krate.run(&["--message-format", "json"]);
    assert_eq!(code, 1);
    let messages: Vec<Message> = Message::parse_stream(stdout.as_bytes())
        .map(Result::unwrap)
        .collect();
    let mut seen = (0, 0);
    for message in &messages {
        let Message::CompilerMessage(message) = message else {
            continue;
        };
        for child in &message.message.children {
            let edits: Vec<_> = child
                .spans
                .iter()
                .filter(|span| span.suggested_replacement.is_some())
                .collect();
            if edits.is_empty() {
                continue;
            }
            assert_eq!(format!("{:?}", child.level), "Help");
            let file = edits[0].file_name.clone();
            let original = krate.read(&file);
            let mut text = original.clone();
            // Apply back to front, at the byte offsets the spans give.
            for span in edits.iter().rev() {
                assert!(span.is_primary, "rust-analyzer only reads primary spans");
                assert_eq!(span.file_name, file, "one suggestion, one file");
                let line = original.lines().nth(span.line_start - 1).unwrap();
                assert_eq!(span.text[0].text, line, "the span's text is its line");
                let (start, end) = (span.byte_start as usize, span.byte_end as usize);
                text.replace_range(start..end, span.suggested_replacement.as_deref().unwrap());
                match span.suggestion_applicability {
                    Some(Applicability::MachineApplicable) => seen.0 += 1,
                    Some(Applicability::MaybeIncorrect) => seen.1 += 1,
                    ref other => panic!("unexpected applicability {other:?}"),
                }
            }
            assert!(parses(&text), "{}\n{text}", child.message);
        }
    }
    // `+ Send` on `fetch` and two guard blocks are machine applicable; the rest is not.
    assert!(seen.0 >= 3 && seen.1 >= 8, "{seen:?}");
    // The `+ Send` of `fetch`, where rust-analyzer will put it.
    let send = krate.read("src/missing_send_bound.rs");
    let row = line_of(&send, "pub fn fetch");
    // Right after `Future<Output = usize>`: the first `>` of `>>>` closes it.
    let column = send.lines().nth(row - 1).unwrap().find(">>>").unwrap() + 2;
    let found = messages.iter().any(|message| match message {
        Message::CompilerMessage(message) => message.message.children.iter().any(|child| {
            child.spans.iter().any(|span| {
                span.suggested_replacement.as_deref() == Some(" + Send")
                    && span.line_start == row
                    && span.column_start == column
                    && span.column_end == column
                    && span.suggestion_applicability == Some(Applicability::MachineApplicable)
            })
        }),
        _ => false,
    });
    assert!(found, "no `+ Send` at {row}:{column}:\n{stdout}");
}

#[test]
fn human_output_shows_a_suggestion_as_help_with_the_fixed_line() {
    let krate = Crate::new();
    let (stdout, _, _) = krate.run(&["src/missing_send_bound.rs"]);
    assert!(
        stdout.contains("help: add `+ Send` (`--fix` applies it)\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("pub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize> + Send>> {"),
        "{stdout}"
    );
    assert!(
        stdout.contains("help: add `+ Send` (`--fix --unsafe-fixes` applies it)\n"),
        "{stdout}"
    );
}

// ---- --fix and --diff ----

#[test]
fn fix_applies_the_machine_applicable_fixes_and_removes_their_findings() {
    let krate = Crate::new();
    let before = krate.findings();
    let (stdout, stderr, code) = krate.run(&["--fix", "--message-format", "short"]);
    assert_eq!(code, 1, "other findings remain; stderr: {stderr}");
    assert!(stderr.contains("applied 3 fixes to 2 files"), "{stderr}");
    assert!(
        stderr.contains("more fixes change behaviour or API") && stderr.contains("--unsafe-fixes"),
        "{stderr}"
    );
    for (file, text) in krate.sources() {
        assert!(parses(&text), "{file} does not parse:\n{text}");
    }
    let lock = krate.read("src/lock_held_across_await.rs");
    assert!(
        lock.contains("    {\n        let mut entries = log.lock().unwrap(); //~ lock_held_across_await\n        entries.push(line);\n\n        entries.sort();\n    }\n    tokio::task::yield_now().await;"),
        "{lock}"
    );
    // The MaybeIncorrect one (`count`) is left as it was.
    assert!(lock.contains("    let entries = log.lock().unwrap(); //~ lock_held_across_await\n    let n = entries.len();"));
    // The findings the fixes were about are gone, and no other finding changed.
    let after = krate.findings();
    assert_eq!(before.len() - 3, after.len(), "{before:#?}\n{after:#?}");
    assert_eq!(
        stdout.lines().count(),
        after.len(),
        "the run reports what is left"
    );
    let gone = |file: &str, needle: &str| {
        let row = line_of(&krate.read(file), needle);
        !after
            .iter()
            .any(|finding| finding.starts_with(&format!("{file}:{row}:")))
    };
    assert!(gone("src/missing_send_bound.rs", "pub fn fetch"));
    assert!(gone("src/lock_held_across_await.rs", "entries.push(line)"));
    // A second run has nothing left to fix.
    let (_, stderr, _) = krate.run(&["--fix", "--message-format", "short"]);
    assert!(stderr.contains("no fix to apply"), "{stderr}");
}

#[test]
fn unsafe_fixes_apply_every_fix_as_the_fixed_fixtures_show() {
    let krate = Crate::new();
    let (_, stderr, _) = krate.run(&["--fix", "--unsafe-fixes", "--message-format", "short"]);
    assert!(!stderr.contains("--unsafe-fixes`"), "{stderr}");
    for lint in FIXED {
        assert_eq!(
            krate.read(&format!("src/{lint}.rs")),
            fixture(lint, "fixes.rs.fixed"),
            "{lint}"
        );
    }
    // What is left has no fix.
    let (stdout, _, _) = krate.run(&["--message-format", "json"]);
    assert!(!stdout.contains("suggested_replacement\":\""), "{stdout}");
}

#[test]
fn diff_prints_what_fix_would_write_and_writes_nothing() {
    let krate = Crate::new();
    let before = krate.sources();
    let (diff, stderr, code) = krate.run(&["--diff"]);
    assert_eq!(code, 1, "a diff exits 1; stderr: {stderr}");
    assert!(
        stderr.contains("would apply 3 fixes to 2 files"),
        "{stderr}"
    );
    assert_eq!(krate.sources(), before, "--diff writes nothing");
    assert!(
        diff.starts_with(
            "--- a/src/lock_held_across_await.rs\n+++ b/src/lock_held_across_await.rs\n@@ "
        ),
        "{diff}"
    );
    assert!(
        diff.contains("\n--- a/src/missing_send_bound.rs\n"),
        "{diff}"
    );
    assert!(diff
        .contains("\n+pub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize> + Send>> {"));
    // The diff applies (`git apply`) and gives what `--fix` writes.
    let patch = krate.write("fixes.patch", &diff);
    let applied = std::process::Command::new("git")
        .current_dir(krate.path())
        .arg("apply")
        .arg(&patch)
        .status()
        .unwrap();
    assert!(applied.success());
    let patched = krate.sources();
    for (file, text) in &before {
        krate.write(file, text);
    }
    krate.run(&["--fix"]);
    assert_eq!(krate.sources(), patched);
    // Nothing to fix: an empty diff, exit 0.
    let (diff, _, code) = krate.run(&["--diff"]);
    assert_eq!((diff.as_str(), code), ("", 0));
}

#[test]
fn unsafe_fixes_alone_is_refused() {
    let krate = Crate::new();
    let (_, stderr, code) = krate.run(&["--unsafe-fixes"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("use it with one of them"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn fix_does_not_write_through_a_symlink() {
    let krate = Crate::new();
    // The module file is a link to a file of the crate: it is read, but not written through.
    let target = krate.write(
        "lock.rs.txt",
        &fixture("lock_held_across_await", "fixes.rs"),
    );
    fs::remove_file(krate.path().join("src/lock_held_across_await.rs")).unwrap();
    std::os::unix::fs::symlink(&target, krate.path().join("src/lock_held_across_await.rs"))
        .unwrap();
    let (_, stderr, _) = krate.run(&["--fix"]);
    assert!(
        stderr.contains(
            "warning: did not write `src/lock_held_across_await.rs`: it is a symbolic link"
        ),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        fixture("lock_held_across_await", "fixes.rs")
    );
    assert!(stderr.contains("applied 1 fix to 1 file"), "{stderr}");
}

// ---- --add-allow ----

#[test]
fn add_allow_comments_every_finding_once_and_the_next_run_is_clean() {
    let krate = Crate::new();
    let findings = krate.findings();
    let (_, stderr, code) = krate.run(&["--add-allow", "--message-format", "short"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "suppression comments to 4 files: replace each `TODO: reason` with the reason"
        ),
        "{stderr}"
    );
    let lock = krate.read("src/lock_held_across_await.rs");
    // On a line of its own, indented like the finding's line.
    assert!(lock.contains(
        "pub async fn record(log: &Mutex<Vec<String>>, line: String) {\n    // cancel-check: allow(lock_held_across_await) -- TODO: reason\n    let mut entries"
    ), "{lock}");
    let detached = krate.read("src/detached_spawn.rs");
    assert!(detached.contains(
        "    // cancel-check: allow(detached_spawn) -- TODO: reason\n    let _ = tokio::spawn(async {}); //~ detached_spawn\n"
    ), "{detached}");
    let comments: usize = krate
        .sources()
        .iter()
        .map(|(_, text)| text.matches("// cancel-check: allow(").count())
        .sum();
    assert!(comments > 0 && comments <= findings.len(), "{comments}");
    for (file, text) in krate.sources() {
        assert!(parses(&text), "{file}:\n{text}");
    }
    // A second run adds nothing, and the run after it reports no findings.
    let before = krate.sources();
    let (_, stderr, code) = krate.run(&["--add-allow"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("no suppression comment to add"), "{stderr}");
    assert_eq!(krate.sources(), before);
    let (stdout, _, code) = krate.run(&["--message-format", "short"]);
    assert_eq!((stdout.as_str(), code), ("", 0));
}

#[test]
fn add_allow_puts_the_comment_at_the_end_of_a_line_that_starts_a_statement() {
    let krate = Crate::new();
    krate.write(
        "src/lib.rs",
        "pub fn start() {\n    tokio::spawn(async {\n        tokio::task::yield_now().await;\n    });\n}\n",
    );
    let (_, stderr, code) = krate.run(&["--add-allow"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        krate.read("src/lib.rs"),
        "pub fn start() {\n    tokio::spawn(async { // cancel-check: allow(detached_spawn) -- TODO: reason\n        tokio::task::yield_now().await;\n    });\n}\n"
    );
}
