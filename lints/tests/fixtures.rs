//! Runs every fixture under `test-fixtures/<lint>/` and compares the findings with the inline
//! expectations (`//~ lint`, `//~^ lint`, `//~ lint: message substring`), clippy style.
//!
//! In a lint's folder, that lint's findings are compared exactly, and so are those of any other
//! lint named by a marker in the same file. A file without markers must say `//@ check-pass`.
//! Findings are counted: two findings of one lint on one line need two markers (two `//~` on the
//! line, or a `//~` and a `//~^` below it).
//!
//! A folder is one crate, its files' modules taken from their paths in it; a folder with a
//! `crates/` folder is a workspace of the crates in it (`crates/<name>/lib.rs`).
//!
//! `FIXTURE=<substring> cargo test -p cancel-check-lints --test fixtures` runs only the fixtures
//! whose path contains the substring (`FIXTURE=select_timer_reset/basic`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    analyze_files, module_path, Config, Diagnostic, Level, SourceInput, LINTS,
};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    line: u32,
    lint: String,
    substring: Option<String>,
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-fixtures")
}

/// Parses the `//~` markers of a file (a line may hold several).
fn expectations(text: &str) -> Vec<Expectation> {
    let mut expected = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for marker in line.split("//~").skip(1) {
            let carets = marker.chars().take_while(|c| *c == '^').count();
            let rest = marker[carets..].trim();
            let (lint, substring) = match rest.split_once(':') {
                Some((lint, substring)) => (lint.trim(), Some(substring.trim().to_string())),
                None => (rest, None),
            };
            expected.push(Expectation {
                line: (index + 1 - carets) as u32,
                lint: lint.to_string(),
                substring,
            });
        }
    }
    expected
}

/// Every lint enabled at warn level, so allow-by-default lints are tested too.
pub fn all_lints_config() -> Config {
    let mut config = Config::default();
    for lint in LINTS {
        if lint.default_level == Level::Allow {
            config.set_level(lint, Level::Warn);
        }
    }
    config
}

/// A fixture: one file analysed alone, or a folder analysed as one crate.
struct Fixture {
    /// (label, path on disk) of every file.
    files: Vec<(String, PathBuf)>,
    crate_name: String,
    /// The folder of a crate fixture (its files' modules are relative to it).
    root: Option<PathBuf>,
    /// A workspace fixture (`<folder>/crates/<name>/..`): each file's crate and module come from
    /// its crate folder instead.
    workspace: bool,
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|entry| entry.into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

fn check_fixture(folder_lint: &str, fixture: &Fixture, failures: &mut String) {
    let mut inputs = Vec::new();
    let mut texts = Vec::new();
    for (label, path) in &fixture.files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let (crate_name, module) = match &fixture.root {
            Some(root) if fixture.workspace => {
                // crates/<name>/<module path>
                let relative = path.strip_prefix(root.join("crates")).unwrap();
                let mut parts = relative.components();
                let name = parts
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy()
                    .replace('-', "_");
                let rest: PathBuf = parts.collect();
                (name, module_path(&rest.to_string_lossy()))
            }
            Some(root) => (
                fixture.crate_name.clone(),
                module_path(&path.strip_prefix(root).unwrap().to_string_lossy()),
            ),
            None => (fixture.crate_name.clone(), Vec::new()),
        };
        inputs.push(SourceInput {
            path: label.clone(),
            text: text.clone(),
            crate_name,
            module,
        });
        texts.push(text);
    }
    let diagnostics = analyze_files(&inputs, &all_lints_config(), Knowledge::builtin());
    let any_marker = texts.iter().any(|text| !expectations(text).is_empty());
    let any_pass = texts.iter().any(|text| text.contains("//@ check-pass"));
    if !any_marker && !any_pass {
        let label = fixture.root.as_ref().map_or_else(
            || fixture.files[0].0.clone(),
            |root| root.display().to_string(),
        );
        writeln!(
            failures,
            "{label}: no `//~` markers and no `//@ check-pass`: say which it is"
        )
        .unwrap();
    }
    for ((label, _), text) in fixture.files.iter().zip(&texts) {
        compare(folder_lint, label, text, &diagnostics, failures);
    }
}

