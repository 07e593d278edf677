//! Mining the `# Cancel safety` docs of dependencies, end to end, on
//! `test-fixtures/projects/with-dep`: a workspace whose member `app` races methods of its path
//! dependency `fixture-dep`, which nothing but its own docs describes.
//!
//! Every test works on a copy of the project in a temporary folder, so the cache the tool writes
//! under the target directory never lands in the repository.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const SELECT_LINT: &str = "select_arm_not_cancel_safe";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("test-fixtures/projects/with-dep")
}

/// A copy of the fixture project (without any `target/`).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The tool, run in `dir` with colors off.
fn tool(dir: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"));
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["--color", "never"]);
    command
}

/// A run on the whole workspace through `--manifest-path`: (exit code, stdout, stderr).
fn run(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let manifest = dir.join("Cargo.toml");
    let output = tool(dir)
        .args(["--manifest-path", manifest.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The 1-based line of `app/src/lib.rs` that contains `needle`.
fn app_line(needle: &str) -> usize {
    let text = fs::read_to_string(fixture().join("app/src/lib.rs")).unwrap();
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle in fixture")
        + 1
}

fn recv_packet_line() -> usize {
    app_line("wire.recv_packet()")
}

fn read_line_line() -> usize {
    app_line("lines.read_line(&mut buf)")
}

/// The lines of short output that report `line` of `app/src/lib.rs`.
fn findings_at(stdout: &str, line: usize) -> Vec<&str> {
    let prefix = format!("app/src/lib.rs:{line}:");
    stdout
        .lines()
        .filter(|finding| finding.starts_with(&prefix))
        .collect()
}

/// The cache files under the project's target directory.
fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir.join("target/cancel-check/deps")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn a_method_documented_as_not_cancel_safe_is_reported() {
    let dir = project();
    let (code, stdout, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    assert!(
        stdout.contains(&format!("app/src/lib.rs:{}:", recv_packet_line())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("warning[{SELECT_LINT}]")),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "`fixture_dep::Wire::recv_packet` is not cancel safe: dropped midway, it loses its \
             progress (documented as not cancel safe) (source: mined from fixture-dep 0.1.0 \
             src/lib.rs:"
        ),
        "{stdout}"
    );
    // `Lines::read_line` is documented as cancel safe: only the one finding.
    assert!(
        stdout.ends_with("1 warning, 0 errors in 1 file\n"),
        "{stdout}"
    );
}

#[test]
fn without_dependency_docs_only_the_built_in_knowledge_is_used() {
    let dir = project();
    let (_, stdout, stderr) = run(dir.path(), &["--format", "short", "--no-deps-docs"]);
    assert_eq!(stderr, "");
    // Nothing is known about `recv_packet` any more.
    assert!(
        findings_at(&stdout, recv_packet_line()).is_empty(),
        "{stdout}"
    );
    // `read_line(&mut buf)` now reads as tokio's, which is not cancel safe: the mined docs were
    // what made it safe.
    let read_line = findings_at(&stdout, read_line_line());
    assert_eq!(read_line.len(), 1, "{stdout}");
    assert!(read_line[0].contains(SELECT_LINT), "{stdout}");
    // And nothing was mined, so nothing was cached.
    assert!(cache_files(dir.path()).is_empty());
}

#[test]
fn with_dependency_docs_the_documented_safe_method_is_not_reported() {
    let dir = project();
    let (_, stdout, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!(
        findings_at(&stdout, recv_packet_line()).len(),
        1,
        "{stdout}"
    );
    assert!(
        findings_at(&stdout, read_line_line()).is_empty(),
        "{stdout}"
    );
}

#[test]
fn mined_docs_are_cached_under_the_target_dir_and_reused() {
    let dir = project();
    let (_, first, _) = run(dir.path(), &["--format", "short"]);
    let files = cache_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("fixture-dep-0.1.0-") && name.ends_with(".json"),
        "{name}"
    );
    let cache = fs::read_to_string(&files[0]).unwrap();
    assert!(
        cache.contains("\"path\": \"fixture_dep::Wire::recv_packet\""),
        "{cache}"
    );
    let written = fs::metadata(&files[0]).unwrap().modified().unwrap();

    // A second run reads the cache: same output, file untouched.
    let (_, second, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!(first, second);
    assert_eq!(
        fs::metadata(&files[0]).unwrap().modified().unwrap(),
        written
    );

    // What the cache says is what the run uses.
    fs::write(&files[0], cache.replace("\"data_loss\"", "\"safe\"")).unwrap();
    let (code, stdout, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    // Editing the path dependency's sources makes the cache stale.
    let lib = dir.path().join("fixture-dep/src/lib.rs");
    let source = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, format!("{source}\n// edited\n")).unwrap();
    let (_, third, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!(first, third);
}

const GRAPH_FROM_CACHE: &str = "info: dependency docs: the dependency graph from the cache (Cargo.lock and the manifests are unchanged)\n";
const GRAPH_FROM_CARGO: &str =
    "info: dependency docs: the dependency graph from `cargo metadata`\n";

/// The cached dependency graphs under the project's target directory.
fn graph_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir.join("target/cancel-check/graphs")) else {
        return Vec::new();
    };
    entries.map(|entry| entry.unwrap().path()).collect()
}

#[test]
fn the_dependency_graph_is_cached_until_the_lock_file_or_a_manifest_changes() {
    let dir = project();
    let (_, first, stderr) = run(dir.path(), &["--format", "short", "-v"]);
    assert!(stderr.contains(GRAPH_FROM_CARGO), "{stderr}");
    assert_eq!(graph_files(dir.path()).len(), 1);
    let (_, second, stderr) = run(dir.path(), &["--format", "short", "-v"]);
    assert!(stderr.contains(GRAPH_FROM_CACHE), "{stderr}");
    assert_eq!(first, second);
    for changed in ["Cargo.lock", "Cargo.toml", "app/Cargo.toml"] {
        let path = dir.path().join(changed);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("{text}\n# edited\n")).unwrap();
        let (_, again, stderr) = run(dir.path(), &["--format", "short", "-v"]);
        assert!(stderr.contains(GRAPH_FROM_CARGO), "{changed}: {stderr}");
        assert_eq!(again, first, "{changed}");
        let (_, _, stderr) = run(dir.path(), &["--format", "short", "-v"]);
        assert!(stderr.contains(GRAPH_FROM_CACHE), "{changed}: {stderr}");
    }
}

#[test]
fn a_forged_dependency_graph_cannot_make_the_tool_read_outside_the_caches_and_the_workspace() {
    let dir = project();
    run(dir.path(), &["--format", "short"]);
    let elsewhere = tempfile::tempdir().unwrap();
    copy_dir(&dir.path().join("fixture-dep"), elsewhere.path());
    // The path dependency moved elsewhere, and its manifest left out of the checked inputs, as
    // a consistent forgery would have it.
    let graph = &graph_files(dir.path())[0];
    let mut cached: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(graph).unwrap()).unwrap();
    let manifest = dir.path().join("fixture-dep/Cargo.toml");
    let moved = elsewhere.path().join("Cargo.toml");
    for package in cached["graph"]["packages"].as_array_mut().unwrap() {
        if package["manifest_path"] == manifest.to_str().unwrap() {
            package["manifest_path"] = moved.to_str().unwrap().into();
        }
    }
    cached["inputs"]
        .as_array_mut()
        .unwrap()
        .retain(|input| input[0] != manifest.to_str().unwrap());
    fs::write(graph, serde_json::to_string(&cached).unwrap()).unwrap();
    let (_, _, stderr) = run(dir.path(), &["--format", "short", "-v", "--no-cache"]);
    assert!(stderr.contains(GRAPH_FROM_CARGO), "--no-cache: {stderr}");
    let (_, _, stderr) = run(dir.path(), &["--format", "short", "-v"]);
    assert!(stderr.contains(GRAPH_FROM_CACHE), "{stderr}");
    assert!(
        stderr.contains(
            "info: dependency docs: fixture-dep 0.1.0: not read (its sources are outside cargo's caches and the workspace)"
        ),
        "{stderr}"
    );
}

#[test]
fn no_cache_neither_reads_nor_writes_the_dependency_docs_cache() {
    let dir = project();
    let (_, fresh, _) = run(dir.path(), &["--format", "short", "--no-cache"]);
    assert!(
        cache_files(dir.path()).is_empty(),
        "nothing written: {:?}",
        cache_files(dir.path())
    );
    assert!(!dir.path().join("target/cancel-check").exists());

    // A forged cache entry (it says the method is safe) is used by a cached run...
    let (_, cached, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!(cached, fresh);
    let files = cache_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let cache = fs::read_to_string(&files[0]).unwrap();
    fs::write(&files[0], cache.replace("\"data_loss\"", "\"safe\"")).unwrap();
    let (code, forged, _) = run(dir.path(), &["--format", "short"]);
    assert_eq!((code, forged.as_str()), (0, ""));
    // ...and ignored with `--no-cache`.
    let (code, stdout, _) = run(dir.path(), &["--format", "short", "--no-cache"]);
    assert_eq!((code, stdout), (1, fresh));
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_dependency_docs_cache_file_is_not_read() {
    let dir = project();
    let (_, fresh, _) = run(dir.path(), &["--format", "short"]);
    let files = cache_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    fs::remove_file(&files[0]).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&files[0])
        .status()
        .unwrap();
    assert!(status.success());
    // A run does not block on it (the test would hang) and mines afresh.
    let (_, stdout, stderr) = run(dir.path(), &["--format", "short"]);
    assert_eq!(stdout, fresh, "{stderr}");
    assert!(
        fs::symlink_metadata(&files[0]).unwrap().is_file(),
        "replaced by a file"
    );
}

#[test]
fn a_cache_that_cannot_be_written_is_a_warning() {
    let dir = project();
    // A file where the target directory should be.
    fs::write(dir.path().join("target"), "not a folder").unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["--format", "short"]);
    assert_eq!(code, 1, "{stderr}");
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].starts_with("warning: dependency docs not cached: could not write `"),
        "{stderr}"
    );
    // Nor can the results be cached; the run goes on all the same.
    assert!(
        warnings[1].starts_with("warning: could not write the cache `"),
        "{stderr}"
    );
    // The docs were still mined and used.
    assert_eq!(
        findings_at(&stdout, recv_packet_line()).len(),
        1,
        "{stdout}"
    );
}

