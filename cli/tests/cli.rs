// Length: the end-to-end tests of the binary's flags and subcommands, one per behaviour; a test
// file, split by topic where a topic grew its own (formats, robustness, workflow, trust, deps).
//! The binary end to end: exit codes, lint levels, subcommands, every output format, workspace
//! discovery and robustness. Snapshots only where presentation is what is tested.
//!
//! Commands run with the workspace root or a fixture project as current directory, so path labels
//! are relative and snapshots do not depend on where the repository is checked out.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};
use cargo_metadata::{Message, MetadataCommand};
use predicates::prelude::*;

const SELECT_LINT: &str = "select_arm_not_cancel_safe";

/// The repository root (the cancel-check workspace).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn project(name: &str) -> PathBuf {
    repo_root().join("test-fixtures/projects").join(name)
}

/// The tool, run from the repository root with colors off.
fn tool() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
    command.current_dir(repo_root()).env_remove("NO_COLOR");
    command
}

/// The 1-based line of the first line of `file` that contains `needle`.
fn line_of(file: &Path, needle: &str) -> usize {
    let text = fs::read_to_string(file).unwrap();
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle in fixture")
        + 1
}

/// The line of the non-cancel-safe `read_exact` in a fixture project's `src/lib.rs`.
fn read_exact_line(project_name: &str) -> usize {
    line_of(
        &project(project_name).join("src/lib.rs"),
        "read_exact(&mut header)",
    )
}

fn stdout_of(command: &mut Command) -> String {
    String::from_utf8(command.output().unwrap().stdout).unwrap()
}

// ---- exit codes ----

#[test]
fn a_clean_path_exits_0() {
    tool()
        .args([
            "--color",
            "never",
            "test-fixtures/projects/demo/src/main.rs",
        ])
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n");
}

#[test]
fn findings_exit_1() {
    tool()
        .args(["--color", "never", "test-fixtures/projects/demo"])
        .assert()
        .code(1);
}

#[test]
fn a_missing_path_exits_2_and_names_it() {
    tool()
        .args(["test-fixtures/projects/demo/src/lib.rs", "no/such/file.rs"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: path `no/such/file.rs` does not exist",
        ));
}

