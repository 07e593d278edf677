//! Reading the files and running the analysis on them, in parallel.
//!
//! A file that cannot be read or is not UTF-8 does not stop the run: it becomes a `parse_error`
//! finding at line 1, column 1, and every other file is still analysed.

use std::fs;

use anyhow::{Context as _, Result};
use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    analyze_files, analyze_files_with_progress, file_error, Config, Diagnostic, Progress,
    SourceInput,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::cache::{content_hash, Cache, RunInputs};
use crate::stderr;
use crate::workspace::SourceFile;

/// The stack of each worker thread: deeply nested files make the parser recurse deeply.
const WORKER_STACK_SIZE: usize = 64 << 20;

/// Runs over fewer files than this finish before a progress bar would help.
const PROGRESS_MIN_FILES: usize = 50;

/// The progress bar on stderr: each file counts twice, once parsed and once checked. indicatif
/// draws nothing when stderr is not a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new(files: usize) -> Bar {
        let bar = ProgressBar::with_draw_target(
            Some(2 * files as u64),
            ProgressDrawTarget::stderr_with_hz(10),
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} analysing {msg}[{bar:30}] {percent:>3}% ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(format!("{files} files "));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn parsed(&self) {
        self.0.inc(1);
    }

    fn checked(&self) {
        self.0.inc(1);
    }
}

/// A file with the text it was analysed as (empty when it could not be read).
#[derive(Debug)]
pub struct AnalyzedFile {
    pub file: SourceFile,
    pub text: String,
    /// The text was analysed (the file could be read and is UTF-8).
    pub analysed: bool,
}

/// The result of a run: every file, and every finding sorted by path, line, column and lint.
#[derive(Debug)]
pub struct Analysis {
    pub files: Vec<AnalyzedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// The findings are the result cache's (no file, setting or knowledge changed).
    pub from_cache: bool,
}

/// Analyses every file on a pool of `jobs` threads: the files are read in parallel, then
/// analysed together so that calls resolve across files and crates. With a cache, a run whose
/// inputs are all the same as the stored run's prints the stored findings instead.
pub fn analyze(
    files: Vec<SourceFile>,
    config: &Config,
    knowledge: &Knowledge,
    jobs: usize,
    progress: bool,
    cache: Option<&Cache>,
) -> Result<Analysis> {
    let bar = (progress && files.len() >= PROGRESS_MIN_FILES).then(|| Bar::new(files.len()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|index| format!("cancel-check-{index}"))
        .build()
        .context("could not start the worker threads")?;
    let (mut diagnostics, files, lookup) = pool.install(|| {
        let read: Vec<Read> = files
            .into_par_iter()
            .map(|file| read_one(file, config))
            .collect();
        let lookup = cache.map(|cache| {
            let mut inputs = RunInputs::default();
            for read in &read {
                let file = &read.file.file;
                let context = file.context.as_ref().map_or_else(String::new, |context| {
                    format!(
                        "{}\0{}\0{:?}\0{}",
                        context.package_id,
                        context.target.name,
                        context.target.kind,
                        context.target.src_path
                    )
                });
                inputs.add(
                    &file.label,
                    &read.content,
                    &file.crate_name,
                    &file.module,
                    &context,
                );
            }
            cache.lookup(inputs)
        });
        let reused = lookup
            .as_ref()
            .and_then(|lookup| lookup.diagnostics.clone());
        let diagnostics = match reused {
            Some(diagnostics) => diagnostics,
            None => {
                let inputs: Vec<SourceInput> =
                    read.iter().filter_map(|read| read.input.clone()).collect();
                let mut diagnostics = match &bar {
                    Some(bar) => analyze_files_with_progress(&inputs, config, knowledge, bar),
                    None => analyze_files(&inputs, config, knowledge),
                };
                for read in &read {
                    diagnostics.extend(read.errors.iter().cloned());
                }
                diagnostics
            }
        };
        let files: Vec<AnalyzedFile> = read.into_iter().map(|read| read.file).collect();
        (diagnostics, files, lookup)
    });
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let from_cache = lookup
        .as_ref()
        .is_some_and(|lookup| lookup.diagnostics.is_some());
    if let (Some(cache), Some(lookup)) = (cache, lookup) {
        if lookup.diagnostics.is_none() {
            if let Err(warning) = cache.store(&lookup, &diagnostics) {
                stderr::notice(format!("warning: {warning}"));
            }
        }
    }
    Ok(Analysis {
        files,
        diagnostics,
        from_cache,
    })
}

/// Analyses the files again as their texts are now in memory (`--fix` and `--add-allow` check
/// their edits this way before writing anything), on a pool of `jobs` threads. The findings of
/// files that could not be analysed are kept from `previous`.
pub fn reanalyze(
    files: &[AnalyzedFile],
    previous: &[Diagnostic],
    config: &Config,
    knowledge: &Knowledge,
    jobs: usize,
) -> Result<Vec<Diagnostic>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|index| format!("cancel-check-{index}"))
        .build()
        .context("could not start the worker threads")?;
    let inputs: Vec<SourceInput> = files
        .iter()
        .filter(|file| file.analysed)
        .map(|file| SourceInput {
            path: file.file.label.clone(),
            text: file.text.clone(),
            crate_name: file.file.crate_name.clone(),
            module: file.file.module.clone(),
        })
        .collect();
    let mut diagnostics = pool.install(|| analyze_files(&inputs, config, knowledge));
    let unread: std::collections::HashSet<&str> = files
        .iter()
        .filter(|file| !file.analysed)
        .map(|file| file.file.label.as_str())
        .collect();
    diagnostics.extend(
        previous
            .iter()
            .filter(|diagnostic| unread.contains(diagnostic.primary.file.as_str()))
            .cloned(),
    );
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(diagnostics)
}