/// The note a run without a usable Cargo.lock gives, once.
const NO_LOCK_FILE_NOTE: &str = "note: dependency docs not mined: Cargo.lock is missing or out \
    of date, and cancel-check does not write it; run `cargo fetch` (it writes Cargo.lock and \
    downloads the dependencies), or pass `--no-deps-docs` to skip mining\n";

#[test]
fn without_a_lock_file_dependency_docs_are_skipped_with_one_note_that_says_what_to_do() {
    let dir = project();
    fs::remove_file(dir.path().join("Cargo.lock")).unwrap();
    let (_, stdout, stderr) = run(dir.path(), &["--format", "short", "--no-cache"]);
    assert_eq!(stderr, NO_LOCK_FILE_NOTE);
    // The run goes on with the built-in knowledge, and writes nothing into the project.
    assert_eq!(findings_at(&stdout, read_line_line()).len(), 1, "{stdout}");
    assert!(!dir.path().join("Cargo.lock").exists());
    assert!(!dir.path().join("target").exists());
}

#[test]
fn a_path_inside_a_package_gets_its_dependency_docs() {
    let dir = project();
    let output = tool(&dir.path().join("app"))
        .args(["--format", "short", "src/lib.rs"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let prefix = format!("src/lib.rs:{}:", recv_packet_line());
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with(&prefix), "{stdout}");
}

// ---- `api` ----

#[test]
fn api_names_mined_knowledge() {
    let dir = project();
    tool(dir.path())
        .args(["api", "recv_packet"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "fixture_dep::Wire::recv_packet\n",
        ))
        .stdout(predicate::str::contains("  verdict:  data_loss"))
        .stdout(predicate::str::contains(
            "  source:   mined from fixture-dep 0.1.0: src/lib.rs:",
        ))
        .stdout(predicate::str::contains(
            "\"This method is not cancel safe: a partly received packet is lost.\"",
        ));
    // `--manifest-path` from elsewhere, after or before the subcommand.
    let manifest = dir.path().join("Cargo.toml");
    let manifest = manifest.to_str().unwrap();
    for args in [
        ["api", "Wire::recv_packet", "--manifest-path", manifest],
        ["--manifest-path", manifest, "api", "Wire::recv_packet"],
    ] {
        tool(&std::env::temp_dir())
            .args(args)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("mined from fixture-dep 0.1.0"));
    }
}

