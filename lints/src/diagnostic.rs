//! What the analysis returns: plain data, rendered by the binary.

use crate::lint::{Level, Lint};
use crate::span::Span;

/// A labelled span, in the file being analysed or in another one (`file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The path label of the file the span is in, as it was given to the analysis.
    pub file: String,
    pub span: Span,
    /// A short noun phrase; may be empty.
    pub message: String,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub lint: &'static Lint,
    /// The effective level (never `Allow`: allowed findings are not returned).
    pub level: Level,
    /// Lowercase, no trailing period, code in backticks.
    pub message: String,
    pub primary: Label,
    /// Related places: the loop, the `select!`, the callee that makes a future unsafe...
    pub secondary: Vec<Label>,
    /// The fix, imperative.
    pub help: Option<String>,
    /// Further facts (what is lost, where the knowledge comes from).
    pub notes: Vec<String>,
    /// Fixes as edits of the primary span's file, for editors and `--fix`.
    pub suggestions: Vec<Suggestion>,
}

impl Diagnostic {
    /// The sort key that makes output deterministic: path, line, column, lint name.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str) {
        (
            self.primary.file.as_str(),
            self.primary.span.line,
            self.primary.span.column,
            self.lint.name,
        )
    }
}

impl Label {
    /// A label in the file being checked: the file is filled in when the diagnostic is reported
    /// ([`Diagnostic::in_file`]).
    pub(crate) fn here(span: Span, message: impl Into<String>) -> Label {
        Label {
            file: String::new(),
            span,
            message: message.into(),
        }
    }
}

/// Building diagnostics: a rule's wording function starts from [`Diagnostic::new`] and adds
/// labels, help and notes; the file of its labels and its level are filled in when it is
/// reported.
impl Diagnostic {
    /// A finding of `lint` at its default level, with an empty primary label.
    pub(crate) fn new(lint: &'static Lint, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            lint,
            level: lint.default_level,
            message: message.into(),
            primary: Label::here(Span::default(), ""),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    /// The primary span and its label.
    pub(crate) fn primary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Label::here(span, label);
        self
    }

    /// A secondary label in the file being checked.
    pub(crate) fn secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label::here(span, label));
        self
    }

    /// Secondary labels, possibly in other files.
    pub(crate) fn labels(mut self, labels: impl IntoIterator<Item = Label>) -> Diagnostic {
        self.secondary.extend(labels);
        self
    }

    /// The fix, imperative.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The fix, when there is one.
    pub(crate) fn help_if(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// A further fact.
    pub(crate) fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Further facts.
    pub(crate) fn notes(mut self, notes: impl IntoIterator<Item = String>) -> Diagnostic {
        self.notes.extend(notes);
        self
    }

    /// A fix as edits, when the rule could build one.
    pub(crate) fn suggest(mut self, suggestion: Option<Suggestion>) -> Diagnostic {
        self.suggestions.extend(suggestion);
        self
    }

    /// Puts the labels that name no file ([`Label::here`]) in the file with this path label.
    pub(crate) fn in_file(mut self, path: &str) -> Diagnostic {
        for label in std::iter::once(&mut self.primary).chain(&mut self.secondary) {
            if label.file.is_empty() {
                label.file = path.to_string();
            }
        }
        self
    }
}

/// How sure a suggestion is, as rustc and cargo say it (`suggestion_applicability`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// The edit changes nothing but what the finding is about: `--fix` applies it.
    MachineApplicable,
    /// The edit is complete and what the finding asks for, but it changes behaviour or API the
    /// author must decide on: editors offer it as a quick fix, `--fix` applies it only with
    /// `--unsafe-fixes`.
    MaybeIncorrect,
}

impl Applicability {
    /// The name in cargo's JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

/// Replace the bytes of `span` with `replacement` (an insertion when the span is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    /// Inserts `text` at byte `at`.
    pub(crate) fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span {
                start: at,
                end: at,
                ..Span::default()
            },
            replacement: text.into(),
        }
    }

    /// Replaces the bytes of `span`.
    pub(crate) fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span: Span {
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
                ..span
            },
            replacement: text.into(),
        }
    }
}

/// A fix a finding offers: one or more edits of its file, applied together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What the edits do, imperative (`add \`+ Send\``): the title of the editor's quick fix.
    pub message: String,
    /// Sorted by position, not overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Suggestion {
    pub(crate) fn new(
        message: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Option<Suggestion> {
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        let overlapping = edits
            .windows(2)
            .any(|pair| pair[0].span.end > pair[1].span.start);
        (!edits.is_empty() && !overlapping).then(|| Suggestion {
            message: message.into(),
            edits,
            applicability,
        })
    }
}
