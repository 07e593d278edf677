//! `--message-format github`: one GitHub Actions workflow command per finding, which the runner
//! turns into an annotation on the pull request:
//!
//! ```text
//! ::warning file=src/lib.rs,line=15,col=19,endLine=15,endColumn=49,title=cancel-check(select_arm_not_cancel_safe)::message%0Ahelp: ...
//! ```
//!
//! `::error` for findings at deny level. Paths are relative to the repository root, which is where
//! the runner resolves them. Nothing else goes to stdout but the run's notices (`::notice`, first;
//! not with `-q`): no summary line.

use std::io::{self, Write};

use cancel_check_lints::{Diagnostic, Level};

use crate::analyze::Analysis;
use crate::fingerprint::RepoRoot;
use crate::render::Notice;

/// The run's notices as `::notice` commands (shown in the log and the run's summary), then one
/// command per finding.
pub fn render(analysis: &Analysis, notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    for notice in notices {
        writeln!(
            out,
            "::notice title=cancel-check::{}",
            escape_data(&notice.message)
        )?;
    }
    let root = RepoRoot::for_analysis(analysis);
    for diagnostic in &analysis.diagnostics {
        let path = root.of_label(analysis, &diagnostic.primary.file);
        writeln!(out, "{}", command(&path, diagnostic))?;
    }
    out.flush()
}

/// The workflow command of one finding, whose file is at `path` (relative to the repository).
pub fn command(path: &str, diagnostic: &Diagnostic) -> String {
    let span = &diagnostic.primary.span;
    let line = span.line.max(1);
    let end_line = span.end_line.max(line);
    let mut properties = vec![("file", path.to_string()), ("line", line.to_string())];
    // The runner drops the columns of an annotation that spans several lines: leave them out.
    let columns = (end_line == line).then(|| {
        let col = span.column.max(1);
        (col, span.end_column.max(col))
    });
    if let Some((col, _)) = columns {
        properties.push(("col", col.to_string()));
    }
    properties.push(("endLine", end_line.to_string()));
    if let Some((_, end_column)) = columns {
        properties.push(("endColumn", end_column.to_string()));
    }
    properties.push(("title", format!("cancel-check({})", diagnostic.lint.name)));

    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let properties = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect::<Vec<_>>()
        .join(",");
    let kind = match diagnostic.level {
        Level::Deny => "error",
        Level::Warn | Level::Allow => "warning",
    };
    format!("::{kind} {properties}::{}", escape_data(&message))
}

/// Escapes a command's message as the actions toolkit does (`escapeData`: `%`, `\r`, `\n`),
/// and any other control character as text (`\x1b`), so that no value starts a new line or
/// sends an escape sequence to the log.
pub fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::escape::printable(&escaped).into_owned()
}

/// Escapes a property value as the actions toolkit does (`escapeProperty`): also `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use cancel_check_lints::{lint_by_name, Label, Span};

    use super::*;

    fn finding(level: Level, span: Span, message: &str, help: Option<&str>) -> Diagnostic {
        Diagnostic {
            lint: lint_by_name("select_arm_not_cancel_safe").unwrap(),
            level,
            message: message.to_string(),
            primary: Label {
                file: "src/lib.rs".to_string(),
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: help.map(str::to_string),
            notes: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    fn span(line: u32, column: u32, end_line: u32, end_column: u32) -> Span {
        Span {
            line,
            column,
            end_line,
            end_column,
            ..Span::default()
        }
    }

    #[test]
    fn data_escapes_percent_line_breaks_and_other_controls() {
        assert_eq!(
            escape_data("100% done: a, b\r\nnext"),
            "100%25 done: a, b%0D%0Anext"
        );
        assert_eq!(escape_data("a\x1b[2Jb\u{202e}"), "a\\x1b[2Jb\\u{202e}");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a%b"), "a%25b");
        assert_eq!(escape_property("a:b"), "a%3Ab");
        assert_eq!(escape_property("a,b"), "a%2Cb");
        assert_eq!(escape_property("a\rb\nc"), "a%0Db%0Ac");
        // `%` first, so an escape in the input is not read back as one.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn a_one_line_finding_has_columns() {
        let diagnostic = finding(
            Level::Warn,
            span(15, 19, 15, 49),
            "`a` is 100% lost: x, y",
            Some("use `b`"),
        );
        assert_eq!(
            command("src/a,b:c.rs", &diagnostic),
            "::warning file=src/a%2Cb%3Ac.rs,line=15,col=19,endLine=15,endColumn=49,\
             title=cancel-check(select_arm_not_cancel_safe)::`a` is 100%25 lost: x, y%0Ahelp: use `b`"
        );
    }

    #[test]
    fn a_finding_over_several_lines_has_no_columns() {
        let diagnostic = finding(Level::Deny, span(3, 5, 7, 2), "m", None);
        assert_eq!(
            command("src/lib.rs", &diagnostic),
            "::error file=src/lib.rs,line=3,endLine=7,title=cancel-check(select_arm_not_cancel_safe)::m"
        );
    }
}
