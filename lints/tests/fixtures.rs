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
//! Every suggestion a fixture's findings carry is applied on its own: the file must still parse
//! and have one finding of that lint fewer, and a machine-applicable one must leave the other
//! lints' findings as they were. A fixture `X.rs` with an `X.rs.fixed` next to it is also
//! fixed as `--fix --unsafe-fixes` does (every suggestion, in rounds until none is left), and
//! the result compared with that file (`UPDATE_EXPECT=1` rewrites it).
//!
//! `FIXTURE=<substring> cargo test -p cancel-check-lints --test fixtures` runs only the fixtures
//! whose path contains the substring (`FIXTURE=select_timer_reset/basic`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cancel_check_lints::fix::{apply, parses};
use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    analyze_files, module_path, Applicability, Config, Diagnostic, Level, SourceInput, LINTS,
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

/// The analysis inputs of a fixture's files, as they are on disk.
fn fixture_inputs(fixture: &Fixture) -> Vec<SourceInput> {
    let mut inputs = Vec::new();
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
            text,
            crate_name,
            module,
        });
    }
    inputs
}

fn check_fixture(folder_lint: &str, fixture: &Fixture, failures: &mut String) {
    let inputs = fixture_inputs(fixture);
    let texts: Vec<String> = inputs.iter().map(|input| input.text.clone()).collect();
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

/// Every fixture, with the lint of its folder, in a stable order; only those whose path holds
/// `FIXTURE` when it is set.
fn all_fixtures() -> Vec<(&'static str, PathBuf, Fixture)> {
    let root = fixtures_root();
    let only = std::env::var("FIXTURE").ok();
    let mut fixtures = Vec::new();
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
            fixtures.push((lint.name, path, fixture));
        }
    }
    assert!(
        !fixtures.is_empty(),
        "no fixtures found under {} (FIXTURE={only:?})",
        root.display()
    );
    fixtures
}

#[test]
fn fixtures_match_their_inline_expectations() {
    let mut failures = String::new();
    for (lint, _, fixture) in all_fixtures() {
        check_fixture(lint, &fixture, &mut failures);
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
}

/// How many findings of each lint each file has.
fn counts(diagnostics: &[Diagnostic]) -> BTreeMap<(String, &'static str), usize> {
    let mut counts = BTreeMap::new();
    for d in diagnostics {
        *counts
            .entry((d.primary.file.clone(), d.lint.name))
            .or_default() += 1;
    }
    counts
}

/// Applies every suggestion of the fixture's findings, in rounds as `--fix --unsafe-fixes`
/// does, and gives the final texts.
fn fix_all(mut inputs: Vec<SourceInput>) -> Vec<SourceInput> {
    for _ in 0..10 {
        let diagnostics = analyze_files(&inputs, &all_lints_config(), Knowledge::builtin());
        let mut changed = false;
        for input in &mut inputs {
            let suggestions: Vec<_> = diagnostics
                .iter()
                .filter(|d| d.primary.file == input.path)
                .flat_map(|d| &d.suggestions)
                .collect();
            if suggestions.is_empty() {
                continue;
            }
            let applied = apply(&input.text, &suggestions);
            if applied.applied > 0 {
                input.text = applied.text;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    inputs
}

fn check_fixes(fixture: &Fixture, failures: &mut String) {
    let inputs = fixture_inputs(fixture);
    let diagnostics = analyze_files(&inputs, &all_lints_config(), Knowledge::builtin());
    let before = counts(&diagnostics);
    for d in &diagnostics {
        for suggestion in &d.suggestions {
            let place = format!(
                "{}:{}: `{}` suggestion {:?}",
                d.primary.file, d.primary.span.line, d.lint.name, suggestion.message
            );
            // Editors offer a fix where one of its edits touches the finding.
            let touches = suggestion.edits.iter().any(|edit| {
                edit.span.start <= d.primary.span.end && d.primary.span.start <= edit.span.end
            });
            if !touches {
                writeln!(
                    failures,
                    "{place}: no edit touches the finding's primary span"
                )
                .unwrap();
            }
            let mut changed = inputs.clone();
            let input = changed
                .iter_mut()
                .find(|input| input.path == d.primary.file)
                .unwrap();
            let applied = apply(&input.text, &[suggestion]);
            if applied.applied != 1 {
                writeln!(failures, "{place}: does not apply").unwrap();
                continue;
            }
            input.text = applied.text;
            if !parses(&input.text) {
                writeln!(
                    failures,
                    "{place}: the result does not parse:\n{}",
                    input.text
                )
                .unwrap();
                continue;
            }
            let after = counts(&analyze_files(
                &changed,
                &all_lints_config(),
                Knowledge::builtin(),
            ));
            let key = (d.primary.file.clone(), d.lint.name);
            let (was, is) = (
                before.get(&key).copied().unwrap_or(0),
                after.get(&key).copied().unwrap_or(0),
            );
            if is >= was {
                writeln!(
                    failures,
                    "{place}: the finding is still there ({was} before, {is} after)"
                )
                .unwrap();
            }
            if suggestion.applicability == Applicability::MachineApplicable {
                let others = |counts: &BTreeMap<(String, &'static str), usize>| -> Vec<_> {
                    counts
                        .iter()
                        .filter(|((_, lint), _)| *lint != d.lint.name)
                        .map(|(key, count)| (key.clone(), *count))
                        .collect()
                };
                if others(&before) != others(&after) {
                    writeln!(
                        failures,
                        "{place}: machine applicable, but other findings changed"
                    )
                    .unwrap();
                }
            }
        }
    }
    for (input, (_, path)) in fix_all(inputs).iter().zip(&fixture.files) {
        let expected = path.with_extension("rs.fixed");
        if std::env::var_os("UPDATE_EXPECT").is_some() && expected.exists() {
            std::fs::write(&expected, &input.text).unwrap();
            continue;
        }
        if let Ok(wanted) = std::fs::read_to_string(&expected) {
            if wanted != input.text {
                writeln!(
                    failures,
                    "{}: fixing gives another text than {} (UPDATE_EXPECT=1 rewrites it):\n{}",
                    input.path,
                    expected.display(),
                    input.text
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn suggestions_parse_remove_their_finding_and_match_the_fixed_files() {
    let mut failures = String::new();
    let mut fixed_files = 0;
    for (_, path, fixture) in all_fixtures() {
        check_fixes(&fixture, &mut failures);
        fixed_files += fixture
            .files
            .iter()
            .filter(|(_, file)| file.with_extension("rs.fixed").exists())
            .count();
        let _ = path;
    }
    assert!(failures.is_empty(), "suggestion problems:\n{failures}");
    if std::env::var_os("FIXTURE").is_none() {
        assert!(fixed_files >= 4, "only {fixed_files} `.rs.fixed` files");
    }
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
