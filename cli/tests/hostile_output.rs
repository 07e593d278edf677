//! What the checkout puts in the output cannot take over a terminal or a CI log: raw escape
//! sequences in source snippets, file names that hold a newline and a GitHub workflow command,
//! baseline entries. And writing diagnostics never fails a run: a closed or full stderr, a
//! stdout closed early.

use std::fs;
use std::path::Path;
use std::process::{Command as StdCommand, Output, Stdio};

use assert_cmd::Command;

/// A select loop that loses a half-read header: one finding, at `socket.read_exact(..)`. The
/// branch line starts with a comment holding an ESC sequence, a C1 control and a right-to-left
/// override (a Trojan Source character), so the snippet shows them.
const LOSSY_LOOP_WITH_ESCAPES: &str = "use tokio::io::AsyncReadExt;\n\
pub async fn pump(mut socket: tokio::net::TcpStream, mut control: tokio::sync::mpsc::Receiver<u32>) {\n\
    let mut header = [0u8; 4];\n\
    loop {\n\
        tokio::select! {\n\
            /*\x1b[2J\x1b]0;owned\x07\u{9b}31m\u{202e}*/ read = socket.read_exact(&mut header) => { let _ = (\"\x1b[31m\", read); }\n\
            Some(limit) = control.recv() => println!(\"limit {limit}\"),\n\
        }\n\
    }\n\
}\n";

fn tool(dir: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
    command.current_dir(dir).env_remove("NO_COLOR").args([
        "--color",
        "never",
        "--no-deps-docs",
        "--no-cache",
    ]);
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    tool(dir).args(args).output().unwrap()
}

/// The raw control characters of a text (tab and line feed are fine).
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| {
            (c.is_control() && *c != '\n' && *c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn escape_sequences_in_the_source_do_not_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("relay.rs"), LOSSY_LOOP_WITH_ESCAPES).unwrap();
    let output = run(dir.path(), &["relay.rs"]);
    assert_eq!(output.status.code(), Some(1));
    let human = String::from_utf8(output.stdout).unwrap();
    assert_eq!(controls(&human), [], "{human}");
    // Each control character shows as a printable one of the same byte length, so the label
    // still points under `socket.read_exact(&mut header)`.
    let source_line = human
        .lines()
        .find(|line| line.contains("socket.read_exact(&mut header)"))
        .expect("the snippet shows the branch");
    assert!(
        source_line.contains("/*?[2J?]0;owned?\u{bf}31m\u{fffd}*/"),
        "{source_line}"
    );
    let carets = human
        .lines()
        .find(|line| line.contains("^^^"))
        .expect("a primary label");
    let column = |line: &str, needle: &str| line.find(needle).map(|at| line[..at].chars().count());
    assert_eq!(
        column(source_line, "socket.read_exact"),
        column(carets, "^"),
        "{human}"
    );
    assert!(
        human.contains("--> relay.rs:6:"),
        "the header line and column are the analysis's: {human}"
    );

    // The `rendered` text and the span text of the JSON output are escaped too.
    let output = run(dir.path(), &["--format", "json", "relay.rs"]);
    let json = String::from_utf8(output.stdout).unwrap();
    assert!(!json.contains("\\u001b"), "{json}");
    assert!(!json.contains('\u{202e}'), "{json}");
    // The short format has no snippet; the columns are the same.
    let output = run(dir.path(), &["--format", "short", "relay.rs"]);
    let short = String::from_utf8(output.stdout).unwrap();
    assert!(short.starts_with("relay.rs:6:"), "{short}");
}

/// Asserts that no line of `text` is a workflow command other than our own annotations.
fn assert_no_injected_command(text: &str, context: &str) {
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("::") {
            assert!(
                trimmed.starts_with("::warning file=") || trimmed.starts_with("::error file="),
                "{context}: an injected workflow command: {line:?}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_file_name_with_a_newline_cannot_start_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\n::error title=x::pwned\x1b[2J.rs";
    fs::write(dir.path().join(name), "fn (\n").unwrap();
    fs::write(dir.path().join("ok.rs"), "fn f() {}\n").unwrap();
    for format in ["human", "short", "github", "sarif", "json"] {
        let output = run(dir.path(), &["--format", format, "."]);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}: {stdout}{stderr}");
        assert_no_injected_command(&stdout, format);
        assert_no_injected_command(&stderr, format);
        assert_eq!(controls(&stdout), [], "{format}: {stdout}");
        if matches!(format, "human" | "short") {
            assert!(
                stdout.contains("evil\\n::error title=x::pwned\\x1b[2J.rs"),
                "{format}: the label is escaped: {stdout}"
            );
        }
    }
    // In the GitHub annotation the name is what the runner unescapes back: `%0A`.
    let output = run(dir.path(), &["--format", "github", "."]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=evil%0A%3A%3Aerror title=x%3A%3Apwned"),
        "{stdout}"
    );
}

#[test]
fn baseline_entries_are_escaped_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.rs"), "fn f() {}\n").unwrap();
    let baseline = dir.path().join("baseline.json");
    let entry = serde_json::json!({
        "version": 1,
        "findings": [{
            "lint": "select_arm_not_cancel_safe\n::error title=x::lint",
            "path": "src/a.rs\n::error title=x::path",
            "context": "c",
            "occurrence": 0,
            "line": 3,
            "message": "gone\x1b[2J\n::error title=x::message"
        }]
    });
    fs::write(&baseline, entry.to_string()).unwrap();
    let output = run(
        dir.path(),
        &["--baseline", baseline.to_str().unwrap(), "ok.rs"],
    );
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_no_injected_command(&stderr, "stderr");
    assert_eq!(controls(&stderr), [], "{stderr}");
    assert!(
        stderr.contains(
            "  src/a.rs\\n::error title=x::path:3: [select_arm_not_cancel_safe\\n::error title=x::lint] gone\\x1b[2J\\n::error title=x::message"
        ),
        "{stderr}"
    );
}

// ---- writing diagnostics never fails a run ----

/// A workspace whose run prints a warning on stderr (an `--exclude` that names no member) and
/// has one finding.
fn workspace_with_a_warning() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"w\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/lib.rs"), LOSSY_LOOP_WITH_ESCAPES).unwrap();
    dir
}

fn warning_run(dir: &Path) -> StdCommand {
    let mut command = StdCommand::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
    command
        .current_dir(dir)
        .args([
            "--color",
            "never",
            "--no-deps-docs",
            "--format",
            "short",
            "--exclude",
            "nope",
        ])
        .stdout(Stdio::piped());
    command
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_does_not_fail_the_run() {
    let dir = workspace_with_a_warning();
    let shown = warning_run(dir.path()).output().unwrap();
    assert!(
        String::from_utf8_lossy(&shown.stderr).contains("warning: excluded package `nope`"),
        "the run writes a warning: {shown:?}"
    );
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = warning_run(dir.path()).stderr(full).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(output.stdout, shown.stdout);
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_does_not_fail_the_run() {
    let dir = workspace_with_a_warning();
    let mut child = warning_run(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("src/lib.rs:6:"));
}
