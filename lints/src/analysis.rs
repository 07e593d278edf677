//! The driver: parse every file and build its model (in parallel), index the workspace and
//! compute the function summaries, then run the rules on each file (in parallel again).
//!
//! Only compact models cross the phases. A file's text and syntax tree are dropped as soon as its
//! model is built; the texts of the files that findings point into are asked for again at the end
//! (to place the findings), and while the rules run a file's text is asked for only when a rule
//! builds a suggestion for it (and dropped with the file's rules), so a caller that reads files on
//! demand ([`Sources`]) never has every text in memory. Files are parsed in parallel only while the ones in flight are small together
//! ([`PARSE_BUDGET_BYTES`]): a syntax tree costs about 150 bytes per byte of source, and two large
//! files parsed at once would double the peak.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Label};
use crate::knowledge::Knowledge;
use crate::model::workspace::Unit;
use crate::model::{FileModel, Workspace};
use crate::parse::Edits;
use crate::registry::CHECKS;
use crate::rules::{parse_error, LintContext};
use crate::source::{SourceInput, Sources};

/// A file larger than this (16 MiB) is not analysed: its `parse_error` finding says so. Parsing
/// holds about 150 bytes per byte of source (syn's tokens and tree), so this bounds one file to
/// about 2.5 GB; files that large are generated (bindings, tables) and rarely hold async code.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Files are parsed in parallel while the ones in flight add up to at most this much source
/// (4 MiB, about 600 MB of syntax trees); a larger file waits for the others and is parsed alone.
pub const PARSE_BUDGET_BYTES: usize = 4 << 20;

/// Analyses one file on its own, with the built-in knowledge base.
///
/// Never panics: a file syn rejects gives a `parse_error` finding, and an internal failure is
/// reported the same way. Diagnostics come back sorted.
pub fn analyze_file(path: &str, text: &str, config: &Config) -> Vec<Diagnostic> {
    analyze_files(
        &[SourceInput::standalone(path, text)],
        config,
        Knowledge::builtin(),
    )
}

/// Analyses files together, so that calls resolve across them: the workspace's functions get
/// cancel-safety summaries, and the rules use them. Runs on the current rayon pool.
///
/// Never panics; one bad file never stops the others. Diagnostics come back sorted by path,
/// line, column and lint.
pub fn analyze_files(
    inputs: &[SourceInput],
    config: &Config,
    knowledge: &Knowledge,
) -> Vec<Diagnostic> {
    analyze_files_with_progress(inputs, config, knowledge, &NoProgress)
}

