//! `--statistics`: how many findings each lint has, instead of the findings, as ruff's
//! `--statistics`. One row per lint and level, most findings first:
//!
//! ```text
//! 3  select_arm_not_cancel_safe  warning
//! 1  parse_error                 error
//! ```
//!
//! `human` adds the summary line (not with `-q`), `short` is the table alone, and `json` is one
//! JSON array instead (`[{"code": "cancel_check::parse_error", "name": "parse_error", "level":
//! "error", "count": 1}]`, ruff's fields). SARIF, GitHub and GitLab reports are made of findings:
//! `--statistics` is refused with them before anything runs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use cancel_check_lints::{Diagnostic, Level};
use serde::Serialize;

use super::{human, Output};
use crate::analyze::Analysis;
use crate::args::MessageFormat;

/// One row: a lint at one level, and how many findings it has.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The JSON code, `cancel_check::<lint>`.
    pub code: String,
    pub name: &'static str,
    pub level: &'static str,
    pub count: usize,
}

/// The formats `--statistics` works with.
pub fn supports(format: MessageFormat) -> bool {
    matches!(
        format,
        MessageFormat::Human
            | MessageFormat::Short
            | MessageFormat::Json
            | MessageFormat::JsonDiagnosticRenderedAnsi
    )
}

/// The rows of a run, most findings first, then by lint name and level.
pub fn rows(diagnostics: &[Diagnostic]) -> Vec<Row> {
    let mut counts: BTreeMap<(&'static str, Level), usize> = BTreeMap::new();
    for diagnostic in diagnostics {
        *counts
            .entry((diagnostic.lint.name, diagnostic.level))
            .or_default() += 1;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|((name, level), count)| Row {
            code: format!("cancel_check::{name}"),
            name,
            level: level.diagnostic_word(),
            count,
        })
        .collect();
    // Stable: equal counts keep the name and level order of the map.
    rows.sort_by_key(|row| std::cmp::Reverse(row.count));
    rows
}

pub fn render(output: &Output<'_>, analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let rows = rows(&analysis.diagnostics);
    if output.format.is_json() {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return out.flush();
    }
    let count_width = rows
        .iter()
        .map(|row| row.count.to_string().len())
        .max()
        .unwrap_or(0);
    let name_width = rows.iter().map(|row| row.name.len()).max().unwrap_or(0);
    for row in &rows {
        writeln!(
            out,
            "{:>count_width$}  {:name_width$}  {}",
            row.count, row.name, row.level
        )?;
    }
    if output.format == MessageFormat::Human && !output.quiet {
        writeln!(
            out,
            "{}",
            human::summary(&analysis.diagnostics, analysis.files.len())
        )?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use cancel_check_lints::{lint_by_name, Label, Span};

    use super::*;

    fn finding(lint: &str, level: Level) -> Diagnostic {
        Diagnostic {
            lint: lint_by_name(lint).unwrap(),
            level,
            message: String::new(),
            primary: Label {
                file: "a.rs".to_string(),
                span: Span::default(),
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    #[test]
    fn rows_count_per_lint_and_level_most_first() {
        let rows = rows(&[
            finding("parse_error", Level::Deny),
            finding("futurelock", Level::Warn),
            finding("futurelock", Level::Deny),
            finding("futurelock", Level::Warn),
            finding("detached_spawn", Level::Warn),
        ]);
        let seen: Vec<(&str, &str, usize)> = rows
            .iter()
            .map(|row| (row.name, row.level, row.count))
            .collect();
        assert_eq!(
            seen,
            [
                ("futurelock", "warning", 2),
                ("detached_spawn", "warning", 1),
                ("futurelock", "error", 1),
                ("parse_error", "error", 1),
            ]
        );
        assert_eq!(rows[0].code, "cancel_check::futurelock");
    }
}
