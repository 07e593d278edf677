// Length: one test per kind of bad input, each with the input it writes; a test file.
//! Robustness: no input makes the tool panic, hang or overflow its stack. A file that cannot be
//! read, decoded, lexed, parsed or safely analysed becomes one `parse_error` finding with a clear
//! message, and every other file of the run is still analysed.
//!
//! Each test writes its inputs to a temporary directory next to `relay.rs`, a good file with a
//! real finding, and checks both the bad file's message and the good file's finding. The cases
//! that `cli.rs` already covers (an unparsable file in a project, a Latin-1 file, 10,000 nested
//! `{`) are not repeated here.

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

/// A good file: a `select!` in a loop races `read_exact` against a channel, so a won channel
/// branch drops a half-read header (`select_arm_not_cancel_safe`).
const RELAY: &str = "\
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc::Receiver;

pub async fn relay(mut socket: TcpStream, mut control: Receiver<String>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            result = socket.read_exact(&mut header) => {
                if result.is_err() {
                    return;
                }
            }
            Some(x) = control.recv() => println!(\"{x}\"),
        }
    }
}
";

const SELECT_LINT: &str = "select_arm_not_cancel_safe";

/// The 1-based line and column of the `read_exact` branch in `source`.
fn read_exact_position(source: &str) -> (usize, usize) {
    source
        .lines()
        .enumerate()
        .find_map(|(index, line)| {
            let column = line.find("socket.read_exact")?;
            Some((index + 1, line[..column].chars().count() + 1))
        })
        .expect("a read_exact branch")
}

/// The short-format line of the `read_exact` finding in file `label` holding `source`.
fn finding_line(label: &str, source: &str) -> String {
    let (line, column) = read_exact_position(source);
    format!("{label}:{line}:{column}: warning[{SELECT_LINT}]: `socket.read_exact(..)` is not cancel safe and is raced in `select!`")
}

/// A temporary directory holding `relay.rs`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("relay.rs"), RELAY).unwrap();
    dir
}

/// Runs the tool in `dir` with short output, no cache and no dependency docs, killing it after
/// `timeout` (a hang fails the test instead of blocking it).
fn run_with_timeout(dir: &Path, args: &[&str], timeout: Duration) -> Output {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["--message-format", "short", "--no-deps-docs", "--no-cache"])
        .args(args)
        .timeout(timeout)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "killed by a signal or timed out after {timeout:?}: {:?}\n{stderr}",
        output.status
    );
    for crash in ["panicked", "overflowed its stack", "internal error"] {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            !stdout.contains(crash) && !stderr.contains(crash),
            "{crash}:\n{stdout}\n{stderr}"
        );
    }
    output
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_with_timeout(dir, args, Duration::from_secs(60))
}

/// Stdout of a run that must exit 1 (findings), as lines.
fn findings(output: &Output) -> Vec<String> {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().map(str::to_string).collect()
}

/// Asserts that `lines` holds the good sibling's finding.
fn assert_relay_reported(lines: &[String]) {
    let expected = finding_line("relay.rs", RELAY);
    assert!(
        lines.contains(&expected),
        "expected `{expected}` in:\n{}",
        lines.join("\n")
    );
}

/// The lines about `label`.
fn lines_of<'l>(lines: &'l [String], label: &str) -> Vec<&'l str> {
    let prefix = format!("{label}:");
    lines
        .iter()
        .filter(|line| line.starts_with(&prefix))
        .map(String::as_str)
        .collect()
}

/// Asserts that `label` has exactly one finding, a `parse_error` whose line starts with
/// `label:<position>: error[parse_error]: <message_prefix>`; `position` may be empty (any).
fn assert_parse_error(lines: &[String], label: &str, position: &str, message_prefix: &str) {
    let about = lines_of(lines, label);
    assert_eq!(about.len(), 1, "{label}: {about:#?}");
    let line = about[0];
    let rest = line.strip_prefix(&format!("{label}:{position}")).unwrap();
    let message = rest
        .split_once(": error[parse_error]: ")
        .map(|(_, message)| message);
    assert!(
        message.is_some_and(|message| message.starts_with(message_prefix)),
        "expected `{label}:{position}..: error[parse_error]: {message_prefix}..`, got `{line}`"
    );
}

