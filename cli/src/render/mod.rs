//! The output formats. Each renderer writes a whole run to a writer; only `human` uses colors.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;
pub mod statistics;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io;

use cancel_check_lints::{Diagnostic, Level, Span};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::WriteColor;

use crate::analyze::{Analysis, AnalyzedFile};
use crate::args::MessageFormat;

/// Something the run has to tell besides its findings (the dependency docs could not be
/// mined): a note on stderr, or the format's own notice where it has one (SARIF's
/// `toolExecutionNotifications`, a GitHub `::notice`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// A stable identifier (the SARIF notification's descriptor).
    pub id: &'static str,
    /// One line, without a `note: ` prefix.
    pub message: String,
}

/// How a run is written.
#[derive(Clone, Copy, Debug)]
pub struct Output<'a> {
    pub format: MessageFormat,
    /// What the exit code says (JSON reports it).
    pub success: bool,
    /// `-q`: the findings only (no summary line, no GitHub notice).
    pub quiet: bool,
    /// `--statistics`: counts per lint instead of the findings.
    pub statistics: bool,
    pub notices: &'a [Notice],
}

impl Output<'_> {
    /// Whether the format prints the notices itself, where people read it (GitHub's log):
    /// then they are not repeated on stderr.
    pub fn shows_notices(&self) -> bool {
        self.format == MessageFormat::Github && !self.statistics
    }
}

/// Writes a run in the chosen format.
pub fn render(
    output: &Output<'_>,
    analysis: &Analysis,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    if output.statistics {
        return statistics::render(output, analysis, out);
    }
    match output.format {
        MessageFormat::Human => human::render(analysis, !output.quiet, out),
        MessageFormat::Short => short::render(analysis, out),
        MessageFormat::Json => json::render(analysis, output.success, false, out),
        MessageFormat::JsonDiagnosticRenderedAnsi => {
            json::render(analysis, output.success, true, out)
        }
        MessageFormat::Sarif => sarif::render(analysis, output.notices, out),
        MessageFormat::Github => {
            let notices = if output.quiet {
                &[][..]
            } else {
                output.notices
            };
            github::render(analysis, notices, out)
        }
        MessageFormat::Gitlab => gitlab::render(analysis, out),
    }
}

/// Every file a finding points into, by its path label: the codespan file table, and the text and
/// context that labels point into (a secondary label may be in another file than its primary).
/// Files without findings have no text in the run and are not in the table. The table's texts
/// are the files' texts with control characters replaced byte for byte
/// ([`crate::escape::source_text`]): snippets never send raw escape sequences, and every span
/// still points at the same bytes.
pub struct FileTable<'a> {
    files: SimpleFiles<&'a str, Cow<'a, str>>,
    by_label: HashMap<&'a str, (usize, &'a AnalyzedFile)>,
}

impl<'a> FileTable<'a> {
    pub fn new(analysed: &'a [AnalyzedFile]) -> FileTable<'a> {
        let mut files = SimpleFiles::new();
        let mut by_label = HashMap::new();
        for file in analysed.iter().filter(|file| file.text.is_some()) {
            let text = crate::escape::source_text(file.text());
            let id = files.add(file.file.label.as_str(), text);
            by_label
                .entry(file.file.label.as_str())
                .or_insert((id, file));
        }
        FileTable { files, by_label }
    }

    pub fn files(&self) -> &SimpleFiles<&'a str, Cow<'a, str>> {
        &self.files
    }

    /// The codespan id and the file of a path label.
    pub fn get(&self, label: &str) -> Option<(usize, &'a AnalyzedFile)> {
        self.by_label.get(label).copied()
    }
}

/// A span's byte range, clamped to the text and to char boundaries so it can always be rendered.
pub(crate) fn byte_range(text: &str, span: &Span) -> std::ops::Range<usize> {
    let clamp = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = clamp(span.start);
    start..clamp(span.end).max(start)
}

/// Counts by level, for the summary line and the exit code.
pub(crate) fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.level == Level::Deny)
        .count();
    (diagnostics.len() - errors, errors)
}

/// `for more information, run ...`: the last note of every finding.
pub(crate) fn explain_note(diagnostic: &Diagnostic) -> String {
    format!(
        "for more information, run `cargo cancel-check explain {}`",
        diagnostic.lint.name
    )
}
