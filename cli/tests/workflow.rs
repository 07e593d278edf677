//! The tool in a project's workflow: configuration files and their errors, suppression comments
//! and attributes with `unused_allow`, baselines, and `--with-cargo` for rust-analyzer. Each test
//! builds a small crate in a temporary folder and runs the real binary on it.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cargo_metadata::Message;
use tempfile::TempDir;

/// A select loop that loses a half-read header: one `select_arm_not_cancel_safe` finding at the
/// `read_exact` line (line 9).
const LOSSY_LOOP: &str = r#"use tokio::io::AsyncReadExt;
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

/// A crate in a temporary folder.
struct Crate {
    dir: TempDir,
}

impl Crate {
    fn new(manifest_extra: &str) -> Crate {
        let dir = tempfile::tempdir().unwrap();
        let krate = Crate { dir };
        krate.write(
            "Cargo.toml",
            &format!(
                "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{manifest_extra}"
            ),
        );
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

    /// The tool run in the crate's folder, without mining dependency docs.
    fn tool(&self) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
        command
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .args(["--no-deps-docs", "--color", "never"]);
        command
    }

    /// `--message-format short` output and exit code.
    fn short(&self, args: &[&str]) -> (String, String, i32) {
        let output = self
            .tool()
            .args(["--message-format", "short"])
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
            output.status.code().unwrap(),
        )
    }
}

// ---- configuration ----

#[test]
fn workspace_metadata_sets_levels_and_excludes() {
    let krate = Crate::new(
        "[package.metadata.cancel-check]\nexclude = [\"src/generated/**\"]\n\n[package.metadata.cancel-check.lints]\nselect_arm_not_cancel_safe = \"deny\"\ndetached_spawn = \"warn\"\n",
    );
    krate.write("src/lib.rs", &format!("mod generated;\n{LOSSY_LOOP}"));
    krate.write(
        "src/generated/mod.rs",
        "pub fn spawn() { tokio::spawn(async {}); }\n",
    );
    let (stdout, _, code) = krate.short(&[]);
    assert_eq!(
        stdout,
        "src/lib.rs:10:20: error[select_arm_not_cancel_safe]: `socket.read_exact(..)` is not cancel safe and is raced in `select!`\n"
    );
    assert_eq!(code, 1);
    // The command line wins over the configuration.
    let (stdout, _, code) = krate.short(&["-A", "select_arm_not_cancel_safe"]);
    assert_eq!((stdout.as_str(), code), ("", 0));
}

#[test]
fn cancel_check_toml_configures_a_workspace() {
    let krate = Crate::new("");
    krate.write("src/lib.rs", LOSSY_LOOP);
    krate.write(
        "cancel-check.toml",
        "[lints]\nselect_arm_not_cancel_safe = \"allow\"\n",
    );
    let (stdout, _, code) = krate.short(&[]);
    assert_eq!((stdout.as_str(), code), ("", 0));
}

#[test]
fn the_lints_table_takes_groups_and_the_names_editors_show() {
    let krate = Crate::new("");
    krate.write(
        "src/lib.rs",
        &format!("{LOSSY_LOOP}pub fn spawn() {{ tokio::spawn(async {{}}); }}\n"),
    );
    // A lint's own setting beats its group's in the same table, whatever the order.
    krate.write(
        "cancel-check.toml",
        "[lints]\n\"cancel_check::Select-Arm-Not-Cancel-Safe\" = \"deny\"\ncancel_safety = \"allow\"\nstructured_concurrency = \"warn\"\n",
    );
    let (stdout, _, code) = krate.short(&[]);
    let found: Vec<&str> = stdout
        .lines()
        .map(|line| line.split(": ").nth(1).unwrap())
        .collect();
    assert_eq!(
        found,
        [
            "error[select_arm_not_cancel_safe]",
            "warning[detached_spawn]"
        ],
        "{stdout}"
    );
    assert_eq!(code, 1);
    // The command line wins over the table, group or not.
    let (stdout, _, code) = krate.short(&["-A", "all", "-A", "structured-concurrency"]);
    assert_eq!((stdout.as_str(), code), ("", 0));
}

