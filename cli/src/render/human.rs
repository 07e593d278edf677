//! `--message-format human`: rustc-style diagnostics through codespan-reporting, then a summary
//! line (`1 warning, 0 errors in 3 files`; not with `-q`).

use std::io;

use cancel_check_lints::{Applicability, Diagnostic, Level, Suggestion};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, LabelStyle, Severity};
use codespan_reporting::files::{self, SimpleFiles};
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use codespan_reporting::term::{self, Chars};

use super::{byte_range, count, explain_note, FileTable};
use crate::analyze::Analysis;
use crate::escape::printable;

/// The findings, then (with `summary`, that is without `-q`) the summary line.
pub fn render(analysis: &Analysis, summary_line: bool, out: &mut dyn WriteColor) -> io::Result<()> {
    let table = FileTable::new(&analysis.files);
    for diagnostic in &analysis.diagnostics {
        emit(&table, diagnostic, out)?;
    }
    if summary_line {
        writeln!(
            out,
            "{}",
            summary(&analysis.diagnostics, analysis.files.len())
        )?;
    }
    out.flush()
}

/// One diagnostic as text, for the `rendered` field of JSON messages.
pub(crate) fn render_to_string(
    table: &FileTable<'_>,
    diagnostic: &Diagnostic,
    ansi: bool,
) -> String {
    let mut buffer = if ansi {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    // Writing into memory cannot fail, and spans are clamped to their file.
    let _ = emit(table, diagnostic, &mut buffer);
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// `N warnings, M errors in K files`, or `no findings in K files`.
pub(crate) fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let files = plural(files, "file", "files");
    if diagnostics.is_empty() {
        return format!("no findings in {files}");
    }
    let (warnings, errors) = count(diagnostics);
    format!(
        "{}, {} in {files}",
        plural(warnings, "warning", "warnings"),
        plural(errors, "error", "errors")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn emit(
    table: &FileTable<'_>,
    diagnostic: &Diagnostic,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    let config = term::Config {
        chars: Chars::ascii(),
        ..term::Config::default()
    };
    let io_error = |error| match error {
        files::Error::Io(error) => error,
        other => io::Error::other(other.to_string()),
    };
    term::emit_to_write_style(out, &config, table.files(), &to_codespan(table, diagnostic))
        .map_err(io_error)?;
    let Some((_, file)) = table.get(&diagnostic.primary.file) else {
        return Ok(());
    };
    for suggestion in &diagnostic.suggestions {
        let (files, report) = suggestion_report(&file.file.label, file.text(), suggestion);
        term::emit_to_write_style(out, &config, &files, &report).map_err(io_error)?;
    }
    Ok(())
}

/// A suggestion as rustc shows one: `help:` with the file's lines as the edits leave them, the
/// new text marked.
fn suggestion_report(
    name: &str,
    text: &str,
    suggestion: &Suggestion,
) -> (SimpleFiles<String, String>, Report<usize>) {
    let mut edits: Vec<_> = suggestion.edits.iter().collect();
    edits.sort_by_key(|edit| edit.span.start);
    let mut patched = String::with_capacity(text.len() + 64);
    let mut marked = Vec::new();
    let mut fallback = None;
    let mut at = 0;
    for edit in edits {
        let range = byte_range(text, &edit.span);
        if range.start < at {
            continue;
        }
        patched.push_str(&text[at..range.start]);
        let replacement = crate::escape::source_text(&edit.replacement);
        let start = patched.len();
        patched.push_str(&replacement);
        // Mark the new text without the whitespace around it (a `{` and the line break after
        // it, not the indentation of the next line).
        // Indentation alone (or a deletion) is not marked, unless nothing else is.
        let lead = replacement.len() - replacement.trim_start().len();
        let trimmed = replacement.trim();
        if !trimmed.is_empty() {
            // One mark per line: codespan draws a mark over several lines as a bracket.
            let mut from = start + lead;
            for line in trimmed.split('\n') {
                let text = line.trim_end();
                let indent = text.len() - text.trim_start().len();
                if !text.trim().is_empty() {
                    marked.push(from + indent..from + text.len());
                }
                from += line.len() + 1;
            }
        } else if marked.is_empty() && fallback.is_none() {
            fallback = Some(start..start);
        }
        at = range.end;
    }
    if marked.is_empty() {
        marked.extend(fallback);
    }
    patched.push_str(&text[at.min(text.len())..]);
    let mut files = SimpleFiles::new();
    let id = files.add(
        name.to_string(),
        crate::escape::source_text(&patched).into_owned(),
    );
    let applies = match suggestion.applicability {
        Applicability::MachineApplicable => "`--fix` applies it",
        Applicability::MaybeIncorrect => "`--fix --unsafe-fixes` applies it",
    };
    let report = Report::help()
        .with_message(format!("{} ({applies})", printable(&suggestion.message)))
        .with_labels(
            marked
                .into_iter()
                .map(|range| Label::primary(id, range))
                .collect(),
        );
    (files, report)
}

fn to_codespan(table: &FileTable<'_>, diagnostic: &Diagnostic) -> Report<usize> {
    let severity = match diagnostic.level {
        Level::Deny => Severity::Error,
        Level::Warn | Level::Allow => Severity::Warning,
    };
    let mut labels = Vec::new();
    let mut notes: Vec<String> = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {}", printable(help)))
        .collect();
    notes.extend(
        diagnostic
            .notes
            .iter()
            .map(|note| format!("note: {}", printable(note))),
    );
    let all = std::iter::once((LabelStyle::Primary, &diagnostic.primary)).chain(
        diagnostic
            .secondary
            .iter()
            .map(|label| (LabelStyle::Secondary, label)),
    );
    for (style, label) in all {
        match table.get(&label.file) {
            Some((id, file)) => labels.push(
                Label::new(style, id, byte_range(file.text(), &label.span))
                    .with_message(printable(&label.message)),
            ),
            // Not a file of this run: say where it is in words.
            None => notes.push(format!(
                "note: {}:{}:{}: {}",
                printable(&label.file),
                label.span.line,
                label.span.column,
                printable(&label.message)
            )),
        }
    }
    notes.push(format!("note: {}", explain_note(diagnostic)));
    Report::new(severity)
        .with_code(diagnostic.lint.name)
        .with_message(printable(&diagnostic.message))
        .with_labels(labels)
        .with_notes(notes)
}