#[test]
fn an_unknown_lint_exits_2_and_points_to_the_list() {
    tool()
        .args([
            "-A",
            "select_arm_not_cancelsafe",
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: unknown lint `select_arm_not_cancelsafe`\n  \
             help: did you mean `select_arm_not_cancel_safe`?\n  \
             note: `cargo cancel-check lints` lists every lint and group\n",
        );
}

#[test]
fn a_rejected_argument_exits_2() {
    tool()
        .args(["--message-format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'xml'"));
}

#[test]
fn exit_zero_reports_but_exits_0() {
    tool()
        .args([
            "--exit-zero",
            "--format",
            "short",
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(SELECT_LINT));
}

#[test]
fn exit_zero_still_exits_2_when_the_tool_fails() {
    tool().args(["--exit-zero", "no/such/dir"]).assert().code(2);
}

// ---- lint levels ----

#[test]
fn allowing_the_lint_silences_it() {
    tool()
        .args([
            "--color",
            "never",
            "-A",
            SELECT_LINT,
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(0)
        .stdout("no findings in 2 files\n");
}

#[test]
fn deny_warnings_makes_the_finding_an_error() {
    let line = read_exact_line("demo");
    tool()
        .args([
            "--format",
            "short",
            "-D",
            "warnings",
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(format!(
            "test-fixtures/projects/demo/src/lib.rs:{line}:"
        )))
        .stdout(predicate::str::contains(format!(
            ": error[{SELECT_LINT}]: "
        )));
}

#[test]
fn the_last_level_flag_wins() {
    tool()
        .args([
            "-D",
            "warnings",
            "-A",
            SELECT_LINT,
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(0);
    tool()
        .args([
            "--format",
            "short",
            "-A",
            SELECT_LINT,
            "-W",
            SELECT_LINT,
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            ": warning[{SELECT_LINT}]: "
        )));
}

#[test]
fn lint_flags_take_the_json_code_any_case_and_dashes() {
    for name in [
        format!("cancel_check::{SELECT_LINT}"),
        SELECT_LINT.to_uppercase(),
        SELECT_LINT.replace('_', "-"),
    ] {
        tool()
            .args(["-A", &name, "test-fixtures/projects/demo"])
            .assert()
            .code(0);
    }
}

#[test]
fn groups_set_their_lints_and_the_later_flag_wins() {
    // `select_arm_not_cancel_safe` is in `all`, `correctness` and `cancel_safety`.
    for (flags, code) in [
        (&["-A", "all"][..], 0),
        (&["-A", "cancel_safety"], 0),
        (&["-A", "cancel-check::Correctness"], 0),
        (&["-A", "deadlock"], 1),
        (&["-A", "all", "-W", SELECT_LINT], 1),
        (&["-W", SELECT_LINT, "-A", "all"], 0),
        (&["-A", SELECT_LINT, "-W", "cancel_safety"], 1),
    ] {
        tool()
            .args(flags)
            .arg("test-fixtures/projects/demo")
            .assert()
            .code(code);
    }
    tool()
        .args(["--format", "short", "-D", "cancel_safety"])
        .arg("test-fixtures/projects/demo")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            ": error[{SELECT_LINT}]: "
        )));
}

// ---- subcommands ----

#[test]
fn lints_lists_every_lint() {
    let output = stdout_of(tool().arg("lints"));
    insta::assert_snapshot!("lints", output);
}

#[test]
fn explain_prints_the_docs() {
    let output = stdout_of(tool().args(["explain", "parse_error"]));
    insta::assert_snapshot!("explain_parse_error", output);
}

#[test]
fn explain_accepts_the_json_code() {
    tool()
        .args(["explain", &format!("cancel_check::{SELECT_LINT}")])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(format!("# {SELECT_LINT}\n")))
        .stdout(predicate::str::contains("### What it does"));
}

#[test]
fn explain_of_an_unknown_lint_suggests_the_closest_and_points_to_the_list() {
    tool()
        .args(["explain", "Select-Arm-Not-Cancelsafe"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: unknown lint `Select-Arm-Not-Cancelsafe`\n  \
             help: did you mean `select_arm_not_cancel_safe`?\n  \
             note: `cargo cancel-check lints` lists every lint and group\n",
        );
    // Nothing close: only the pointer.
    tool()
        .args(["explain", "zzz"])
        .assert()
        .code(2)
        .stderr(
            "error: unknown lint `zzz`\n  note: `cargo cancel-check lints` lists every lint and group\n",
        );
}

#[test]
fn explain_takes_any_case_and_dashes() {
    let expected = stdout_of(tool().args(["explain", SELECT_LINT]));
    for name in [
        SELECT_LINT.to_uppercase(),
        SELECT_LINT.replace('_', "-"),
        format!("Cancel_Check::{SELECT_LINT}"),
    ] {
        assert_eq!(
            stdout_of(tool().args(["explain", &name])),
            expected,
            "{name}"
        );
    }
}

#[test]
fn explain_of_a_group_lists_its_lints() {
    tool()
        .args(["explain", "deadlock"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# deadlock (lint group)\n"))
        .stdout(predicate::str::contains("- `futurelock` (warn): "))
        .stdout(predicate::str::contains(
            "- `lock_held_across_await` (warn): ",
        ))
        .stdout(predicate::str::contains(SELECT_LINT).not());
}

#[test]
fn a_subcommand_name_is_the_subcommand_and_dot_slash_or_dashes_make_it_a_path() {
    // A workspace with a `lints/` folder, like this repository.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("lints")).unwrap();
    fs::write(
        dir.path().join("lints/lib.rs"),
        "pub fn spawn() {\n    tokio::spawn(async {});\n}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let output = tool()
            .current_dir(dir.path())
            .args([
                "--no-deps-docs",
                "--format",
                "short",
                "-W",
                "detached_spawn",
            ])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let finding = "lints/lib.rs:2:5: warning[detached_spawn]: ";
    let (code, stdout, stderr) = run(&["lints"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(
        stdout.starts_with(SELECT_LINT),
        "the list of lints: {stdout}"
    );
    let (code, stdout, _) = run(&["./lints"]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with(finding), "{stdout}");
    let (code, stdout, _) = run(&["--", "lints"]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with(finding), "{stdout}");
    // Only the first word can be a subcommand: after a PATH, `lints` is a PATH.
    fs::write(dir.path().join("other.rs"), "pub fn f() {}\n").unwrap();
    let (code, stdout, _) = run(&["other.rs", "lints"]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with(finding), "{stdout}");
}

#[test]
fn completions_for_every_shell_complete_the_binary() {
    for (shell, marker) in [
        ("bash", "complete -F _cargo__cancel__check"),
        ("zsh", "#compdef cargo-cancel-check"),
        ("fish", "complete -c cargo-cancel-check"),
        ("elvish", "cargo-cancel-check"),
        ("powershell", "cargo-cancel-check"),
    ] {
        let script = stdout_of(tool().args(["completions", shell]));
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("--message-format"), "{shell}");
    }
    tool()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

/// The bash script, loaded in a real bash, completes options, their values and subcommands.
#[test]
fn bash_completes_options_values_and_subcommands() {
    let script = stdout_of(tool().args(["completions", "bash"]));
    let complete = |words: &[&str]| -> String {
        let array = words
            .iter()
            .map(|word| format!("'{word}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let program = format!(
            "{script}\nCOMP_WORDS=({array}); COMP_CWORD={}; \
             _cargo__cancel__check cargo-cancel-check '{}' '{}'; echo \"${{COMPREPLY[*]}}\"",
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = StdCommand::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    assert_eq!(
        complete(&["cargo-cancel-check", "--message-f"]),
        "--message-format"
    );
    assert_eq!(
        complete(&["cargo-cancel-check", "--message-format", ""]),
        "human short json sarif github gitlab"
    );
    assert_eq!(complete(&["cargo-cancel-check", "comp"]), "completions");
}

#[test]
fn man_prints_a_manual_page() {
    let page = stdout_of(tool().arg("man"));
    assert!(page.contains(".TH cargo-cancel-check 1"), "{page}");
    for option in [
        "message\\-format",
        "statistics",
        "exit\\-zero",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(option), "no {option} in the page");
    }
    assert!(page.contains("knowledge base of "), "the version: {page}");
}

#[test]
fn help() {
    let output = stdout_of(tool().arg("--help"));
    insta::assert_snapshot!("help", output);
}

// ---- human and short output ----

#[test]
fn human_output_on_the_demo_project() {
    let output = stdout_of(
        tool()
            .current_dir(project("demo"))
            .args(["--color", "never"]),
    );
    insta::assert_snapshot!("human_demo", output);
}

#[test]
fn human_output_with_a_parse_error() {
    let output = stdout_of(
        tool()
            .current_dir(project("with-parse-error"))
            .args(["--color", "never"]),
    );
    insta::assert_snapshot!("human_with_parse_error", output);
}

#[test]
fn color_always_colors_and_auto_does_not_when_piped() {
    let colored = stdout_of(tool().args(["--color", "always", "test-fixtures/projects/demo"]));
    assert!(colored.contains("\u{1b}["), "{colored}");
    let piped = stdout_of(tool().args(["test-fixtures/projects/demo"]));
    assert!(!piped.contains('\u{1b}'), "{piped}");
}

#[test]
fn short_output_is_one_line_per_finding() {
    let line = read_exact_line("demo");
    let output = stdout_of(tool().args(["--format", "short", "test-fixtures/projects/demo"]));
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 1, "{output}");
    let prefix = format!("test-fixtures/projects/demo/src/lib.rs:{line}:");
    assert!(lines[0].starts_with(&prefix), "{output}");
    assert!(
        lines[0].contains(&format!(": warning[{SELECT_LINT}]: ")),
        "{output}"
    );
}

#[test]
fn short_snapshot() {
    let output = stdout_of(tool().args([
        "--format",
        "short",
        "--no-deps-docs",
        "test-fixtures/projects/demo",
        "test-fixtures/projects/with-parse-error",
    ]));
    insta::assert_snapshot!("short_demo", output);
}

// ---- quiet, verbose, statistics ----

#[test]
fn quiet_prints_the_findings_only() {
    let demo = [
        "--no-deps-docs",
        "--color",
        "never",
        "test-fixtures/projects/demo",
    ];
    let normal = stdout_of(tool().args(demo));
    let quiet = tool().arg("-q").args(demo).output().unwrap();
    assert_eq!(quiet.status.code(), Some(1));
    let quiet_stdout = String::from_utf8(quiet.stdout).unwrap();
    // The same findings, without the summary line.
    assert_eq!(
        format!("{quiet_stdout}1 warning, 0 errors in 2 files\n"),
        normal
    );
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    // A clean run says nothing at all.
    tool()
        .args([
            "--quiet",
            "--no-deps-docs",
            "test-fixtures/projects/demo/src/main.rs",
        ])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    // Errors are still errors.
    tool()
        .args(["-q", "no/such/file.rs"])
        .assert()
        .code(2)
        .stderr("error: path `no/such/file.rs` does not exist\n");
}

#[test]
fn quiet_and_verbose_do_not_go_together() {
    tool()
        .args(["-q", "-v", "test-fixtures/projects/demo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn verbose_says_what_was_found_and_how_long_each_phase_took_on_stderr() {
    let args = [
        "--no-deps-docs",
        "--format",
        "short",
        "test-fixtures/projects/demo",
    ];
    let plain = tool().args(args).output().unwrap();
    let verbose = tool().arg("-v").args(args).output().unwrap();
    assert_eq!(verbose.stdout, plain.stdout, "stdout is the same");
    let stderr = String::from_utf8(verbose.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.iter().all(|line| line.starts_with("info: ")),
        "{stderr}"
    );
    for expected in [
        "info: found 2 files to analyse (the PATHs given) in ",
        "info: configuration: none at the workspace root ",
        "info: dependency docs: not mined (`--no-deps-docs`)",
        "info: analysed 2 files on ",
        "info: output written in ",
    ] {
        assert!(
            lines.iter().any(|line| line.starts_with(expected)),
            "no `{expected}` in:\n{stderr}"
        );
    }
    assert!(stderr.contains(": 1 finding ("), "{stderr}");
}

#[test]
fn statistics_count_findings_per_lint() {
    let args = [
        "--no-deps-docs",
        "--color",
        "never",
        "--statistics",
        "test-fixtures/projects/demo",
        "test-fixtures/projects/with-parse-error",
    ];
    tool()
        .args(args)
        .assert()
        .code(1)
        .stdout(format!(
            "2  {SELECT_LINT}  warning\n1  parse_error                 error\n2 warnings, 1 error in 4 files\n"
        ));
    tool().args(args).arg("-q").assert().code(1).stdout(format!(
        "2  {SELECT_LINT}  warning\n1  parse_error                 error\n"
    ));
    tool()
        .args(args)
        .args(["--format", "short"])
        .assert()
        .code(1)
        .stdout(format!(
            "2  {SELECT_LINT}  warning\n1  parse_error                 error\n"
        ));
    let json = stdout_of(tool().args(args).args(["--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            {"code": format!("cancel_check::{SELECT_LINT}"), "name": SELECT_LINT, "level": "warning", "count": 2},
            {"code": "cancel_check::parse_error", "name": "parse_error", "level": "error", "count": 1},
        ])
    );
    // Findings still decide the exit code; none is a clean table.
    tool()
        .args([
            "--statistics",
            "--exit-zero",
            "--no-deps-docs",
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(0);
    tool()
        .args(["--statistics", "--format", "short", "--no-deps-docs"])
        .arg("test-fixtures/projects/demo/src/main.rs")
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn statistics_are_refused_with_the_report_formats() {
    for (format, name) in [
        ("sarif", "SARIF"),
        ("github", "GitHub"),
        ("gitlab", "GitLab"),
    ] {
        tool()
            .args([
                "--statistics",
                "--format",
                format,
                "test-fixtures/projects/demo",
            ])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "error: `--statistics` prints counts instead of findings, which a {name} report \
                 is made of; use it with `--message-format human`, `short` or `json`\n"
            ));
    }
}

// ---- colors ----

#[test]
fn cargo_term_color_is_honoured_and_the_flag_wins() {
    let colored = |command: &mut Command| stdout_of(command).contains('\u{1b}');
    let demo = ["--no-deps-docs", "test-fixtures/projects/demo"];
    assert!(colored(tool().env("CARGO_TERM_COLOR", "always").args(demo)));
    assert!(!colored(tool().env("CARGO_TERM_COLOR", "never").args(demo)));
    assert!(
        !colored(tool().env("CARGO_TERM_COLOR", "auto").args(demo)),
        "piped"
    );
    assert!(!colored(
        tool()
            .env("CARGO_TERM_COLOR", "always")
            .args(["--color", "never"])
            .args(demo)
    ));
    assert!(colored(
        tool()
            .env("CARGO_TERM_COLOR", "never")
            .args(["--color", "always"])
            .args(demo)
    ));
    // An explicit `always` is a setting: it beats `NO_COLOR`, which only turns `auto` off.
    assert!(colored(
        tool()
            .env("CARGO_TERM_COLOR", "always")
            .env("NO_COLOR", "1")
            .args(demo)
    ));
    tool()
        .env("CARGO_TERM_COLOR", "sometimes")
        .args(demo)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: `CARGO_TERM_COLOR` must be `auto`, `always` or `never`, found `sometimes`\n",
        );
    // The flag makes the variable irrelevant.
    tool()
        .env("CARGO_TERM_COLOR", "sometimes")
        .args(["--color", "never"])
        .args(demo)
        .assert()
        .code(1);
}

// ---- JSON ----

fn json_lines(output: &str) -> Vec<&str> {
    let lines: Vec<&str> = output.lines().collect();
    assert!(!lines.is_empty(), "no output");
    lines
}

fn assert_build_finished(line: &str, success: bool) {
    match serde_json::from_str::<Message>(line).unwrap() {
        Message::BuildFinished(finished) => assert_eq!(finished.success, success),
        other => panic!("the last line is not build-finished: {other:?}"),
    }
}

#[test]
fn json_is_cargo_s_message_stream() {
    let demo = project("demo");
    let metadata = MetadataCommand::new()
        .manifest_path(demo.join("Cargo.toml"))
        .no_deps()
        .other_options(vec!["--offline".to_string()])
        .exec()
        .unwrap();
    let package = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == "demo")
        .unwrap();
    let line = read_exact_line("demo");

    // No PATH: the workspace around the current directory.
    let output = stdout_of(tool().current_dir(&demo).args(["--message-format", "json"]));
    let lines = json_lines(&output);
    let mut messages = Vec::new();
    for line in &lines {
        messages
            .push(serde_json::from_str::<Message>(line).unwrap_or_else(|e| panic!("{e}: {line}")));
    }
    assert_build_finished(lines.last().unwrap(), false);

    let found: Vec<_> = messages
        .iter()
        .filter_map(|message| match message {
            Message::CompilerMessage(message) => Some(message),
            _ => None,
        })
        .filter(|message| {
            message.message.code.as_ref().unwrap().code == format!("cancel_check::{SELECT_LINT}")
        })
        .collect();
    assert_eq!(found.len(), 1, "{output}");
    let message = found[0];
    assert_eq!(message.package_id, package.id);
    assert_eq!(message.target.name, "demo");
    assert!(message.target.is_lib());
    assert_eq!(message.message.level, DiagnosticLevel::Warning);
    let primary = &message.message.spans[0];
    assert!(primary.is_primary);
    assert_eq!(primary.file_name, "src/lib.rs");
    assert_eq!(primary.line_start, line);
    assert!(primary.label.is_some());
    assert_eq!(primary.text.len(), 1);
    let text = &primary.text[0];
    assert!(
        text.text.contains("read_exact(&mut header)"),
        "{}",
        text.text
    );
    let highlighted: String = text
        .text
        .chars()
        .skip(text.highlight_start - 1)
        .take(text.highlight_end - text.highlight_start)
        .collect();
    assert!(highlighted.contains("read_exact"), "{highlighted}");
    let rendered = message.message.rendered.as_deref().unwrap();
    assert!(
        rendered.starts_with(&format!("warning[{SELECT_LINT}]: ")),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!("--> src/lib.rs:{line}:")),
        "{rendered}"
    );
    assert!(!rendered.contains('\u{1b}'));
    assert!(message
        .message
        .children
        .iter()
        .any(|child| child.message.contains("cargo cancel-check explain")));
}

#[test]
fn json_snapshot() {
    let demo = project("demo");
    let output = stdout_of(tool().current_dir(&demo).args(["--message-format", "json"]));
    let root = fs::canonicalize(&demo).unwrap();
    let pretty: Vec<String> = json_lines(&output)
        .iter()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            serde_json::to_string_pretty(&value).unwrap()
        })
        .collect();
    let pretty = pretty.join("\n").replace(root.to_str().unwrap(), "[DEMO]");
    insta::assert_snapshot!("json_demo", pretty);
}

#[test]
fn json_for_a_path_inside_a_package_has_the_package_context() {
    let output = stdout_of(tool().args(["--format", "json", "test-fixtures/projects/demo/src"]));
    let lines = json_lines(&output);
    let Message::CompilerMessage(message) = serde_json::from_str::<Message>(lines[0]).unwrap()
    else {
        panic!("not a compiler message: {}", lines[0]);
    };
    assert_eq!(message.target.name, "demo");
    // Relative to the package's workspace root, as rust-analyzer resolves it.
    assert_eq!(message.message.spans[0].file_name, "src/lib.rs");
    assert_build_finished(lines.last().unwrap(), false);
}

#[test]
fn json_for_a_file_outside_any_package_is_bare_rustc_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        project("demo").join("src/lib.rs"),
        dir.path().join("relay.rs"),
    )
    .unwrap();
    let output = stdout_of(
        tool()
            .current_dir(dir.path())
            .args(["--format", "json", "relay.rs"]),
    );
    let lines = json_lines(&output);
    let (last, diagnostics) = lines.split_last().unwrap();
    assert_eq!(diagnostics.len(), 1, "{output}");
    for line in diagnostics {
        let diagnostic: Diagnostic =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(
            diagnostic.code.unwrap().code,
            format!("cancel_check::{SELECT_LINT}")
        );
        assert_eq!(diagnostic.spans[0].file_name, "relay.rs");
        assert!(!diagnostic.spans[0].text.is_empty());
    }
    assert_build_finished(last, false);
}

#[test]
fn json_with_ansi_rendering_for_rust_analyzer() {
    let output = stdout_of(tool().args([
        "--message-format=json-diagnostic-rendered-ansi",
        "test-fixtures/projects/demo",
    ]));
    let lines = json_lines(&output);
    let Message::CompilerMessage(message) = serde_json::from_str::<Message>(lines[0]).unwrap()
    else {
        panic!("not a compiler message: {}", lines[0]);
    };
    assert!(message.message.rendered.unwrap().contains("\u{1b}["));
}

#[test]
fn json_of_a_clean_run_is_only_build_finished() {
    let output = stdout_of(tool().args([
        "--format",
        "json",
        "test-fixtures/projects/demo/src/main.rs",
    ]));
    assert_eq!(output, "{\"reason\":\"build-finished\",\"success\":true}\n");
}

// ---- robustness ----

#[test]
fn a_file_that_does_not_parse_is_a_finding_and_the_others_are_still_analysed() {
    let line = read_exact_line("with-parse-error");
    let output = tool()
        .current_dir(project("with-parse-error"))
        .args(["--format", "short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("src/broken.rs:3:"), "{stdout}");
    assert!(lines[0].contains(": error[parse_error]: "), "{stdout}");
    assert!(
        lines[1].starts_with(&format!("src/lib.rs:{line}:")),
        "{stdout}"
    );
    assert!(
        lines[1].contains(&format!(": warning[{SELECT_LINT}]: ")),
        "{stdout}"
    );
}

#[test]
fn a_non_utf8_file_is_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("latin1.rs"), b"fn main() {}\n// caf\xe9\n").unwrap();
    fs::copy(
        project("demo").join("src/lib.rs"),
        dir.path().join("relay.rs"),
    )
    .unwrap();
    let output = tool()
        .current_dir(dir.path())
        .args(["--format", "short", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("latin1.rs:1:1: error[parse_error]: file is not valid UTF-8"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("relay.rs:{}:", read_exact_line("demo"))),
        "{stdout}"
    );
}

#[test]
fn a_closed_stdout_exits_quietly_with_the_code_of_the_findings() {
    // Enough findings to fill the pipe, so the write fails with a broken pipe after the reader
    // took more than 64 kB and went away (as `| head -c 70000` does).
    let dir = tempfile::tempdir().unwrap();
    let source = fs::read_to_string(project("demo").join("src/lib.rs")).unwrap();
    for index in 0..300 {
        fs::write(dir.path().join(format!("f{index}.rs")), &source).unwrap();
    }
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir.path())
        .args(["--color", "never", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0; 70_000];
    std::io::Read::read_exact(&mut stdout, &mut head).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    // Findings exist: 1, even though the reader saw only part of them (not 0, which would let
    // `cargo cancel-check | head` pass a CI step).
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_closed_stdout_of_a_clean_run_exits_0() {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(repo_root())
        .args(["--color", "never", "lints"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn output_does_not_depend_on_the_number_of_jobs() {
    let args = [
        "--format",
        "short",
        "test-fixtures/projects/with-parse-error",
        "test-fixtures/projects/demo",
    ];
    let one = stdout_of(tool().arg("-j1").args(args));
    let four = stdout_of(tool().args(["--jobs", "4"]).args(args));
    assert_eq!(one, four);
    assert_eq!(one.lines().count(), 3, "{one}");
    // Sorted by path, whatever the order on the command line.
    assert!(one.starts_with("test-fixtures/projects/demo/"), "{one}");
}

#[test]
fn a_deeply_nested_file_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let nested = |depth: usize| {
        format!(
            "fn f() {{ {}{} }}\n",
            "{ ".repeat(depth),
            "} ".repeat(depth)
        )
    };
    fs::write(dir.path().join("deep.rs"), nested(10_000)).unwrap();
    fs::write(dir.path().join("fine.rs"), nested(200)).unwrap();
    let output = tool()
        .current_dir(dir.path())
        .args(["--format", "short", "deep.rs", "fine.rs"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("deep.rs:1:")
            && stdout.contains("error[parse_error]")
            && stdout.contains("the limit is 256"),
        "{stdout}"
    );
}

// ---- invocation and workspace discovery ----

#[test]
fn no_path_analyses_the_workspace_around_the_current_directory() {
    let line = read_exact_line("demo");
    tool()
        .current_dir(project("demo").join("src"))
        .args(["--format", "short"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(format!("src/lib.rs:{line}:")));
}

#[test]
fn the_cargo_subcommand_word_is_accepted() {
    tool()
        .args([
            "cancel-check",
            "--format",
            "short",
            "test-fixtures/projects/demo",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(SELECT_LINT));
}

#[test]
fn manifest_path_selects_the_workspace() {
    let line = read_exact_line("demo");
    tool()
        .args([
            "--format",
            "short",
            "--manifest-path",
            "test-fixtures/projects/demo/Cargo.toml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(format!("src/lib.rs:{line}:")));
}

#[test]
fn package_selection() {
    let manifest = "test-fixtures/projects/demo/Cargo.toml";
    // The full package id specs rust-analyzer passes select the package too.
    let dir = project("demo");
    for spec in [
        format!("path+file://{}#0.1.0", dir.display()),
        format!("path+file://{}#demo@0.1.0", dir.display()),
        format!("file://{}", dir.display()),
    ] {
        tool()
            .args(["--color", "never", "--manifest-path", manifest, "-p", &spec])
            .assert()
            .code(1);
    }
    tool()
        .args([
            "--manifest-path",
            manifest,
            "-p",
            &format!("path+file://{}#9.9.9", dir.display()),
        ])
        .assert()
        .code(2);
    tool()
        .args([
            "--color",
            "never",
            "--manifest-path",
            manifest,
            "-p",
            "demo",
        ])
        .assert()
        .code(1);
    tool()
        .args([
            "--color",
            "never",
            "--manifest-path",
            manifest,
            "--workspace",
            "--exclude",
            "demo",
        ])
        .assert()
        .code(0)
        .stdout("no findings in 0 files\n");
    tool()
        .args(["--manifest-path", manifest, "-p", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "package `nope` is not a member of the workspace",
        ));
}

#[test]
fn no_cargo_workspace_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    tool()
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: could not read the cargo workspace: could not find `Cargo.toml` in `",
        ));
}

#[test]
fn a_failing_cargo_metadata_exits_2_with_its_message_quoted() {
    // cargo's message quotes the manifest: each of its lines is prefixed, so a line of the
    // checkout cannot pass for one of ours (or for a CI workflow command).
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \n::error title=x::injected\n",
    )
    .unwrap();
    let output = tool().current_dir(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: could not read the cargo workspace: `cargo metadata` failed:\n  > error: "
        ),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .all(|line| !line.trim_start().starts_with("::")),
        "{stderr}"
    );
    assert!(stderr.contains("::error title=x::injected"), "{stderr}");
}

/// A workspace in a temporary directory where every file fails to parse, so each file analysed
/// shows up as one `parse_error` finding whatever the rules do.
fn broken_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
        ),
        ("a/build.rs", "fn ("),
        ("a/src/lib.rs", "fn ("),
        ("a/src/util.rs", "fn ("),
        ("a/src/main.rs", "fn ("),
        ("a/src/bin/tool/main.rs", "fn ("),
        ("a/src/bin/tool/helper.rs", "fn ("),
        ("a/tests/it.rs", "fn ("),
        ("a/tests/common/mod.rs", "fn ("),
        ("a/src/.hidden/skipped.rs", "fn ("),
        ("a/src/target/skipped.rs", "fn ("),
        ("a/src/notes.txt", "fn ("),
        ("b/src/lib.rs", "fn ("),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// `file_name → target name` of every compiler message.
fn targets_by_file(output: &str) -> Vec<(String, String)> {
    json_lines(output)
        .iter()
        .filter_map(
            |line| match serde_json::from_str::<Message>(line).unwrap() {
                Message::CompilerMessage(message) => Some((
                    message.message.spans[0].file_name.clone(),
                    message.target.name.clone(),
                )),
                _ => None,
            },
        )
        .collect()
}

#[test]
fn every_target_tree_of_every_member_is_analysed_once() {
    let dir = broken_workspace();
    let output = stdout_of(
        tool()
            .current_dir(dir.path().join("a/src"))
            .args(["--format", "json"]),
    );
    let expected = [
        ("a/build.rs", "build-script-build"),
        ("a/src/bin/tool/helper.rs", "tool"),
        ("a/src/bin/tool/main.rs", "tool"),
        ("a/src/lib.rs", "a"),
        ("a/src/main.rs", "a"),
        ("a/src/util.rs", "a"),
        ("a/tests/common/mod.rs", "it"),
        ("a/tests/it.rs", "it"),
        ("b/src/lib.rs", "b"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(file, target)| (file.to_string(), target.to_string()))
        .collect();
    assert_eq!(targets_by_file(&output), expected, "{output}");
    // `src/main.rs` belongs to the binary, `src/lib.rs` to the library, though both are named `a`.
    let kinds: Vec<String> = json_lines(&output)
        .iter()
        .filter_map(
            |line| match serde_json::from_str::<Message>(line).unwrap() {
                Message::CompilerMessage(message)
                    if message.message.spans[0].file_name == "a/src/main.rs" =>
                {
                    Some(message.target.kind[0].to_string())
                }
                _ => None,
            },
        )
        .collect();
    assert_eq!(kinds, ["bin"]);
}

#[test]
fn package_flags_select_members() {
    let dir = broken_workspace();
    let files = |args: &[&str]| -> Vec<String> {
        let output = stdout_of(
            tool()
                .current_dir(dir.path())
                .args(["--format", "json"])
                .args(args),
        );
        targets_by_file(&output)
            .into_iter()
            .map(|(file, _)| file)
            .collect()
    };
    assert_eq!(files(&["-p", "b"]), ["b/src/lib.rs"]);
    assert_eq!(files(&["-p", "b@0.2.0"]), ["b/src/lib.rs"]);
    assert_eq!(files(&["--workspace", "--exclude", "a"]), ["b/src/lib.rs"]);
    assert_eq!(files(&[]).len(), 9);
}
