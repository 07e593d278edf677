//! `--message-format json`: cargo's `--message-format=json` stream, one object per line, so that
//! rust-analyzer (which parses it with the `cargo_metadata` crate) shows our findings as it shows
//! clippy's. A finding in a cargo package is a `compiler-message` wrapping a rustc diagnostic; a
//! finding in a file outside any package is the bare rustc diagnostic. The stream ends with
//! `build-finished`.
//!
//! These are explicit serde types for the wire format, not derived on the library's `Diagnostic`.

use std::io::{self, Write};

use cancel_check_lints::{Diagnostic, Label, Level, Suggestion};
use codespan_reporting::files::Files as _;
use serde::Serialize;

use super::{byte_range, explain_note, human, FileTable};
use crate::analyze::Analysis;
use crate::workspace::PackageContext;

/// A line of cargo's JSON stream.
#[derive(Debug, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum CargoMessage<'a> {
    CompilerMessage {
        package_id: &'a str,
        manifest_path: &'a str,
        target: CargoTarget<'a>,
        message: &'a RustcDiagnostic,
    },
    BuildFinished {
        success: bool,
    },
}

/// cargo's target object, as in `cargo metadata` and in compiler messages.
#[derive(Debug, Serialize)]
pub struct CargoTarget<'a> {
    pub kind: Vec<String>,
    pub crate_types: Vec<String>,
    pub name: &'a str,
    pub src_path: &'a str,
    pub edition: &'a str,
    pub doc: bool,
    pub doctest: bool,
    pub test: bool,
}

/// rustc's JSON diagnostic (`--error-format=json`).
#[derive(Debug, Serialize)]
pub struct RustcDiagnostic {
    #[serde(rename = "$message_type")]
    pub message_type: &'static str,
    pub message: String,
    pub code: Option<RustcCode>,
    pub level: &'static str,
    pub spans: Vec<RustcSpan>,
    pub children: Vec<RustcDiagnostic>,
    pub rendered: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RustcCode {
    pub code: String,
    pub explanation: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RustcSpan {
    pub file_name: String,
    pub byte_start: u32,
    pub byte_end: u32,
    pub line_start: u32,
    pub line_end: u32,
    pub column_start: u32,
    pub column_end: u32,
    pub is_primary: bool,
    pub text: Vec<RustcSpanLine>,
    pub label: Option<String>,
    pub suggested_replacement: Option<String>,
    pub suggestion_applicability: Option<String>,
    pub expansion: Option<()>,
}

/// One source line a span covers, with the highlighted columns (1-based, end exclusive).
#[derive(Debug, Serialize)]
pub struct RustcSpanLine {
    pub text: String,
    pub highlight_start: u32,
    pub highlight_end: u32,
}

/// Writes every finding, then `build-finished`. `ansi` colors the `rendered` text.
pub fn render(
    analysis: &Analysis,
    success: bool,
    ansi: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_messages(analysis, ansi, out)?;
    write_line(out, &CargoMessage::BuildFinished { success })?;
    out.flush()
}

/// Writes every finding, without the final `build-finished` (for merging with cargo's stream).
pub fn render_messages(analysis: &Analysis, ansi: bool, out: &mut dyn Write) -> io::Result<()> {
    let table = FileTable::new(&analysis.files);
    for diagnostic in &analysis.diagnostics {
        let message = rustc_diagnostic(&table, diagnostic, ansi);
        let context = table
            .get(&diagnostic.primary.file)
            .and_then(|(_, file)| file.file.context.as_deref());
        match context {
            Some(context) => write_line(out, &compiler_message(context, &message))?,
            None => write_line(out, &message)?,
        }
    }
    Ok(())
}

/// Writes cargo's final `build-finished` line.
pub fn render_finished(success: bool, out: &mut dyn Write) -> io::Result<()> {
    write_line(out, &CargoMessage::BuildFinished { success })?;
    out.flush()
}

fn write_line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

fn compiler_message<'a>(
    context: &'a PackageContext,
    message: &'a RustcDiagnostic,
) -> CargoMessage<'a> {
    let target = &context.target;
    CargoMessage::CompilerMessage {
        package_id: &context.package_id,
        manifest_path: context.manifest_path.as_str(),
        target: CargoTarget {
            kind: target.kind.iter().map(ToString::to_string).collect(),
            crate_types: target.crate_types.iter().map(ToString::to_string).collect(),
            name: &target.name,
            src_path: target.src_path.as_str(),
            edition: target.edition.as_str(),
            doc: target.doc,
            doctest: target.doctest,
            test: target.test,
        },
        message,
    }
}

