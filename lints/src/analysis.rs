//! The driver: parse every file and build its model (in parallel), index the workspace and
//! compute the function summaries, then run the rules on each file (in parallel again).
//!
//! Only compact models cross the phases; syntax trees are dropped as soon as each file's model is
//! built, so memory follows the largest files in flight rather than the workspace.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Label};
use crate::knowledge::Knowledge;
use crate::model::workspace::Unit;
use crate::model::{FileModel, Workspace};
use crate::parse::Edits;
use crate::registry::CHECKS;
use crate::rules::{parse_error, LintContext};
use crate::source::SourceInput;

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
    let built: Vec<Built> = inputs
        .par_iter()
        .map(|input| {
            let built = build_model(input, config);
            progress.parsed();
            built
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut units = Vec::new();
    // The text of each unit's file, for the rules' suggestions: none for a file that did not
    // parse as a whole (an edit of it could not be checked to parse), or whose parse inserted
    // text (the model's offsets are not the file's).
    let mut sources: Vec<Option<&str>> = Vec::new();
    let mut edits = Vec::with_capacity(inputs.len());
    for (input, built) in inputs.iter().zip(built) {
        diagnostics.extend(built.errors);
        if let Some(model) = built.model {
            sources.push((built.whole && built.edits.is_empty()).then_some(input.text.as_str()));
            units.push(Unit {
                model,
                crate_name: input.crate_name.clone(),
                module: input.module.clone(),
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
            for input in inputs {
                all.extend(file_error(
                    &input.path,
                    &format!("internal error while summarising the workspace: {what}"),
                    config,
                ));
            }
            locate(&mut all, inputs, &edits);
            all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return all;
        }
    };
    let inherited = crate::suppress::module_allows(&workspace.units);
    let per_file: Vec<Vec<Diagnostic>> = (0..workspace.units.len())
        .into_par_iter()
        .map(|file| {
            let checked = catch_unwind(AssertUnwindSafe(|| {
                run_rules(&workspace, file, sources[file], config, &inherited[file])
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
    diagnostics.extend(per_file.into_iter().flatten());
    locate(&mut diagnostics, inputs, &edits);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// Fills in lines and columns of every label from its file's text (the model keeps byte ranges
/// only), after mapping its byte range back to the file's text through the edits of its parse.
/// Each file's text is swept once for all its labels: a large file with many findings must not
/// be rescanned from its start for every one.
fn locate(diagnostics: &mut [Diagnostic], inputs: &[SourceInput], edits: &[Edits]) {
    let files: std::collections::HashMap<&str, usize> = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| (input.path.as_str(), index))
        .collect();
    fn labels(diagnostic: &mut Diagnostic) -> impl Iterator<Item = &mut Label> {
        std::iter::once(&mut diagnostic.primary).chain(diagnostic.secondary.iter_mut())
    }
    let mut offsets: Vec<Vec<usize>> = vec![Vec::new(); inputs.len()];
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
    let placed: Vec<Vec<(usize, (u32, u32))>> = offsets
        .into_iter()
        .zip(inputs)
        .map(|(mut offsets, input)| {
            offsets.sort_unstable();
            offsets.dedup();
            let positions = crate::span::positions(&input.text, &offsets);
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
fn build_model(input: &SourceInput, config: &Config) -> Built {
    let result = catch_unwind(AssertUnwindSafe(|| {
        match crate::parse::parse_source(&input.text) {
            Ok(parsed) => {
                let text = parsed.text.as_deref().unwrap_or(&input.text);
                let model = FileModel::build(&input.path, &parsed.file, text, config);
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
            .filter_map(|diagnostic| config.report(diagnostic.in_file(&input.path)))
            .collect()
    };
    match result {
        Ok(Ok((model, errors, edits, whole))) => Built {
            model: Some(model),
            errors: report(errors),
            edits,
            whole,
        },
        Ok(Err(diagnostic)) => Built {
            model: None,
            errors: report(vec![*diagnostic]),
            edits: Edits::default(),
            whole: false,
        },
        Err(panic) => Built {
            model: None,
            errors: file_error(
                &input.path,
                &format!(
                    "internal error while analysing the file: {}",
                    panic_text(&panic)
                ),
                config,
            ),
            edits: Edits::default(),
            whole: false,
        },
    }
}

/// What phase one gives for a file.
struct Built {
    model: Option<FileModel>,
    /// Its `parse_error` findings (the whole file, or the items that did not parse).
    errors: Vec<Diagnostic>,
    /// Text the parse inserted: the model's spans map back to the file's through these.
    edits: Edits,
    /// The whole file parsed: no item was given up.
    whole: bool,
}

/// Phase three for one file: every registered rule.
fn run_rules(
    workspace: &Workspace<'_>,
    file: usize,
    source: Option<&str>,
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