// ---- encodings and file headers ----

#[test]
fn a_utf16_file_is_reported_at_its_first_invalid_byte() {
    let dir = workdir();
    // What some Windows editors save: UTF-16LE with its byte-order mark.
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend("fn main() {}\n".encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(dir.path().join("utf16.rs"), utf16).unwrap();
    // Valid up to the Latin-1 `é` at byte 16.
    fs::write(dir.path().join("latin1.rs"), b"// Copyright Ren\xe9e\n").unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_parse_error(
        &lines,
        "utf16.rs",
        "1:1",
        "file is not valid UTF-8 (first invalid byte at offset 0)",
    );
    assert_parse_error(
        &lines,
        "latin1.rs",
        "1:1",
        "file is not valid UTF-8 (first invalid byte at offset 16)",
    );
    assert_relay_reported(&lines);
    assert_eq!(lines.len(), 3, "{lines:#?}");
}

#[test]
fn a_file_with_a_utf8_byte_order_mark_is_analysed() {
    let dir = workdir();
    let source = format!("\u{feff}{RELAY}");
    fs::write(dir.path().join("bom.rs"), &source).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_eq!(
        lines,
        [
            finding_line("bom.rs", &source),
            finding_line("relay.rs", RELAY)
        ]
    );
}

#[test]
fn a_file_with_a_shebang_line_is_analysed() {
    let dir = workdir();
    let source = format!("#!/usr/bin/env -S cargo +nightly -Zscript\n{RELAY}");
    fs::write(dir.path().join("script.rs"), &source).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_eq!(
        lines,
        [
            finding_line("relay.rs", RELAY),
            finding_line("script.rs", &source)
        ]
    );
    assert_eq!(
        read_exact_position(&source).0,
        read_exact_position(RELAY).0 + 1
    );
}

#[test]
fn a_cargo_script_with_front_matter_is_analysed() {
    let dir = workdir();
    let source = format!(
        "#!/usr/bin/env -S cargo +nightly -Zscript\n---cargo\n[dependencies]\ntokio = \"1\"\n---\n\n{RELAY}"
    );
    fs::write(dir.path().join("script.rs"), &source).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_eq!(
        lines,
        [
            finding_line("relay.rs", RELAY),
            finding_line("script.rs", &source)
        ]
    );
}

// ---- files with items syn rejects ----

#[test]
fn a_file_with_a_broken_item_is_reported_at_the_item_and_its_other_items_are_analysed() {
    let dir = workdir();
    // The relay loop, then a half-written fn: one finding for each.
    let source = format!("{RELAY}\npub fn half_written(count: usize) -> {{\n    count\n}}\n");
    fs::write(dir.path().join("broken.rs"), &source).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    let line = source.lines().count() - 2;
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0], finding_line("broken.rs", &source));
    assert!(
        lines[1].starts_with(&format!(
            "broken.rs:{line}:38: error[parse_error]: could not parse this item: expected one of: "
        )),
        "{lines:#?}"
    );
    assert_eq!(lines[2], finding_line("relay.rs", RELAY));
}

#[test]
fn a_file_that_is_mostly_not_rust_is_one_parse_error() {
    let dir = workdir();
    // A template: most of its items are not Rust, so the file is reported once, not per item.
    let template = "use super::*;\n{{#each constants as |c|}}\npub const {{c.name}}: u8 = {{c.value}};\n{{/each}}\n";
    fs::write(dir.path().join("template.rs"), template).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_eq!(lines_of(&lines, "template.rs").len(), 1, "{lines:#?}");
    assert_parse_error(&lines, "template.rs", "2:", "could not parse the file: ");
    assert_relay_reported(&lines);
}

