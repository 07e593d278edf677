//! Reading the files and running the analysis on them, in parallel.
//!
//! A file that cannot be read or is not UTF-8 does not stop the run: it becomes a `parse_error`
//! finding at line 1, column 1, and every other file is still analysed.

use std::fs;

use anyhow::{Context as _, Result};
use cancel_check_lints::{analyze_file, file_error, Config, Diagnostic};
use rayon::prelude::*;

use crate::workspace::SourceFile;

/// The stack of each worker thread: deeply nested files make the parser recurse deeply.
const WORKER_STACK_SIZE: usize = 64 << 20;

/// A file with the text it was analysed as (empty when it could not be read).
#[derive(Debug)]
pub struct AnalyzedFile {
    pub file: SourceFile,
    pub text: String,
}

/// The result of a run: every file, and every finding sorted by path, line, column and lint.
#[derive(Debug)]
pub struct Analysis {
    pub files: Vec<AnalyzedFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyses every file on a pool of `jobs` threads.
pub fn analyze(files: Vec<SourceFile>, config: &Config, jobs: usize) -> Result<Analysis> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|index| format!("cancel-check-{index}"))
        .build()
        .context("could not start the worker threads")?;
    let results: Vec<(AnalyzedFile, Vec<Diagnostic>)> = pool.install(|| {
        files
            .into_par_iter()
            .map(|file| analyze_one(file, config))
            .collect()
    });
    let mut analysis = Analysis {
        files: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
    };
    for (file, diagnostics) in results {
        analysis.files.push(file);
        analysis.diagnostics.extend(diagnostics);
    }
    analysis
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(analysis)
}

/// Reads one file as bytes and analyses it.
pub fn analyze_one(file: SourceFile, config: &Config) -> (AnalyzedFile, Vec<Diagnostic>) {
    if let Some(error) = &file.walk_error {
        let diagnostics = file_error(&file.label, error, config);
        return (
            AnalyzedFile {
                file,
                text: String::new(),
            },
            diagnostics,
        );
    }
    let bytes = match fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => {
            let diagnostics = file_error(
                &file.label,
                &format!("could not read file: {error}"),
                config,
            );
            return (
                AnalyzedFile {
                    file,
                    text: String::new(),
                },
                diagnostics,
            );
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let diagnostics = analyze_file(&file.label, &text, config);
            (AnalyzedFile { file, text }, diagnostics)
        }
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let message =
                format!("file is not valid UTF-8 (first invalid byte at offset {offset})");
            let diagnostics = file_error(&file.label, &message, config);
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            (AnalyzedFile { file, text }, diagnostics)
        }
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
        }
    }

    #[test]
    fn an_unreadable_file_is_a_parse_error_finding() {
        let (file, diagnostics) = analyze_one(source("does/not/exist.rs"), &Config::default());
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
        let (_, diagnostics) = analyze_one(source("does/not/exist.rs"), &config);
        assert!(diagnostics.is_empty());
    }
}