/// Hears how a run advances, for a progress bar: each file is parsed (phase one), then checked
/// (phase three). Called from worker threads.
pub trait Progress: Sync {
    /// A file was parsed and its model built (or it failed to parse).
    fn parsed(&self) {}
    /// A file's rules ran.
    fn checked(&self) {}
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {}

/// [`analyze_files`], telling `progress` as each file is parsed and checked.
pub fn analyze_files_with_progress(
    inputs: &[SourceInput],
    config: &Config,
    knowledge: &Knowledge,
    progress: &dyn Progress,
) -> Vec<Diagnostic> {
    analyze_sources(inputs, config, knowledge, progress)
}

/// [`analyze_files_with_progress`] over files the caller reads when asked (see [`Sources`]):
/// each text once to build its model, and again only for the files findings point into. A file
/// whose text is `None` is left out (the caller reports it); a file larger than
/// [`MAX_FILE_BYTES`] gets a `parse_error` finding instead of a model.
pub fn analyze_sources<S: Sources + ?Sized>(
    sources: &S,
    config: &Config,
    knowledge: &Knowledge,
    progress: &dyn Progress,
) -> Vec<Diagnostic> {
    let gate = ParseGate::new(PARSE_BUDGET_BYTES);
    let built: Vec<Built> = (0..sources.count())
        .into_par_iter()
        .map(|index| {
            let built = match sources.text(index) {
                Some(text) if text.len() > MAX_FILE_BYTES => Built {
                    model: None,
                    errors: file_error(sources.label(index), &too_large(text.len()), config),
                    ..Built::default()
                },
                Some(text) => {
                    let _permit = gate.enter(text.len());
                    Built {
                        len: text.len(),
                        ..build_model(sources.label(index), &text, config)
                    }
                }
                None => {
                    progress.checked();
                    Built::default()
                }
            };
            progress.parsed();
            built
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut units = Vec::new();
    let mut edits = Vec::with_capacity(built.len());
    // For each unit: its file, and whether the rules may build suggestions from the file's
    // text (fetched when one asks): not for a file that did not parse as a whole (an edit of it
    // could not be checked to parse), or whose parse inserted text (the model's offsets are not
    // the file's). Then the text's length, to refuse a text that changed since it was parsed.
    let mut unit_files: Vec<(usize, Option<usize>)> = Vec::new();
    for (index, built) in built.into_iter().enumerate() {
        diagnostics.extend(built.errors);
        if let Some(model) = built.model {
            let (crate_name, module) = sources.place(index);
            unit_files.push((
                index,
                (built.whole && built.edits.is_empty()).then_some(built.len),
            ));
            units.push(Unit {
                model,
                crate_name,
                module,
            });
        }
        edits.push(built.edits);
    }
    crate::model::test_code::inherit(&mut units);
    let workspace = match catch_unwind(AssertUnwindSafe(|| Workspace::build(units, knowledge))) {
        Ok(workspace) => workspace,
        Err(panic) => {
            let what = panic_text(&panic);
            let mut all = diagnostics;
            for index in 0..sources.count() {
                all.extend(file_error(
                    sources.label(index),
                    &format!("internal error while summarising the workspace: {what}"),
                    config,
                ));
            }
            locate(&mut all, sources, &edits);
            all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return all;
        }
    };
    let inherited = crate::suppress::module_allows(&workspace.units);
    let per_file: Vec<Vec<Diagnostic>> = (0..workspace.units.len())
        .into_par_iter()
        .map(|file| {
            let checked = catch_unwind(AssertUnwindSafe(|| {
                let (index, suggest) = unit_files[file];
                let source = || {
                    let len = suggest?;
                    sources.text(index).filter(|text| text.len() == len)
                };
                run_rules(&workspace, file, &source, config, &inherited[file])
            }));
            progress.checked();
            checked.unwrap_or_else(|panic| {
                let path = &workspace.units[file].model.path;
                file_error(
                    path,
                    &format!(
                        "internal error while checking the file: {}",
                        panic_text(&panic)
                    ),
                    config,
                )
            })
        })
        .collect();
    drop(workspace);
    diagnostics.extend(per_file.into_iter().flatten());
    locate(&mut diagnostics, sources, &edits);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// Why a file is not analysed: its size.
fn too_large(bytes: usize) -> String {
    format!(
        "file not analysed: it is {:.1} MiB, larger than the {} MiB limit (split it, or leave it out with `exclude`)",
        bytes as f64 / f64::from(1u32 << 20),
        MAX_FILE_BYTES >> 20
    )
}

/// Lets files be parsed in parallel while the bytes in flight stay within a budget; a file over
/// the budget waits until nothing else is in flight.
struct ParseGate {
    in_flight: Mutex<usize>,
    freed: Condvar,
    budget: usize,
}

/// A file's place in the budget, given back when dropped.
struct Permit<'g> {
    gate: &'g ParseGate,
    bytes: usize,
}

impl ParseGate {
    fn new(budget: usize) -> ParseGate {
        ParseGate {
            in_flight: Mutex::new(0),
            freed: Condvar::new(),
            budget,
        }
    }

    /// Whether a file of `bytes` may start while `in_flight` bytes are being parsed: when it
    /// fits the budget with them, or when nothing else is in flight (however large it is).
    fn admits(&self, in_flight: usize, bytes: usize) -> bool {
        in_flight == 0 || in_flight + bytes <= self.budget
    }

    fn enter(&self, bytes: usize) -> Permit<'_> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !self.admits(*in_flight, bytes) {
            in_flight = self
                .freed
                .wait(in_flight)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *in_flight += bytes;
        Permit { gate: self, bytes }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut in_flight = self
            .gate
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *in_flight -= self.bytes;
        self.gate.freed.notify_all();
    }
}

/// Fills in lines and columns of every label from its file's text (the model keeps byte ranges
/// only), after mapping its byte range back to the file's text through the edits of its parse.
/// Each file's text is swept once for all its labels: a large file with many findings must not
/// be rescanned from its start for every one.
fn locate<S: Sources + ?Sized>(diagnostics: &mut [Diagnostic], sources: &S, edits: &[Edits]) {
    let files: std::collections::HashMap<&str, usize> = (0..sources.count())
        .map(|index| (sources.label(index), index))
        .collect();
    fn labels(diagnostic: &mut Diagnostic) -> impl Iterator<Item = &mut Label> {
        std::iter::once(&mut diagnostic.primary).chain(diagnostic.secondary.iter_mut())
    }
    let mut offsets: Vec<Vec<usize>> = vec![Vec::new(); sources.count()];
    for diagnostic in diagnostics.iter_mut() {
        // The edits of a suggestion are in its primary span's file, as the rule saw it.
        if let Some(&file) = files.get(diagnostic.primary.file.as_str()) {
            for edit in diagnostic
                .suggestions
                .iter()
                .flat_map(|suggestion| &suggestion.edits)
            {
                offsets[file].extend([edit.span.start, edit.span.end]);
            }
        }
        for label in labels(diagnostic) {
            if let Some(&file) = files
                .get(label.file.as_str())
                .filter(|_| label.span.line == 0)
            {
                if let Some(edits) = edits.get(file).filter(|edits| !edits.is_empty()) {
                    label.span.start = edits.to_source(label.span.start);
                    label.span.end = edits.to_source(label.span.end);
                }
                offsets[file].extend([label.span.start, label.span.end]);
            }
        }
    }
    // Only the files findings point into are read again, in parallel.
    let placed: Vec<Vec<(usize, (u32, u32))>> = offsets
        .into_par_iter()
        .enumerate()
        .map(|(file, mut offsets)| {
            if offsets.is_empty() {
                return Vec::new();
            }
            offsets.sort_unstable();
            offsets.dedup();
            let text = sources.shown_text(file).unwrap_or_default();
            let positions = crate::span::positions(&text, &offsets);
            offsets.into_iter().zip(positions).collect()
        })
        .collect();
    let find = |file: usize, offset: usize| {
        let placed = &placed[file];
        placed
            .binary_search_by_key(&offset, |(at, _)| *at)
            .map_or((0, 0), |index| placed[index].1)
    };
    for diagnostic in diagnostics.iter_mut() {
        if let Some(&file) = files.get(diagnostic.primary.file.as_str()) {
            for edit in diagnostic
                .suggestions
                .iter_mut()
                .flat_map(|suggestion| &mut suggestion.edits)
            {
                let span = &mut edit.span;
                (span.line, span.column) = find(file, span.start);
                (span.end_line, span.end_column) = find(file, span.end);
            }
        }
        for label in labels(diagnostic) {
            if let Some(&file) = files
                .get(label.file.as_str())
                .filter(|_| label.span.line == 0)
            {
                let span = &mut label.span;
                (span.line, span.column) = find(file, span.start);
                (span.end_line, span.end_column) = find(file, span.end);
            }
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Phase one for one file: parse and build the model (and report the items that did not
/// parse), or explain why not. Also the edits the parse made, to map spans back.
fn build_model(path: &str, text: &str, config: &Config) -> Built {
    let result = catch_unwind(AssertUnwindSafe(|| {
        match crate::parse::parse_source(text) {
            Ok(parsed) => {
                let text = parsed.text.as_deref().unwrap_or(text);
                let model = FileModel::build(path, &parsed.file, text, config);
                let errors: Vec<Diagnostic> = parsed
                    .errors
                    .iter()
                    .map(|(span, message)| parse_error::item_diagnostic(*span, message))
                    .collect();
                let whole = parsed.errors.is_empty();
                Ok((model, errors, parsed.edits, whole))
            }
            Err((span, message)) => Err(Box::new(parse_error::diagnostic(span, &message))),
        }
    }));
    // Spans of this thread's parses are no longer needed: free their source map.
    proc_macro2::extra::invalidate_current_thread_spans();
    let report = |diagnostics: Vec<Diagnostic>| -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|diagnostic| config.report(diagnostic.in_file(path)))
            .collect()
    };
    match result {
        Ok(Ok((model, errors, edits, whole))) => Built {
            model: Some(model),
            errors: report(errors),
            edits,
            whole,
            len: 0,
        },
        Ok(Err(diagnostic)) => Built {
            model: None,
            errors: report(vec![*diagnostic]),
            ..Built::default()
        },
        Err(panic) => Built {
            model: None,
            errors: file_error(
                path,
                &format!(
                    "internal error while analysing the file: {}",
                    panic_text(&panic)
                ),
                config,
            ),
            ..Built::default()
        },
    }
}

/// What phase one gives for a file.
#[derive(Default)]
struct Built {
    model: Option<FileModel>,
    /// Its `parse_error` findings (the whole file, or the items that did not parse).
    errors: Vec<Diagnostic>,
    /// Text the parse inserted: the model's spans map back to the file's through these.
    edits: Edits,
    /// The whole file parsed: no item was given up.
    whole: bool,
    /// The length of the text parsed.
    len: usize,
}

/// Phase three for one file: every registered rule.
fn run_rules(
    workspace: &Workspace<'_>,
    file: usize,
    source: &dyn Fn() -> Option<String>,
    config: &Config,
    inherited: &[String],
) -> Vec<Diagnostic> {
    let model = &workspace.units[file].model;
    let mut cx = LintContext::new(config, workspace, file, source);
    for check in CHECKS {
        check(&mut cx, model);
    }
    let mut findings = cx.diagnostics;
    if !inherited.is_empty() {
        findings.retain(|finding| !inherited.iter().any(|lint| lint == finding.lint.name));
    }
    crate::suppress::apply(model, findings, config)
}

/// The `parse_error` finding for a file that could not be analysed at all (unreadable, not
/// UTF-8, an internal error), at its first line; empty when `parse_error` is allowed.
pub fn file_error(path: &str, message: &str, config: &Config) -> Vec<Diagnostic> {
    config
        .report(parse_error::not_analysed(message).in_file(path))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn a_text_over_the_size_limit_is_one_finding_and_is_not_parsed() {
        // Not Rust at all: parsing it would report a parse error at its first byte instead.
        let text = format!("{{{}", " ".repeat(MAX_FILE_BYTES));
        let diagnostics = analyze_file("big.rs", &text, &Config::default());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].lint.name, "parse_error");
        assert_eq!(
            diagnostics[0].message,
            "file not analysed: it is 16.0 MiB, larger than the 16 MiB limit (split it, or leave it out with `exclude`)"
        );
        assert_eq!(
            (
                diagnostics[0].primary.span.line,
                diagnostics[0].primary.span.column
            ),
            (1, 1)
        );
    }

    #[test]
    fn the_parse_gate_lets_small_files_in_together_and_a_large_one_in_alone() {
        let gate = ParseGate::new(10);
        assert!(gate.admits(0, 4));
        assert!(gate.admits(4, 6));
        assert!(!gate.admits(4, 7));
        // Over the budget on its own: it waits for an empty gate, then goes in.
        assert!(!gate.admits(1, 50));
        assert!(gate.admits(0, 50));
        let first = gate.enter(4);
        let second = gate.enter(6);
        assert_eq!(*gate.in_flight.lock().unwrap(), 10);
        drop((first, second));
        assert_eq!(*gate.in_flight.lock().unwrap(), 0);
    }

    /// Files in memory, recording what the analysis asks for.
    struct Recorded {
        inputs: Vec<SourceInput>,
        asked: Mutex<Vec<String>>,
    }

    impl Sources for Recorded {
        fn count(&self) -> usize {
            self.inputs.len()
        }

        fn label(&self, index: usize) -> &str {
            &self.inputs[index].path
        }

        fn text(&self, index: usize) -> Option<String> {
            self.asked.lock().unwrap().push(format!("text {index}"));
            Some(self.inputs[index].text.clone())
        }

        fn place(&self, index: usize) -> (String, Vec<String>) {
            self.asked.lock().unwrap().push(format!("place {index}"));
            self.inputs.place(index)
        }
    }

    #[test]
    fn texts_are_read_once_then_again_only_where_findings_point() {
        let relay = "async fn relay(mut s: tokio::net::TcpStream, mut rx: tokio::sync::mpsc::Receiver<()>) {\n    let mut b = [0u8; 4];\n    loop {\n        tokio::select! {\n            _ = tokio::io::AsyncReadExt::read_exact(&mut s, &mut b) => {}\n            _ = rx.recv() => {}\n        }\n    }\n}\n";
        let sources = Recorded {
            inputs: vec![
                SourceInput::standalone("quiet.rs", "fn quiet() {}\n"),
                SourceInput::standalone("relay.rs", relay),
                SourceInput::standalone("also_quiet.rs", "async fn f() {}\n"),
            ],
            asked: Mutex::new(Vec::new()),
        };
        let diagnostics = analyze_sources(
            &sources,
            &Config::default(),
            Knowledge::builtin(),
            &NoProgress,
        );
        assert!(
            !diagnostics.is_empty() && diagnostics.iter().all(|d| d.primary.file == "relay.rs"),
            "{diagnostics:?}"
        );
        assert!(diagnostics.iter().all(|d| d.primary.span.line > 0));
        let asked = sources.asked.into_inner().unwrap();
        let first_place = asked
            .iter()
            .position(|what| what.starts_with("place"))
            .unwrap();
        let mut first_reads: Vec<&str> = asked[..first_place].iter().map(String::as_str).collect();
        first_reads.sort_unstable();
        assert_eq!(first_reads, ["text 0", "text 1", "text 2"], "{asked:?}");
        let after: Vec<&str> = asked[first_place..]
            .iter()
            .map(String::as_str)
            .filter(|what| what.starts_with("text"))
            .collect();
        assert_eq!(after, ["text 1"], "{asked:?}");
    }
}