#[test]
fn a_file_that_is_not_rust_named_on_the_command_line_is_skipped_with_a_warning() {
    let dir = workdir();
    fs::write(dir.path().join("notes.txt"), "remember to fix the relay\n").unwrap();
    fs::write(
        dir.path().join("relay.rs.tera"),
        "{% if x %}fn f() {}{% endif %}\n",
    )
    .unwrap();
    let output = run(dir.path(), &["notes.txt", "relay.rs.tera", "relay.rs"]);
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    for name in ["notes.txt", "relay.rs.tera"] {
        assert!(
            stderr.contains(&format!(
                "warning: `{name}` is not a Rust file (only `.rs` files are analysed); skipped"
            )),
            "{stderr}"
        );
    }
    let lines = findings(&output);
    assert_eq!(lines, [finding_line("relay.rs", RELAY)]);
}

// ---- files that cannot be read ----

/// Makes `path` (a readable file) unreadable and returns the error reading it gives. `chmod 000`
/// does not stop root, so then the file becomes a link to `/proc/self/mem`, a regular file whose
/// first page no process can read.
#[cfg(target_os = "linux")]
fn make_unreadable(path: &Path) -> std::io::Error {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    if let Err(error) = fs::read(path) {
        return error;
    }
    fs::remove_file(path).unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", path).unwrap();
    fs::read(path).expect_err("no way to make a file unreadable: the test proves nothing")
}

