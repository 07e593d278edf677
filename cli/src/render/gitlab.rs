//! `--message-format gitlab`: a GitLab Code Quality report, the JSON array that a job publishes
//! with `artifacts: reports: codequality:` and that GitLab shows in the merge request:
//!
//! ```json
//! [
//!   {
//!     "type": "issue",
//!     "check_name": "cancel_check::select_arm_not_cancel_safe",
//!     "description": "`stream.read_exact(..)` is not cancel safe and is raced in `select!` (help: ...)",
//!     "categories": ["Bug Risk"],
//!     "severity": "minor",
//!     "fingerprint": "202c507f...",
//!     "location": { "path": "src/lib.rs", "lines": { "begin": 15, "end": 15 } }
//!   }
//! ]
//! ```
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity`, `location.path` and
//! `location.lines.begin` (<https://docs.gitlab.com/ci/testing/code_quality/>); `type`,
//! `categories` and `lines.end` are there for other readers of the Code Climate format, whose
//! subset this is. Severity: `major` for findings at deny level, `minor` for warnings. Paths
//! are relative to the repository root, as GitLab resolves them. The fingerprint is the SARIF
//! one: it survives unrelated edits, and it is unique per finding (GitLab keeps one finding per
//! fingerprint). An empty run is `[]`.
//!
//! These are explicit serde types for the wire format, not derived on the library's `Diagnostic`.

use std::io::{self, Write};

use cancel_check_lints::{Diagnostic, Level};
use serde::Serialize;

use crate::analyze::Analysis;
use crate::fingerprint::{fingerprints, Fingerprint, RepoRoot};

/// One finding of the report (a Code Climate "issue").
#[derive(Debug, Serialize)]
pub struct Issue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub check_name: String,
    pub description: String,
    pub categories: [&'static str; 1],
    pub severity: &'static str,
    pub fingerprint: String,
    pub location: Location,
}

#[derive(Debug, Serialize)]
pub struct Location {
    pub path: String,
    pub lines: Lines,
}

/// 1-based, `end` included.
#[derive(Debug, Serialize)]
pub struct Lines {
    pub begin: u32,
    pub end: u32,
}

pub fn render(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let root = RepoRoot::for_analysis(analysis);
    serde_json::to_writer_pretty(&mut *out, &report(analysis, &root))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The report of a run, with paths relative to `root`.
pub fn report(analysis: &Analysis, root: &RepoRoot) -> Vec<Issue> {
    analysis
        .diagnostics
        .iter()
        .zip(fingerprints(analysis, root))
        .map(|(diagnostic, fingerprint)| issue(diagnostic, &fingerprint))
        .collect()
}

/// The issue of one finding, whose fingerprint (and so repository path) is `fingerprint`.
pub fn issue(diagnostic: &Diagnostic, fingerprint: &Fingerprint) -> Issue {
    let span = &diagnostic.primary.span;
    let begin = span.line.max(1);
    let mut description = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        description.push_str(&format!(" (help: {help})"));
    }
    Issue {
        kind: "issue",
        check_name: format!("cancel_check::{}", diagnostic.lint.name),
        description,
        categories: ["Bug Risk"],
        severity: severity(diagnostic.level),
        fingerprint: fingerprint.digest(),
        location: Location {
            path: fingerprint.path.clone(),
            lines: Lines {
                begin,
                end: span.end_line.max(begin),
            },
        },
    }
}

/// GitLab's severity of a level: `major` for deny, `minor` for warn (allowed findings are not
/// reported; `info` if one were).
pub fn severity(level: Level) -> &'static str {
    match level {
        Level::Deny => "major",
        Level::Warn => "minor",
        Level::Allow => "info",
    }
}

#[cfg(test)]
mod tests {
    use cancel_check_lints::{lint_by_name, Label, Span};

    use super::*;

    fn finding(level: Level, line: u32, end_line: u32, help: Option<&str>) -> Diagnostic {
        Diagnostic {
            lint: lint_by_name("block_on_in_async").unwrap(),
            level,
            message: "`rt.block_on(..)` blocks".to_string(),
            primary: Label {
                file: "src/lib.rs".to_string(),
                span: Span {
                    line,
                    column: 3,
                    end_line,
                    end_column: 9,
                    ..Span::default()
                },
                message: String::new(),
            },
            secondary: Vec::new(),
            help: help.map(str::to_string),
            notes: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    fn fingerprint(path: &str) -> Fingerprint {
        Fingerprint {
            lint: "block_on_in_async".to_string(),
            path: path.to_string(),
            context: "00".to_string(),
            occurrence: 0,
        }
    }

    #[test]
    fn an_issue_names_the_lint_and_the_repository_path() {
        let issue = issue(
            &finding(Level::Deny, 7, 9, Some("use `.await`")),
            &fingerprint("crates/a/src/lib.rs"),
        );
        assert_eq!(
            serde_json::to_value(&issue).unwrap(),
            serde_json::json!({
                "type": "issue",
                "check_name": "cancel_check::block_on_in_async",
                "description": "`rt.block_on(..)` blocks (help: use `.await`)",
                "categories": ["Bug Risk"],
                "severity": "major",
                "fingerprint": fingerprint("crates/a/src/lib.rs").digest(),
                "location": { "path": "crates/a/src/lib.rs", "lines": { "begin": 7, "end": 9 } },
            })
        );
    }

    #[test]
    fn warnings_are_minor_and_lines_are_at_least_one() {
        let issue = issue(&finding(Level::Warn, 0, 0, None), &fingerprint("x.rs"));
        assert_eq!(issue.severity, "minor");
        assert_eq!(issue.description, "`rt.block_on(..)` blocks");
        assert_eq!(
            (issue.location.lines.begin, issue.location.lines.end),
            (1, 1)
        );
    }
}
