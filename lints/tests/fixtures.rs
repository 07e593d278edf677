//! Runs every fixture under `test-fixtures/<lint>/` and compares the findings with the inline
//! expectations (`//~ lint`, `//~^ lint`, `//~ lint: message substring`), clippy style.
//!
//! In a lint's folder, that lint's findings are compared exactly, and so are those of any other
//! lint named by a marker in the same file. A file without markers must say `//@ check-pass`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cancel_check_lints::{analyze_file, Config, Level, LINTS};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    line: u32,
    lint: String,
    substring: Option<String>,
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-fixtures")
}

/// Parses the `//~` markers of a file.
fn expectations(text: &str) -> Vec<Expectation> {
    let mut expected = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some(at) = line.find("//~") else { continue };
        let rest = &line[at + 3..];
        let carets = rest.chars().take_while(|c| *c == '^').count();
        let rest = rest[carets..].trim();
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

fn check_file(folder_lint: &str, path: &Path, label: &str, failures: &mut String) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let expected = expectations(&text);
    if expected.is_empty() && !text.contains("//@ check-pass") {
        writeln!(
            failures,
            "{label}: no `//~` markers and no `//@ check-pass`: say which it is"
        )
        .unwrap();
    }
    let compared: BTreeSet<&str> = std::iter::once(folder_lint)
        .chain(expected.iter().map(|e| e.lint.as_str()))
        .collect();
    for lint in &compared {
        if cancel_check_lints::lint_by_name(lint).is_none() {
            writeln!(failures, "{label}: marker names unknown lint `{lint}`").unwrap();
        }
    }
    let diagnostics = analyze_file(label, &text, &all_lints_config());
    let found: Vec<_> = diagnostics
        .iter()
        .filter(|d| compared.contains(d.lint.name) && d.primary.file == label)
        .collect();
    let found_keys: BTreeSet<(u32, &str)> = found
        .iter()
        .map(|d| (d.primary.span.line, d.lint.name))
        .collect();
    let expected_keys: BTreeSet<(u32, &str)> =
        expected.iter().map(|e| (e.line, e.lint.as_str())).collect();
    for d in &found {
        if !expected_keys.contains(&(d.primary.span.line, d.lint.name)) {
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
    for e in &expected {
        if !found_keys.contains(&(e.line, e.lint.as_str())) {
            writeln!(
                failures,
                "{label}:{}: expected `{}`, but nothing was reported on that line",
                e.line, e.lint
            )
            .unwrap();
            continue;
        }
        if let Some(substring) = &e.substring {
            let matched = found.iter().any(|d| {
                d.primary.span.line == e.line
                    && d.lint.name == e.lint
                    && d.message.contains(substring.as_str())
            });
            if !matched {
                writeln!(
                    failures,
                    "{label}:{}: `{}` message does not contain {substring:?}",
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
    let mut failures = String::new();
    let mut files = 0;
    for lint in LINTS {
        let folder = root.join(lint.name);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .collect();
        paths.sort();
        for path in paths {
            let label = format!(
                "test-fixtures/{}/{}",
                lint.name,
                path.file_name().unwrap().to_string_lossy()
            );
            check_file(lint.name, &path, &label, &mut failures);
            files += 1;
        }
    }
    assert!(files > 0, "no fixture files found under {}", root.display());
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
}