#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    let dir = workdir();
    let locked = dir.path().join("locked.rs");
    fs::write(&locked, RELAY).unwrap();
    let error = make_unreadable(&locked);
    // Named as a PATH: as root the file is a link to `/proc/self/mem`, which a walk of `.` alone
    // leaves out (it resolves outside the paths given).
    let lines = findings(&run(dir.path(), &["locked.rs", "."]));
    assert_parse_error(
        &lines,
        "locked.rs",
        "1:1",
        &format!("could not read file: {error}"),
    );
    assert_relay_reported(&lines);
    assert_eq!(lines.len(), 2, "{lines:#?}");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_reported_not_read() {
    let dir = workdir();
    // Opening a FIFO blocks until a writer comes, and `/dev/zero` never ends: neither is read.
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.rs"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.rs")).unwrap();
    let output = run_with_timeout(
        dir.path(),
        &["pipe.rs", "zero.rs", "relay.rs"],
        Duration::from_secs(30),
    );
    let lines = findings(&output);
    for label in ["pipe.rs", "zero.rs"] {
        assert_parse_error(
            &lines,
            label,
            "1:1",
            "could not read file: not a regular file",
        );
    }
    assert_relay_reported(&lines);
    // A walked directory only holds regular `*.rs` files: the others are not analysed.
    let lines = findings(&run_with_timeout(
        dir.path(),
        &["."],
        Duration::from_secs(30),
    ));
    assert_eq!(lines, [finding_line("relay.rs", RELAY)]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_walked_directory_end_the_walk_and_are_skipped() {
    use std::os::unix::fs::symlink;
    let dir = workdir();
    let root = dir.path();
    fs::create_dir(root.join("a")).unwrap();
    fs::write(root.join("a/inner.rs"), RELAY).unwrap();
    // A link to a parent directory, a link to itself, and a cycle of two.
    symlink("..", root.join("a/loop")).unwrap();
    symlink("self.rs", root.join("self.rs")).unwrap();
    symlink("pong.rs", root.join("ping.rs")).unwrap();
    symlink("ping.rs", root.join("pong.rs")).unwrap();
    let output = run_with_timeout(root, &["."], Duration::from_secs(30));
    let lines = findings(&output);
    // Each real file once: the walk does not follow the loop back into the tree.
    assert_eq!(
        lines,
        [
            finding_line("a/inner.rs", RELAY),
            finding_line("relay.rs", RELAY)
        ]
    );
    // Named on the command line, the loop is a bad argument that the error names.
    let output = run(root, &["self.rs", "relay.rs"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("could not read path `self.rs`: ")
            && stderr.contains("Too many levels of symbolic links"),
        "{stderr}"
    );
}

// ---- huge files ----

#[test]
fn a_10_mb_generated_file_is_analysed() {
    let dir = workdir();
    // Many functions, each a copy of the relay (one finding) and a plain helper.
    let (imports, relay) = RELAY.split_at(RELAY.find("pub async fn").unwrap());
    let mut source = imports.to_string();
    let mut relays = 0;
    while source.len() < 10 << 20 {
        source.push_str(&relay.replace("relay(", &format!("relay_{relays}(")));
        source.push_str(&format!(
            "pub fn helper_{relays}(a: u64, b: u64) -> u64 {{\n    let c = a.wrapping_mul(b) ^ {relays};\n    if c > 10 {{ c - 1 }} else {{ c + 1 }}\n}}\n"
        ));
        relays += 1;
    }
    fs::write(dir.path().join("generated.rs"), &source).unwrap();
    let lines = findings(&run_with_timeout(
        dir.path(),
        &["."],
        Duration::from_secs(600),
    ));
    let generated = lines_of(&lines, "generated.rs");
    assert_eq!(generated.len(), relays, "one finding per relay");
    // The last one is where it should be: nothing was cut off or misplaced.
    let last_copy = source.rfind("pub async fn relay_").unwrap();
    let (line, column) = read_exact_position(&source[last_copy..]);
    let line = line + source[..last_copy].matches('\n').count();
    assert!(
        generated[relays - 1].starts_with(&format!(
            "generated.rs:{line}:{column}: warning[{SELECT_LINT}]"
        )),
        "{}",
        generated[relays - 1]
    );
    assert_relay_reported(&lines);
}

#[test]
fn a_file_over_the_size_limit_is_one_finding_and_the_others_are_analysed() {
    let dir = workdir();
    // 100 MiB of nothing (a sparse file): over the limit, so it is not read.
    let big = fs::File::create(dir.path().join("generated.rs")).unwrap();
    big.set_len(100 << 20).unwrap();
    let lines = findings(&run(dir.path(), &["."]));
    assert_eq!(
        lines_of(&lines, "generated.rs"),
        ["generated.rs:1:1: error[parse_error]: file not analysed: it is 100.0 MiB, larger than the 16 MiB limit (split it, or leave it out with `exclude`)"]
    );
    assert_relay_reported(&lines);
}

#[test]
fn a_10_mb_single_line_file_is_analysed() {
    let dir = workdir();
    // One line: many small functions, then the relay with its newlines turned into spaces.
    let mut source = String::new();
    let mut index = 0;
    while source.len() < 10 << 20 {
        source.push_str(&format!(
            "pub fn f_{index}(a: u32) -> u32 {{ let b = a ^ {index}; b.rotate_left(3) }} "
        ));
        index += 1;
    }
    let relay = RELAY.replace('\n', " ");
    let column = source.len() + relay.find("socket.read_exact").unwrap() + 1;
    source.push_str(&relay);
    assert!(!source.contains('\n'));
    fs::write(dir.path().join("one_line.rs"), &source).unwrap();
    let lines = findings(&run_with_timeout(
        dir.path(),
        &["."],
        Duration::from_secs(600),
    ));
    assert_eq!(
        lines_of(&lines, "one_line.rs"),
        [format!("one_line.rs:1:{column}: warning[{SELECT_LINT}]: `socket.read_exact(..)` is not cancel safe and is raced in `select!`")]
    );
    assert_relay_reported(&lines);
}

// ---- deep nesting ----

const BRACKETS_TOO_DEEP: &str =
    "could not parse the file: brackets nest 257 levels deep here; the limit is 256";
const SYNTAX_TOO_DEEP: &str =
    "could not parse the file: expressions, types or patterns nest too deeply here (nesting score ";

/// Writes each `(file, source)` next to the relay, runs over all of them and checks that each
/// one is a single `parse_error` whose message starts with `message` (on line 1), and that the
/// relay is still analysed.
fn assert_too_deep(files: &[(&str, String)], message: &str) {
    let dir = workdir();
    for (name, source) in files {
        fs::write(dir.path().join(name), source).unwrap();
    }
    let lines = findings(&run(dir.path(), &["."]));
    for (name, _) in files {
        assert_parse_error(&lines, name, "1:", message);
    }
    assert_relay_reported(&lines);
    assert_eq!(lines.len(), files.len() + 1, "{lines:#?}");
    if message == SYNTAX_TOO_DEEP {
        assert!(
            lines
                .iter()
                .filter(|line| line.contains(SYNTAX_TOO_DEEP))
                .all(|line| line.ends_with("; the limit is 8192)")),
            "{lines:#?}"
        );
    }
}

fn repeat(text: &str, times: usize) -> String {
    text.repeat(times)
}

#[test]
fn ten_thousand_nested_parentheses() {
    let source = format!(
        "fn f() -> u32 {{ {}1{} }}\n",
        repeat("(", 10_000),
        repeat(")", 10_000)
    );
    assert_too_deep(&[("parens.rs", source)], BRACKETS_TOO_DEEP);
}

#[test]
fn ten_thousand_nested_async_blocks() {
    let source = format!(
        "fn f() {{ let _ = {}0{}; }}\n",
        repeat("async move { ", 10_000),
        repeat(" }", 10_000)
    );
    assert_too_deep(&[("blocks.rs", source)], BRACKETS_TOO_DEEP);
}

#[test]
fn ten_thousand_nested_closures_with_block_bodies() {
    let source = format!(
        "fn f() {{ let c = {}0{}; }}\n",
        repeat("|| { ", 10_000),
        repeat(" }", 10_000)
    );
    assert_too_deep(&[("closures.rs", source)], BRACKETS_TOO_DEEP);
}

#[test]
fn ten_thousand_nested_closures_without_brackets() {
    // syn parses each closure body recursively: no bracket limits this one.
    let files = [
        (
            "bare.rs",
            format!("fn f() {{ let c = {}0; }}\n", repeat("|| ", 10_000)),
        ),
        (
            "params.rs",
            format!("fn f() {{ let c = {}0; }}\n", repeat("|a, b| ", 10_000)),
        ),
        (
            "moves.rs",
            format!(
                "fn f() {{ let c = {}0; }}\n",
                repeat("async move || ", 10_000)
            ),
        ),
    ];
    assert_too_deep(&files, SYNTAX_TOO_DEEP);
}

#[test]
fn ten_thousand_nested_ifs() {
    let source = format!(
        "fn f(a: bool) {{ {}{} }}\n",
        repeat("if a { ", 10_000),
        repeat("} ", 10_000)
    );
    assert_too_deep(&[("ifs.rs", source)], BRACKETS_TOO_DEEP);
}

#[test]
fn a_hundred_thousand_binary_operators() {
    let source = format!("fn f() -> u32 {{ {}1 }}\n", repeat("1 + ", 100_000));
    assert_too_deep(&[("sum.rs", source)], SYNTAX_TOO_DEEP);
}

#[test]
fn a_hundred_thousand_chained_method_calls() {
    let source = format!("fn f(x: X) {{ x{}; }}\n", repeat(".a()", 100_000));
    assert_too_deep(&[("chain.rs", source)], SYNTAX_TOO_DEEP);
}

#[test]
fn deep_nesting_inside_a_select_body_and_macro_tokens() {
    let select = |handler: &str| {
        format!(
            "async fn f(mut rx: tokio::sync::mpsc::Receiver<u8>) {{ loop {{ tokio::select! {{ Some(v) = rx.recv() => {{ {handler} }} }} }} }}\n"
        )
    };
    let files = [
        (
            "select_closures.rs",
            select(&format!("let c = {}0;", repeat("|| ", 10_000))),
        ),
        (
            "select_future.rs",
            format!(
                "async fn f() {{ loop {{ tokio::select! {{ v = a{} => {{}} }} }} }}\n",
                repeat(".a()", 100_000)
            ),
        ),
        (
            "macro_operators.rs",
            format!("m! {{ {}x }}\n", repeat("- ", 100_000)),
        ),
    ];
    assert_too_deep(&files, SYNTAX_TOO_DEEP);
    let files = [
        (
            "select_blocks.rs",
            select(&format!("{}{}", repeat("{ ", 10_000), repeat("} ", 10_000))),
        ),
        (
            "macro_brackets.rs",
            format!("m! {{ {}{} }}\n", repeat("[", 10_000), repeat("]", 10_000)),
        ),
    ];
    assert_too_deep(&files, BRACKETS_TOO_DEEP);
}

#[test]
fn other_chains_without_brackets_are_reported() {
    // Every form syn parses recursively, or that builds a syntax tree as deep as it is long:
    // `@` in each template is the repeated part.
    let cases = [
        ("refs.rs", "fn f() { let x = @1; }", "&", 100_000),
        ("derefs.rs", "fn f() { let x = @p; }", "*", 100_000),
        ("nots.rs", "fn f() { let x = @b; }", "!", 100_000),
        ("negations.rs", "fn f() { let x = @1; }", "- ", 100_000),
        ("returns.rs", "fn f() { @1; }", "return ", 100_000),
        ("ranges.rs", "fn f() { let x = @1; }", ".. ", 100_000),
        ("assignments.rs", "fn f() { @1; }", "x = ", 100_000),
        (
            "tries.rs",
            "fn f() -> Option<u8> { x@; None }",
            "?",
            100_000,
        ),
        ("awaits.rs", "async fn f() { x@; }", ".await", 100_000),
        ("fields.rs", "fn f() { x@; }", ".a", 100_000),
        ("casts.rs", "fn f() { 1@; }", " as u8", 100_000),
        (
            "else_ifs.rs",
            "fn f(a: bool) { if a {} @ }",
            "else if a {} ",
            100_000,
        ),
        ("generics.rs", "type T = @u8;", "Vec<", 10_000),
        ("type_refs.rs", "type T = @u8;", "&", 100_000),
        ("pointers.rs", "type T = @u8;", "*const ", 100_000),
        ("fn_pointers.rs", "type T = @u8;", "fn() -> ", 100_000),
        ("patterns.rs", "fn f() { let @x = 1; }", "&", 100_000),
        ("bindings.rs", "fn f() { let @x = 1; }", "a @ ", 100_000),
    ];
    let files: Vec<(&str, String)> = cases
        .into_iter()
        .map(|(name, template, unit, times)| {
            (
                name,
                format!("{}\n", template.replace('@', &repeat(unit, times))),
            )
        })
        .collect();
    assert_too_deep(&files, SYNTAX_TOO_DEEP);
}

// ---- macros whose bodies are not what the analysis expects ----

/// A function with a real finding, written after the odd macro in the same file: the macro must
/// not stop the analysis of the rest of the file.
const AFTER: &str = "
pub async fn after(mut socket: TcpStream, mut control: Receiver<String>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            result = socket.read_exact(&mut header) => {
                if result.is_err() {
                    return;
                }
            }
            Some(x) = control.recv() => println!(\"{x}\"),
        }
    }
}
";

/// Writes each `(file, body)` as a file holding `body` then [`AFTER`], and checks that each file
/// has exactly the finding of [`AFTER`] and nothing else.
fn assert_only_the_later_finding(files: &[(&str, &str)]) {
    let dir = workdir();
    let mut sources = Vec::new();
    for (name, body) in files {
        let source =
            format!("use tokio::io::AsyncReadExt;\nuse tokio::net::TcpStream;\nuse tokio::sync::mpsc::Receiver;\n\n{body}\n{AFTER}");
        fs::write(dir.path().join(name), &source).unwrap();
        sources.push((name, source));
    }
    let lines = findings(&run(dir.path(), &["."]));
    for (name, source) in sources {
        assert_eq!(
            lines_of(&lines, name),
            [finding_line(name, &source)],
            "{lines:#?}"
        );
    }
    assert_relay_reported(&lines);
    assert_eq!(lines.len(), files.len() + 1, "{lines:#?}");
}

#[test]
fn malformed_select_bodies_are_left_alone() {
    let select = |macro_name: &str, body: &str| {
        format!("async fn odd(mut a: Receiver<u8>) {{\n    loop {{\n        {macro_name}! {{ {body} }}\n    }}\n}}\n")
    };
    let bodies = [
        ("empty", ""),
        ("arrow_only", "=>"),
        ("no_future", "x ="),
        ("no_handler", "x = a.recv() =>"),
        ("biased_only", "biased;"),
        ("biased_twice", "biased; biased; x = a.recv() => {}"),
        ("else_only", "else =>"),
        ("commas", ",,, x = a.recv() => {},,,"),
        ("precondition_without_condition", "x = a.recv(), if => {}"),
        ("not_rust", "@@ ## $$ <div> ~~ 'x"),
        ("default_and_complete", "default => , complete =>"),
        ("nested_empty", "x = a.recv() => { tokio::select! {} }"),
    ];
    let mut files = Vec::new();
    for (name, body) in bodies {
        files.push((format!("tokio_{name}.rs"), select("tokio::select", body)));
        files.push((
            format!("futures_{name}.rs"),
            select("futures::select", body),
        ));
        files.push((format!("imported_{name}.rs"), select("select", body)));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, source)| (name.as_str(), source.as_str()))
        .collect();
    assert_only_the_later_finding(&files);
}