fn compare(
    folder_lint: &str,
    label: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    failures: &mut String,
) {
    let expected = expectations(text);
    let compared: BTreeSet<&str> = std::iter::once(folder_lint)
        .chain(expected.iter().map(|e| e.lint.as_str()))
        .collect();
    for lint in &compared {
        if cancel_check_lints::lint_by_name(lint).is_none() {
            writeln!(failures, "{label}: marker names unknown lint `{lint}`").unwrap();
        }
    }
    let found: Vec<_> = diagnostics
        .iter()
        .filter(|d| compared.contains(d.lint.name) && d.primary.file == label)
        .collect();
    let mut found_counts: BTreeMap<(u32, &str), usize> = BTreeMap::new();
    for d in &found {
        *found_counts
            .entry((d.primary.span.line, d.lint.name))
            .or_default() += 1;
    }
    let mut expected_counts: BTreeMap<(u32, &str), usize> = BTreeMap::new();
    for e in &expected {
        *expected_counts
            .entry((e.line, e.lint.as_str()))
            .or_default() += 1;
    }
    for (&(line, lint), &count) in &found_counts {
        let wanted = expected_counts.get(&(line, lint)).copied().unwrap_or(0);
        if count <= wanted {
            continue;
        }
        for d in found
            .iter()
            .filter(|d| d.primary.span.line == line && d.lint.name == lint)
            .skip(wanted)
        {
            writeln!(
                failures,
                "{label}:{}:{}: unexpected `{}`: {}\n    add `//~ {}` to line {} if this is right",
                d.primary.span.line,
                d.primary.span.column,
                d.lint.name,
                d.message,
                d.lint.name,
                d.primary.span.line
            )
            .unwrap();
        }
    }
    for (&(line, lint), &wanted) in &expected_counts {
        let count = found_counts.get(&(line, lint)).copied().unwrap_or(0);
        if count < wanted {
            writeln!(
                failures,
                "{label}:{line}: expected {wanted} `{lint}`, but {count} reported on that line"
            )
            .unwrap();
        }
    }
    for e in &expected {
        if let Some(substring) = &e.substring {
            let matched = found.iter().any(|d| {
                d.primary.span.line == e.line
                    && d.lint.name == e.lint
                    && d.message.contains(substring.as_str())
            });
            if !matched {
                writeln!(
                    failures,
                    "{label}:{}: no `{}` message contains {substring:?}",
                    e.line, e.lint
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn fixtures_match_their_inline_expectations() {
    let root = fixtures_root();
    let only = std::env::var("FIXTURE").ok();
    let mut failures = String::new();
    let mut count = 0;
    for lint in LINTS {
        let folder = root.join(lint.name);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let fixture = if path.is_dir() {
                let files = rust_files(&path)
                    .into_iter()
                    .map(|file| {
                        let relative = file
                            .strip_prefix(&root)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/");
                        (format!("test-fixtures/{relative}"), file)
                    })
                    .collect();
                Fixture {
                    files,
                    crate_name: name.replace('-', "_"),
                    root: Some(path.clone()),
                    workspace: path.join("crates").is_dir(),
                }
            } else if name.ends_with(".rs") {
                Fixture {
                    files: vec![(format!("test-fixtures/{}/{name}", lint.name), path.clone())],
                    crate_name: "crate".to_string(),
                    root: None,
                    workspace: false,
                }
            } else {
                continue;
            };
            if let Some(only) = &only {
                if !path.to_string_lossy().contains(only.as_str()) {
                    continue;
                }
                eprintln!("fixture {}", path.display());
            }
            check_fixture(lint.name, &fixture, &mut failures);
            count += 1;
        }
    }
    assert!(
        count > 0,
        "no fixtures found under {} (FIXTURE={only:?})",
        root.display()
    );
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
}

#[test]
fn markers_are_parsed() {
    let text = "a //~ select_arm_not_cancel_safe\nb\n//~^ timeout_not_cancel_safe: lost bytes\n";
    let parsed = expectations(text);
    assert_eq!(parsed.len(), 2);
    assert_eq!(
        (parsed[0].line, parsed[0].lint.as_str()),
        (1, "select_arm_not_cancel_safe")
    );
    assert_eq!(
        (parsed[1].line, parsed[1].lint.as_str()),
        (2, "timeout_not_cancel_safe")
    );
    assert_eq!(parsed[1].substring.as_deref(), Some("lost bytes"));
    let twice = expectations("x //~ futurelock //~ futurelock: waits\n");
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[1].substring.as_deref(), Some("waits"));
}