/// One file as read: the file with its text, the input for the analysis (none when it cannot be
/// analysed), the findings that say why not, and what it was read as for the cache key (the
/// hash of its bytes, or why it could not be read).
pub struct Read {
    pub file: AnalyzedFile,
    pub input: Option<SourceInput>,
    pub errors: Vec<Diagnostic>,
    pub content: String,
}

/// Reads one file as bytes: the text to analyse, or the finding that says why it cannot be.
pub fn read_one(file: SourceFile, config: &Config) -> Read {
    if let Some(error) = file.walk_error.clone() {
        return unanalysable(file, &error, config);
    }
    // Only a regular file is read: opening a FIFO blocks, and a device may never end.
    if fs::metadata(&file.path).is_ok_and(|metadata| !metadata.is_file()) {
        let message = "could not read file: not a regular file";
        return unanalysable(file, message, config);
    }
    let bytes = match fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => return unanalysable(file, &format!("could not read file: {error}"), config),
    };
    let content = content_hash(&bytes);
    match String::from_utf8(bytes) {
        Ok(text) => {
            let input = SourceInput {
                path: file.label.clone(),
                text: text.clone(),
                crate_name: file.crate_name.clone(),
                module: file.module.clone(),
            };
            Read {
                file: AnalyzedFile {
                    file,
                    text,
                    analysed: true,
                },
                input: Some(input),
                errors: Vec::new(),
                content,
            }
        }
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let message =
                format!("file is not valid UTF-8 (first invalid byte at offset {offset})");
            let errors = file_error(&file.label, &message, config);
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            Read {
                file: AnalyzedFile {
                    file,
                    text,
                    analysed: false,
                },
                input: None,
                errors,
                content,
            }
        }
    }
}

/// A file that could not be read: no text, and the finding that says why.
fn unanalysable(file: SourceFile, message: &str, config: &Config) -> Read {
    let errors = file_error(&file.label, message, config);
    Read {
        file: AnalyzedFile {
            file,
            text: String::new(),
            analysed: false,
        },
        input: None,
        errors,
        content: format!("error: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use cancel_check_lints::{lint_by_name, Level};

    use super::*;

    fn source(path: &str) -> SourceFile {
        SourceFile {
            label: path.to_string(),
            path: PathBuf::from(path),
            json_name: path.to_string(),
            context: None,
            walk_error: None,
            crate_name: "crate".to_string(),
            module: Vec::new(),
        }
    }

    #[test]
    fn an_unreadable_file_is_a_parse_error_finding() {
        let read = read_one(source("does/not/exist.rs"), &Config::default());
        let (file, diagnostics) = (read.file, read.errors);
        assert_eq!(file.text, "");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].lint.name, "parse_error");
        assert!(
            diagnostics[0].message.starts_with("could not read file: "),
            "{}",
            diagnostics[0].message
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
    fn allowing_parse_error_silences_unreadable_files() {
        let mut config = Config::default();
        config.set_level(lint_by_name("parse_error").unwrap(), Level::Allow);
        let diagnostics = read_one(source("does/not/exist.rs"), &config).errors;
        assert!(diagnostics.is_empty());
    }
}