#[test]
fn macros_whose_bodies_are_not_rust_are_left_alone() {
    assert_only_the_later_finding(&[
        (
            "html.rs",
            "fn view() -> Html { html! { <div class=\"x\"> <p>{ \"hi\" }</p> <br/> </div> } }",
        ),
        (
            "sql.rs",
            "async fn q(db: &Db) { let rows = sql!(SELECT * FROM t WHERE a = 1 AND b <> 'x';); }",
        ),
        (
            "asm.rs",
            "fn a() -> u64 { let x: u64; unsafe { asm!(\"mov {0}, 1\", out(reg) x, options(nostack)); } x }",
        ),
        (
            "matchers.rs",
            "macro_rules! weird { ($($a:tt)* ; @ $b:ident => [$($c:expr),+]) => {}; (@@ # $x:lifetime) => { $x }; () => { tokio::select! { $($t)* } }; }",
        ),
        (
            "select_in_macro_rules.rs",
            "macro_rules! race { ($($t:tt)*) => { loop { tokio::select! { $($t)* } } } }\nasync fn g(mut a: Receiver<u8>) { race!(x = a.recv() => {}) }",
        ),
        (
            "json.rs",
            "fn j() { let v = json!({ \"a\": [1, 2, { \"b\": null }], \"c\": -1.5e3, \"d\": { } }); }",
        ),
        (
            "quote.rs",
            "fn q() { let t = quote! { #(#items)* impl #name { async fn f(&self) -> #ty { #body.await } } }; }",
        ),
    ]);
}