#[test]
fn api_lists_every_entry_of_a_method_name() {
    let dir = project();
    let output = tool(dir.path())
        .args(["api", "read_line"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.contains("tokio::io::AsyncBufReadExt::read_line\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fixture_dep::Lines::read_line\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  verdict:  safe (cancel safe)"),
        "{stdout}"
    );
}

#[test]
fn api_names_built_in_knowledge_and_its_source() {
    let dir = project();
    for query in [
        "read_exact",
        "AsyncReadExt::read_exact",
        "tokio::io::AsyncReadExt::read_exact",
    ] {
        tool(dir.path())
            .args(["api", query])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(
                "tokio::io::AsyncReadExt::read_exact\n",
            ))
            .stdout(predicate::str::contains(
                "  source:   built-in (lints/src/knowledge/apis.toml): tokio 1.54.1 \
                 src/io/util/async_read_ext.rs:",
            ));
    }
}

#[test]
fn api_of_something_unknown_exits_1() {
    let dir = project();
    tool(dir.path())
        .args(["api", "no_such_thing"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("no knowledge about `no_such_thing`\n");
    // Without the mined docs, `recv_packet` is unknown.
    tool(dir.path())
        .args(["api", "recv_packet", "--no-deps-docs"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no knowledge about `recv_packet`"));
}

#[test]
fn api_with_a_missing_manifest_exits_2() {
    tool(&std::env::temp_dir())
        .args([
            "api",
            "read_exact",
            "--manifest-path",
            "/no/such/Cargo.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn verbose_says_what_each_dependency_gave_and_whether_from_the_cache() {
    let dir = project();
    let (_, first, stderr) = run(dir.path(), &["--format", "short", "-v"]);
    let mined: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("info: dependency docs"))
        .collect();
    assert_eq!(
        mined[..3],
        [
            "info: dependency docs: fixture-dep 0.1.0: 2 entries",
            "info: dependency docs: the dependency graph from `cargo metadata`",
            "info: dependency docs: 2 entries from 1 package (1 mined, 0 from the cache)",
        ],
        "{stderr}"
    );
    let (_, second, stderr) = run(dir.path(), &["--format", "short", "-v"]);
    assert!(
        stderr.contains("info: dependency docs: fixture-dep 0.1.0: 2 entries (from the cache)\n"),
        "{stderr}"
    );
    assert!(stderr.contains(GRAPH_FROM_CACHE), "{stderr}");
    assert_eq!(first, second);
    // Without `-v`, not a word.
    let (_, _, stderr) = run(dir.path(), &["--format", "short"]);
    assert_eq!(stderr, "");
}

// ---- the note when the docs cannot be mined ----

/// A crate whose lock file names a Windows-only dependency that no cargo cache on this machine
/// has: offline, `cargo metadata` fails for it on every platform. This is what happens to
/// mini-redis (tokio 1.8 needs `ntapi` through `mio` 0.7 on Windows) on a Linux machine that has
/// only ever built it there.
fn crate_with_an_uncached_dependency() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [target.'cfg(windows)'.dependencies]\ncancel-check-uncached-fixture = \"1\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"cancel-check-uncached-fixture\"\nversion = \"1.0.0\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
         checksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n\n\
         [[package]]\nname = \"sample\"\nversion = \"0.1.0\"\ndependencies = [\n \"cancel-check-uncached-fixture\",\n]\n",
    )
    .unwrap();
    fs::write(dir.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    dir
}

#[test]
fn a_locked_dependency_missing_from_cargo_s_cache_gets_one_note_that_says_run_cargo_fetch() {
    let dir = crate_with_an_uncached_dependency();
    let (code, stdout, stderr) = run(dir.path(), &["--format", "short"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(
        stderr,
        "note: dependency docs not mined: `cargo metadata --offline` failed: no matching package \
         named `cancel-check-uncached-fixture` found; a locked dependency is missing from cargo's \
         cache (often one for another platform): run `cargo fetch` to download it, or pass \
         `--no-deps-docs` to skip mining\n"
    );
    // `--no-deps-docs` is the other way out: no note at all.
    let (_, _, stderr) = run(dir.path(), &["--format", "short", "--no-deps-docs"]);
    assert_eq!(stderr, "");
}

/// The project without its lock file, so that the docs cannot be mined.
fn project_without_lock_file() -> tempfile::TempDir {
    let dir = project();
    fs::remove_file(dir.path().join("Cargo.lock")).unwrap();
    dir
}

#[test]
fn the_note_is_on_stderr_once_and_never_on_stdout_of_human_short_json_and_gitlab() {
    let dir = project_without_lock_file();
    for format in ["human", "short", "json", "gitlab"] {
        let (code, stdout, stderr) = run(dir.path(), &["--format", format, "--no-cache"]);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert_eq!(stderr, NO_LOCK_FILE_NOTE, "{format}");
        assert!(!stdout.contains("dependency docs"), "{format}: {stdout}");
        if format == "json" {
            // Only cargo's messages: rust-analyzer drops a message without a primary span, and
            // cargo's own notes go to stderr too.
            for line in stdout.lines() {
                match serde_json::from_str::<cargo_metadata::Message>(line).unwrap() {
                    cargo_metadata::Message::CompilerMessage(message) => {
                        assert!(!message.message.spans.is_empty(), "{line}");
                    }
                    cargo_metadata::Message::BuildFinished(_) => {}
                    other => panic!("unexpected message {other:?}"),
                }
            }
        }
    }
}

#[test]
fn sarif_carries_the_note_as_a_tool_execution_notification() {
    let dir = project_without_lock_file();
    let (code, stdout, stderr) = run(dir.path(), &["--format", "sarif", "--no-cache"]);
    assert_eq!(code, 1, "{stderr}");
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let message = NO_LOCK_FILE_NOTE.strip_prefix("note: ").unwrap().trim_end();
    assert_eq!(
        invocation["toolExecutionNotifications"],
        serde_json::json!([{
            "level": "note",
            "message": { "text": message },
            "descriptor": { "id": "dependency-docs-not-mined" },
        }])
    );
    // The log usually goes to a file: the note is on stderr as well, for the job's log.
    assert_eq!(stderr, NO_LOCK_FILE_NOTE);
    // `-q` keeps the report whole and stderr empty.
    let (_, quiet, stderr) = run(dir.path(), &["--format", "sarif", "--no-cache", "-q"]);
    assert_eq!(quiet, stdout);
    assert_eq!(stderr, "");
}

#[test]
fn github_shows_the_note_as_a_notice_in_the_log_instead_of_stderr() {
    let dir = project_without_lock_file();
    let (code, stdout, stderr) = run(dir.path(), &["--format", "github", "--no-cache"]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::notice title=cancel-check::dependency docs not mined: Cargo.lock is missing or out of \
         date, and cancel-check does not write it; run `cargo fetch` (it writes Cargo.lock and \
         downloads the dependencies), or pass `--no-deps-docs` to skip mining"
    );
    assert!(
        lines[1..].iter().all(|line| line.starts_with("::warning ")),
        "{stdout}"
    );
    let (_, stdout, _) = run(dir.path(), &["--format", "github", "--no-cache", "-q"]);
    assert!(!stdout.contains("::notice"), "{stdout}");
}

#[test]
fn quiet_runs_show_no_note() {
    let dir = project_without_lock_file();
    let (code, _, stderr) = run(dir.path(), &["--format", "short", "--no-cache", "-q"]);
    assert_eq!((code, stderr.as_str()), (1, ""));
}