/// The rustc diagnostic of a finding: the primary span first, then the secondary ones; a child
/// per help, per suggestion (a `help` whose primary spans carry `suggested_replacement` and
/// `suggestion_applicability`, from which rust-analyzer makes a quick fix) and per note;
/// `rendered` is the human text.
pub fn rustc_diagnostic(
    table: &FileTable<'_>,
    diagnostic: &Diagnostic,
    ansi: bool,
) -> RustcDiagnostic {
    let spans = std::iter::once((true, &diagnostic.primary))
        .chain(diagnostic.secondary.iter().map(|label| (false, label)))
        .map(|(is_primary, label)| rustc_span(table, label, is_primary))
        .collect();
    let mut children: Vec<RustcDiagnostic> = diagnostic
        .help
        .iter()
        .map(|help| child("help", help))
        .collect();
    children.extend(
        diagnostic
            .suggestions
            .iter()
            .map(|suggestion| suggestion_child(table, &diagnostic.primary.file, suggestion)),
    );
    children.extend(diagnostic.notes.iter().map(|note| child("note", note)));
    children.push(child("note", &explain_note(diagnostic)));
    RustcDiagnostic {
        message_type: "diagnostic",
        message: diagnostic.message.clone(),
        code: Some(RustcCode {
            code: format!("cancel_check::{}", diagnostic.lint.name),
            explanation: None,
        }),
        level: level_word(diagnostic.level),
        spans,
        children,
        rendered: Some(human::render_to_string(table, diagnostic, ansi)),
    }
}

fn level_word(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn | Level::Allow => "warning",
    }
}

fn child(level: &'static str, message: &str) -> RustcDiagnostic {
    RustcDiagnostic {
        message_type: "diagnostic",
        message: message.to_string(),
        code: None,
        level,
        spans: Vec::new(),
        children: Vec::new(),
        rendered: None,
    }
}

/// A suggestion as rustc writes one: a `help` child with a primary span per edit.
fn suggestion_child(table: &FileTable<'_>, file: &str, suggestion: &Suggestion) -> RustcDiagnostic {
    let spans = suggestion
        .edits
        .iter()
        .map(|edit| {
            let label = Label {
                file: file.to_string(),
                span: edit.span,
                message: String::new(),
            };
            RustcSpan {
                suggested_replacement: Some(edit.replacement.clone()),
                suggestion_applicability: Some(suggestion.applicability.as_str().to_string()),
                ..rustc_span(table, &label, true)
            }
        })
        .collect();
    RustcDiagnostic {
        spans,
        ..child("help", &suggestion.message)
    }
}

fn rustc_span(table: &FileTable<'_>, label: &Label, is_primary: bool) -> RustcSpan {
    let span = &label.span;
    let file = table.get(&label.file);
    let file_name = file.map_or_else(
        || label.file.clone(),
        |(_, file)| file.file.json_name.clone(),
    );
    let (byte_start, byte_end, text) = match file {
        Some((id, file)) => {
            let range = byte_range(file.text(), span);
            (range.start, range.end, span_lines(table, id, label))
        }
        None => (span.start, span.end, Vec::new()),
    };
    RustcSpan {
        file_name,
        byte_start: u32::try_from(byte_start).unwrap_or(u32::MAX),
        byte_end: u32::try_from(byte_end).unwrap_or(u32::MAX),
        line_start: span.line.max(1),
        line_end: span.end_line.max(span.line).max(1),
        column_start: span.column.max(1),
        column_end: span.end_column.max(1),
        is_primary,
        text,
        label: (!label.message.is_empty()).then(|| label.message.clone()),
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

/// The source lines a span covers, with the highlighted part of each (as rustc fills `text`).
/// Lines are looked up in the file table's line index: counting lines from the top of the file
/// for every span is quadratic in a large file with many findings.
fn span_lines(table: &FileTable<'_>, id: usize, label: &Label) -> Vec<RustcSpanLine> {
    let span = &label.span;
    let first = span.line.max(1);
    let last = span.end_line.max(first);
    let files = table.files();
    (first..=last)
        .map_while(|number| {
            let range = files.line_range(id, number as usize - 1).ok()?;
            let line = files.get(id).ok()?.source().get(range)?;
            let line = line.strip_suffix('\n').unwrap_or(line);
            Some((number, line.strip_suffix('\r').unwrap_or(line)))
        })
        .map(|(number, line)| {
            let line_end = line.chars().count() as u32 + 1;
            let highlight_start = if number == first {
                span.column.max(1)
            } else {
                1
            };
            let highlight_end = if number == last {
                span.end_column.max(1)
            } else {
                line_end
            };
            RustcSpanLine {
                text: line.to_string(),
                highlight_start,
                highlight_end,
            }
        })
        .collect()
}