// ---- files syn rejects ----

#[test]
fn files_the_parser_rejects_are_reported_with_its_message() {
    let dir = workdir();
    let cases = [
        (
            "keyword_name.rs",
            "fn match() {}\n",
            "1:4",
            "could not parse the file: expected identifier, found keyword `match`",
        ),
        (
            "php.rs",
            "<?php echo \"hi\"; ?>\n",
            "1:1",
            "could not parse the file: expected one of: `fn`, `extern`, `use`",
        ),
        (
            "missing_semicolon.rs",
            "fn f() {\n    let x = 1\n    let y = 2;\n}\n",
            "3:5",
            "could not parse the file: expected `;`",
        ),
        (
            "unclosed.rs",
            "async fn broken( {\n}\n",
            "1:16",
            "could not parse the file: cannot lex the file: ",
        ),
        (
            "stray_brace.rs",
            "fn f() {}\n}\n",
            "2:1",
            "could not parse this item: cannot lex the item: ",
        ),
        (
            "unterminated_string.rs",
            "fn f() { let s = \"abc; }\n",
            "1:18",
            "could not parse the file: cannot lex the file: ",
        ),
        (
            "unterminated_comment.rs",
            "fn f() {} /* never closed\n",
            "1:11",
            "could not parse the file: cannot lex the file: ",
        ),
        (
            "nul_bytes.rs",
            "fn f() {}\0\0\n",
            "1:10",
            "could not parse this item: cannot lex the item: ",
        ),
        (
            "too_many_hashes.rs",
            &format!("const S: &str = r{0}\"x\"{0};\n", "#".repeat(300)),
            "1:17",
            "could not parse the file: cannot lex the file: ",
        ),
    ];
    for (name, source, _, _) in &cases {
        fs::write(dir.path().join(name), source).unwrap();
    }
    let lines = findings(&run(dir.path(), &["."]));
    for (name, _, position, message) in &cases {
        assert_parse_error(&lines, name, position, message);
    }
    assert_relay_reported(&lines);
    assert_eq!(lines.len(), cases.len() + 1, "{lines:#?}");
}