#[test]
fn the_hidden_spelling_of_the_configuration_file_works_but_not_both() {
    let krate = Crate::new("");
    krate.write("src/lib.rs", LOSSY_LOOP);
    krate.write(
        ".cancel-check.toml",
        "[lints]\nselect_arm_not_cancel_safe = \"allow\"\n",
    );
    let (stdout, stderr, code) = krate.short(&[]);
    assert_eq!((stdout.as_str(), stderr.as_str(), code), ("", "", 0));
    // On PATHs too: the file marks the root.
    let (stdout, _, code) = krate.short(&["src"]);
    assert_eq!((stdout.as_str(), code), ("", 0));
    krate.write("cancel-check.toml", "[lints]\n");
    let (stdout, stderr, code) = krate.short(&[]);
    let root = krate.path().display().to_string();
    assert_eq!(
        stderr,
        format!(
            "error: both `{root}/cancel-check.toml` and `{root}/.cancel-check.toml` exist; keep one (they hold the same settings)\n"
        )
    );
    assert_eq!((stdout.as_str(), code), ("", 2));
}

#[test]
fn verbose_names_the_configuration_and_why_each_file_was_skipped() {
    let krate = Crate::new("");
    krate.write("src/lib.rs", "mod generated;\nmod kept;\n");
    krate.write("src/generated.rs", "pub fn g() {}\n");
    krate.write("src/kept.rs", "pub fn k() {}\n");
    krate.write("src/.scratch/notes.rs", "pub fn n() {}\n");
    krate.write("cancel-check.toml", "exclude = [\"src/gen*.rs\"]\n");
    let (stdout, stderr, code) = krate.short(&["-v", "src"]);
    assert_eq!((stdout.as_str(), code), ("", 0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let root = krate.path().display().to_string();
    for expected in [
        "info: skipped folder `src/.scratch`: a hidden folder".to_string(),
        format!("info: configuration: `{root}/cancel-check.toml`"),
        "info: skipped `src/generated.rs`: excluded by the `exclude` pattern `src/gen*.rs`"
            .to_string(),
        "info: found 3 files to analyse (the PATHs given) in ".to_string(),
        "info: analysed 2 files on ".to_string(),
    ] {
        assert!(
            lines.iter().any(|line| line.starts_with(&expected)),
            "no `{expected}` in:\n{stderr}"
        );
    }
    // Without `-v`, none of it.
    let (_, stderr, _) = krate.short(&["src"]);
    assert_eq!(stderr, "");
}

#[test]
fn package_settings_override_workspace_settings() {
    let krate = Crate::new("");
    fs::write(
        krate.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[workspace.metadata.cancel-check.lints]\nselect_arm_not_cancel_safe = \"deny\"\n",
    )
    .unwrap();
    for (name, extra) in [
        ("a", ""),
        (
            "b",
            "[package.metadata.cancel-check.lints]\nselect_arm_not_cancel_safe = \"allow\"\n",
        ),
    ] {
        krate.write(
            &format!("{name}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{extra}"
            ),
        );
        krate.write(&format!("{name}/src/lib.rs"), LOSSY_LOOP);
    }
    let (stdout, _, code) = krate.short(&[]);
    assert_eq!(
        stdout,
        "a/src/lib.rs:9:20: error[select_arm_not_cancel_safe]: `socket.read_exact(..)` is not cancel safe and is raced in `select!`\n"
    );
    assert_eq!(code, 1);
}

#[test]
fn configured_api_and_types_are_used() {
    let krate = Crate::new(
        r#"[package.metadata.cancel-check]
not-send-types = ["sample::Handle"]
lock-types = ["sample::SpinLock"]

[[package.metadata.cancel-check.api]]
path = "sample::Conn::read_frame"
cancel-safe = false
loses = "a partially read frame"
fix = "use `Conn::next_frame`, which buffers in the connection"
"#,
    );
    krate.write(
        "src/lib.rs",
        r#"pub struct Handle;
pub struct SpinLock<T>(T);
pub struct Conn;

pub async fn frames(conn: &mut Conn, mut control: tokio::sync::mpsc::Receiver<u32>) {
    loop {
        tokio::select! {
            frame = conn.read_frame() => { let _ = frame; }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

pub async fn holds(lock: &SpinLock<u32>) {
    let guard = lock.lock();
    tokio::task::yield_now().await;
    drop(guard);
}

pub async fn keeps() {
    let handle = Handle::new();
    tokio::task::yield_now().await;
    drop(handle);
}

pub fn spawn() {
    tokio::spawn(keeps());
}
"#,
    );
    let (stdout, _, _) = krate.short(&[]);
    let lints: Vec<&str> = stdout
        .lines()
        .map(|line| line.split('[').nth(1).unwrap().split(']').next().unwrap())
        .collect();
    assert_eq!(
        lints,
        [
            "select_arm_not_cancel_safe",
            "lock_held_across_await",
            "non_send_held_across_await"
        ],
        "{stdout}"
    );
}

#[test]
fn the_api_command_shows_configured_entries_and_their_source() {
    let krate = Crate::new(
        "[[package.metadata.cancel-check.api]]\npath = \"sample::Conn::read_frame\"\ncancel-safe = false\nloses = \"a partially read frame\"\n",
    );
    krate.write("src/lib.rs", "pub struct Conn;\n");
    let output = krate
        .tool()
        .args(["api", "Conn::read_frame"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        format!(
            "sample::Conn::read_frame\n  kind:     method\n  verdict:  data_loss (not cancel safe: data already taken is lost)\n  loses:    a partially read frame\n  source:   the project's configuration: {}, `package.metadata.cancel-check.api[0]`\n",
            krate.path().join("Cargo.toml").display()
        )
    );
}

#[test]
fn configuration_errors_exit_2_naming_file_key_and_accepted_values() {
    let cases = [
        (
            "[package.metadata.cancel-check]\nexlude = []\n",
            "error: {manifest}: unknown key `package.metadata.cancel-check.exlude`; accepted keys: `exclude`, `not-send-types`, `lock-types`, `lints`, `lints-in-tests`, `api`\n",
        ),
        (
            "[package.metadata.cancel-check.lints]\nselect_arm_not_cancelsafe = \"allow\"\n",
            "error: {manifest}: unknown lint `select_arm_not_cancelsafe` in `package.metadata.cancel-check.lints` (did you mean `select_arm_not_cancel_safe`?); run `cargo cancel-check lints` for the lints and groups\n",
        ),
        (
            "[package.metadata.cancel-check.lints]\ncorrectness = \"deny\"\ncancel_safety = \"warn\"\n",
            "error: {manifest}: `package.metadata.cancel-check.lints.cancel_safety` and `package.metadata.cancel-check.lints.correctness` set `select_arm_not_cancel_safe` to different levels; set `select_arm_not_cancel_safe` itself to say which\n",
        ),
        (
            "[package.metadata.cancel-check.lints]\nfuturelock = 1\n",
            "error: {manifest}: `package.metadata.cancel-check.lints.futurelock` must be \"allow\", \"warn\" or \"deny\", found the integer 1\n",
        ),
        (
            "[package.metadata.cancel-check]\nexclude = \"generated\"\n",
            "error: {manifest}: `package.metadata.cancel-check.exclude` must be an array of strings, found the string \"generated\"\n",
        ),
    ];
    for (extra, expected) in cases {
        let krate = Crate::new(extra);
        krate.write("src/lib.rs", "pub fn f() {}\n");
        let (stdout, stderr, code) = krate.short(&[]);
        let manifest = krate.path().join("Cargo.toml");
        assert_eq!(
            stderr,
            expected.replace("{manifest}", &manifest.display().to_string())
        );
        assert_eq!((stdout.as_str(), code), ("", 2));
    }
}

#[test]
fn the_lints_table_is_not_used() {
    // `[lints.cancel_check]` would make cargo hand the tool to rustc, which fails the build;
    // the tool does not read it, so it has no effect either way.
    let krate = Crate::new("[lints.cancel_check]\nselect_arm_not_cancel_safe = \"allow\"\n");
    krate.write("src/lib.rs", LOSSY_LOOP);
    let (stdout, _, code) = krate.short(&[]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(code, 1);
}

#[test]
fn lints_in_tests_sets_levels_for_test_code_only() {
    // A timer reset in library code and the same loop in a test module: the lint is allowed in
    // test code by default, and `lints-in-tests` turns it on there.
    const TIMERS: &str = "pub async fn beat(mut rx: tokio::sync::mpsc::Receiver<u8>) {\n    let mut n = 0;\n    loop {\n        tokio::select! {\n            Some(_) = rx.recv() => n += 1,\n            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => println!(\"{n}\"),\n        }\n    }\n}\n\n#[cfg(test)]\nmod tests {\n    pub async fn beat(mut rx: tokio::sync::mpsc::Receiver<u8>) {\n        let mut n = 0;\n        loop {\n            tokio::select! {\n                Some(_) = rx.recv() => n += 1,\n                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => println!(\"{n}\"),\n            }\n        }\n    }\n}\n";
    let lines = |krate: &Crate| -> Vec<String> {
        let (stdout, stderr, _) = krate.short(&[]);
        assert!(stderr.is_empty(), "{stderr}");
        stdout
            .lines()
            .filter(|line| line.contains("select_timer_reset"))
            .map(|line| line.split(':').nth(1).unwrap().to_string())
            .collect()
    };
    let default = Crate::new("");
    default.write("src/lib.rs", TIMERS);
    assert_eq!(lines(&default), ["6"]);
    let configured = Crate::new(
        "[package.metadata.cancel-check.lints-in-tests]\nselect_timer_reset = \"warn\"\n",
    );
    configured.write("src/lib.rs", TIMERS);
    assert_eq!(lines(&configured), ["6", "18"]);
    let allowed = Crate::new(
        "[package.metadata.cancel-check.lints]\nselect_timer_reset = \"deny\"\n\n[package.metadata.cancel-check.lints-in-tests]\nselect_timer_reset = \"allow\"\n",
    );
    allowed.write("src/lib.rs", TIMERS);
    assert_eq!(lines(&allowed), ["6"]);
}

#[test]
fn rustc_s_own_async_fn_in_trait_level_in_the_lints_table_is_honoured() {
    // Reading rustc's own level of `async_fn_in_trait` is not configuring cancel-check: an
    // author who allows it answered the `Send` question for the package's trait methods.
    const TRAIT: &str = "pub trait Store {\n    async fn get(&self) -> u8;\n}\n";
    let lines = |krate: &Crate| {
        let (stdout, _, _) = krate.short(&[]);
        stdout
            .lines()
            .filter(|line| line.contains("missing_send_bound"))
            .count()
    };
    let plain = Crate::new("");
    plain.write("src/lib.rs", TRAIT);
    assert_eq!(lines(&plain), 1);

    let package = Crate::new("[lints.rust]\nasync_fn_in_trait = \"allow\"\n");
    package.write("src/lib.rs", TRAIT);
    assert_eq!(lines(&package), 0);

    let table =
        Crate::new("[lints.rust]\nasync_fn_in_trait = { level = \"allow\", priority = -1 }\n");
    table.write("src/lib.rs", TRAIT);
    assert_eq!(lines(&table), 0);

    let warned = Crate::new("[lints.rust]\nasync_fn_in_trait = \"deny\"\n");
    warned.write("src/lib.rs", TRAIT);
    assert_eq!(lines(&warned), 1);

    // Inherited from the workspace with `[lints] workspace = true`; a member that does not
    // inherit is still checked.
    let workspace = Crate::new(
        "[workspace]\nmembers = [\"inherits\", \"own\"]\n\n[workspace.lints.rust]\nasync_fn_in_trait = \"allow\"\n",
    );
    workspace.write("src/lib.rs", "");
    for (member, lints) in [("inherits", "[lints]\nworkspace = true\n"), ("own", "")] {
        workspace.write(
            &format!("{member}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{member}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{lints}"
            ),
        );
        workspace.write(&format!("{member}/src/lib.rs"), TRAIT);
    }
    let (stdout, _, _) = workspace.short(&["--workspace"]);
    let found: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("missing_send_bound"))
        .collect();
    assert_eq!(found.len(), 1, "{stdout}");
    assert!(found[0].starts_with("own/src/lib.rs:2:"), "{stdout}");
}

// ---- suppression ----

#[test]
fn suppression_comments_and_unused_allow_in_human_output() {
    let krate = Crate::new("");
    let text = LOSSY_LOOP.replace(
        "            read = socket.read_exact(&mut header)",
        "            // cancel-check: allow(select_arm_not_cancel_safe, select_timer_reset) -- resynchronised by the magic\n            read = socket.read_exact(&mut header)",
    );
    krate.write("src/lib.rs", &text);
    let output = krate.tool().output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "warning[unused_allow]: `allow(select_timer_reset)` suppresses nothing
  --> src/lib.rs:9:64
  |
9 |             // cancel-check: allow(select_arm_not_cancel_safe, select_timer_reset) -- resynchronised by the magic
  |                                                                ^^^^^^^^^^^^^^^^^^ no `select_timer_reset` finding here
  |
  = help: remove `select_timer_reset` from the suppression
  = note: for more information, run `cargo cancel-check explain unused_allow`

1 warning, 0 errors in 1 file
"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn an_unknown_lint_in_a_suppression_is_an_error() {
    let krate = Crate::new("");
    krate.write(
        "src/lib.rs",
        "#[cfg_attr(any(), allow(cancel_check::futurelocks))]\npub fn f() {}\n",
    );
    let (stdout, _, code) = krate.short(&[]);
    assert_eq!(
        stdout,
        "src/lib.rs:1:39: error[unknown_lint]: unknown lint `futurelocks`\n"
    );
    assert_eq!(code, 1);
}

// ---- baseline ----

#[test]
fn a_baseline_hides_known_findings_across_line_shifts_and_reports_fixed_ones() {
    let krate = Crate::new("");
    let lib = krate.write("src/lib.rs", LOSSY_LOOP);
    let baseline = krate.path().join("cancel-check-baseline.json");
    let baseline_arg = baseline.to_str().unwrap();

    let (stdout, stderr, code) = krate.short(&["--write-baseline", baseline_arg]);
    assert_eq!(
        (stdout.as_str(), code),
        ("", 0),
        "writing a baseline succeeds"
    );
    assert_eq!(
        stderr,
        format!("wrote 1 finding to the baseline `{baseline_arg}`\n")
    );

    // Lines added above the finding do not matter.
    fs::write(&lib, format!("// A header comment.\n\n{LOSSY_LOOP}")).unwrap();
    let (stdout, stderr, code) = krate.short(&["--baseline", baseline_arg]);
    assert_eq!((stdout.as_str(), code), ("", 0));
    assert_eq!(
        stderr,
        format!("1 finding suppressed by the baseline `{baseline_arg}`\n")
    );

    // A new finding is reported; the old one stays suppressed.
    fs::write(
        &lib,
        format!("{LOSSY_LOOP}\npub mod second {{\n{LOSSY_LOOP}}}\n"),
    )
    .unwrap();
    let (stdout, _, code) = krate.short(&["--baseline", baseline_arg]);
    assert_eq!(
        stdout,
        "src/lib.rs:24:20: warning[select_arm_not_cancel_safe]: `socket.read_exact(..)` is not cancel safe and is raced in `select!`\n"
    );
    assert_eq!(code, 1);

    // The finding is fixed: the entry is reported for cleanup.
    fs::write(&lib, "pub fn fixed() {}\n").unwrap();
    let (stdout, stderr, code) = krate.short(&["--baseline", baseline_arg]);
    assert_eq!((stdout.as_str(), code), ("", 0));
    assert_eq!(
        stderr,
        format!(
            "0 findings suppressed by the baseline `{baseline_arg}`\n\
             1 baseline entry no longer matches any finding (fixed); drop it with `--write-baseline {baseline_arg}`:\n  \
             src/lib.rs:9: [select_arm_not_cancel_safe] `socket.read_exact(..)` is not cancel safe and is raced in `select!`\n"
        )
    );
}

#[test]
fn a_broken_baseline_exits_2() {
    let krate = Crate::new("");
    krate.write("src/lib.rs", LOSSY_LOOP);
    krate.write("baseline.json", "{\"findings\": 3}");
    let (_, stderr, code) = krate.short(&["--baseline", "baseline.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: `baseline.json` is not a cancel-check baseline: "),
        "{stderr}"
    );
}

// ---- rust-analyzer ----

#[test]
fn with_cargo_merges_cargo_messages_and_ends_with_one_build_finished() {
    let krate = Crate::new("");
    // No dependencies: `cargo check` is quick and fails on the unresolved `tokio`, which is
    // exactly a message to pass through.
    krate.write("src/lib.rs", LOSSY_LOOP);
    let target = krate.path().join("target");
    let output = krate
        .tool()
        .args([
            "--with-cargo",
            "check",
            "--message-format=json-diagnostic-rendered-ansi",
            "--workspace",
            "--all-targets",
            "--keep-going",
            "--offline",
            "--target-dir",
        ])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let messages: Vec<Message> = Message::parse_stream(&output.stdout[..])
        .map(Result::unwrap)
        .collect();
    let codes: Vec<String> = messages
        .iter()
        .filter_map(|message| match message {
            Message::CompilerMessage(message) => message.message.code.as_ref(),
            _ => None,
        })
        .map(|code| code.code.clone())
        .collect();
    assert!(
        codes.iter().any(|code| code.starts_with('E')),
        "rustc's errors pass through: {codes:?}"
    );
    assert!(
        codes
            .iter()
            .any(|code| code == "cancel_check::select_arm_not_cancel_safe"),
        "ours follow: {codes:?}"
    );
    let finished: Vec<usize> = messages
        .iter()
        .enumerate()
        .filter(|(_, message)| matches!(message, Message::BuildFinished(_)))
        .map(|(index, _)| index)
        .collect();
    assert_eq!(finished, [messages.len() - 1], "one build-finished, last");
    assert!(matches!(
        messages.last(),
        Some(Message::BuildFinished(finished)) if !finished.success
    ));
}

// ---- progress ----

/// Runs the tool with a terminal (util-linux `script` gives it one) and returns what the
/// terminal showed.
fn on_a_terminal(dir: &Path, args: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin!("cargo-cancel-check");
    let output = std::process::Command::new("script")
        .args(["--quiet", "--return", "--command"])
        .arg(format!(
            "{} --no-deps-docs {args} {}",
            binary.display(),
            dir.display()
        ))
        .arg("/dev/null")
        .output()
        .expect("util-linux `script` runs the tool on a terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_progress_bar_shows_on_a_terminal_for_human_output_only() {
    let dir = tempfile::tempdir().unwrap();
    for index in 0..60 {
        fs::write(
            dir.path().join(format!("f{index}.rs")),
            "pub async fn next(rx: &mut tokio::sync::mpsc::Receiver<u32>) -> Option<u32> { rx.recv().await }\n",
        )
        .unwrap();
    }
    let human = on_a_terminal(dir.path(), "");
    assert!(human.contains("analysing 60 files"), "{human:?}");
    assert!(human.contains("no findings in 60 files"), "{human:?}");

    for format in ["json", "sarif", "github", "short"] {
        let shown = on_a_terminal(dir.path(), &format!("--message-format {format}"));
        assert!(!shown.contains("analysing"), "{format}: {shown:?}");
    }
    let json = on_a_terminal(dir.path(), "--message-format json");
    assert_eq!(json.trim(), r#"{"reason":"build-finished","success":true}"#);

    // `-q`: no progress bar and no summary, even on a terminal.
    let quiet = on_a_terminal(dir.path(), "-q");
    assert_eq!(quiet.trim(), "", "{quiet:?}");

    // Not a terminal: nothing on stderr.
    let piped = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .args(["--no-deps-docs"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
}

#[test]
fn colors_on_a_terminal_follow_cargo_term_color_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("lib.rs"), LOSSY_LOOP).unwrap();
    let colored = |env: &[(&str, &str)], args: &str| {
        let binary = assert_cmd::cargo::cargo_bin!("cargo-cancel-check");
        let mut command = std::process::Command::new("script");
        command
            .args(["--quiet", "--return", "--command"])
            .arg(format!(
                "{} --no-deps-docs {args} {}",
                binary.display(),
                dir.path().display()
            ))
            .arg("/dev/null")
            .env_remove("NO_COLOR")
            .env_remove("CARGO_TERM_COLOR");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command
            .output()
            .expect("util-linux `script` runs the tool on a terminal");
        String::from_utf8_lossy(&output.stdout).contains('\u{1b}')
    };
    assert!(colored(&[], ""), "auto on a terminal");
    assert!(!colored(&[("NO_COLOR", "1")], ""));
    assert!(!colored(&[("CARGO_TERM_COLOR", "never")], ""));
    assert!(colored(&[("CARGO_TERM_COLOR", "auto")], ""));
    assert!(colored(&[("CARGO_TERM_COLOR", "never")], "--color auto"));
    assert!(!colored(&[("CARGO_TERM_COLOR", "always")], "--color never"));
}