// ---- jobs and file names ----

#[test]
fn an_absurd_job_count_is_clamped_to_the_work() {
    // One file: one thread, not 65,535 threads with a large stack each.
    let dir = workdir();
    let lines = findings(&run(dir.path(), &["-j", "65535", "relay.rs"]));
    assert_eq!(lines, [finding_line("relay.rs", RELAY)]);
}

#[cfg(unix)]
#[test]
fn file_names_that_differ_only_in_non_utf8_bytes_keep_apart() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    // Both names decode (lossily) to `a\u{fffd}.rs`; one holds the finding, one does not parse.
    let lossy = dir.path().join(OsStr::from_bytes(b"a\xff.rs"));
    let broken = dir.path().join(OsStr::from_bytes(b"a\xfe.rs"));
    if fs::write(&lossy, RELAY).is_err() {
        println!("skipped: this file system does not take non-UTF-8 names");
        return;
    }
    fs::write(&broken, "fn (\n").unwrap();
    // A workspace, so that the results cache is used as well.
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"names\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\npath = \"a.rs\"\n",
    )
    .unwrap();
    fs::write(dir.path().join("a.rs"), "").unwrap();
    let run_short = |cache: bool| {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
        command
            .current_dir(dir.path())
            .args(["--message-format", "short", "--no-deps-docs", "."]);
        if !cache {
            command.arg("--no-cache");
        }
        command.output().unwrap()
    };
    let fresh = run_short(false);
    let stdout = String::from_utf8(fresh.stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("a\\xFE.rs:1:4: error[parse_error]"),
        "{stdout}"
    );
    assert_eq!(lines[1], finding_line("a\\xFF.rs", RELAY));
    // Cached runs (the first stores, the second reuses) say the same.
    for _ in 0..2 {
        let cached = run_short(true);
        assert_eq!(cached.stdout, fresh.stdout);
        assert_eq!(cached.status.code(), fresh.status.code());
    }
}
