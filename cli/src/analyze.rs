//! Reading the files and running the analysis on them, in parallel.
//!
//! A file that cannot be read or is not UTF-8 does not stop the run: it becomes a `parse_error`
//! finding at line 1, column 1, and every other file is still analysed.
//!
//! No text is held for the whole run: the analysis reads each file when it parses it and drops
//! the text with the syntax tree, then asks again for the few files its findings point into
//! (see [`cancel_check_lints::Sources`]); those texts are kept for rendering. A file that
//! changes between the two reads is named in a warning: its findings may point at the wrong
//! lines, and the result cache does not store that run.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::SystemTime;

use anyhow::{Context as _, Result};
use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    analyze_sources, file_error, Config, Diagnostic, NoProgress, Progress, Sources, MAX_FILE_BYTES,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::cache::{content_hash, Cache, RunInputs};
use crate::stderr;
use crate::workspace::{apply_placements, Placement, Placing, SourceFile};

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

/// A file of the run, with its text when a finding points into it (the renderers show those
/// lines, `--fix` and `--add-allow` edit them); `None` for every other file.
#[derive(Debug)]
pub struct AnalyzedFile {
    pub file: SourceFile,
    pub text: Option<String>,
    /// The text is the one analysed (the file could be read, is UTF-8 and within the size
    /// limit), not a rendering of a file that could not be; false when there is no text.
    pub analysed: bool,
}

impl AnalyzedFile {
    /// The text to render, empty when there is none.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }
}

/// The result of a run: every file, and every finding sorted by path, line, column and lint.
#[derive(Debug)]
pub struct Analysis {
    pub files: Vec<AnalyzedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// The findings are the result cache's (no file, setting or knowledge changed).
    pub from_cache: bool,
}

/// Analyses every file on a pool of `jobs` threads: the files are read and parsed in parallel,
/// then analysed together so that calls resolve across files and crates. The placements of the
/// files (`placing`) may still be being worked out: the analysis waits for them only once
/// every file is parsed. With a cache, a run whose inputs are all the same as the stored run's
/// prints the stored findings instead (the files are read and hashed first, and the
/// placements waited for, since they are part of the inputs).
pub fn analyze(
    mut files: Vec<SourceFile>,
    placing: Placing,
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
    let (mut diagnostics, kept, from_cache, store) = pool.install(|| {
        let mut placing = Some(placing);
        let lookup = cache.map(|cache| {
            let hashed: Vec<(String, Option<Stamp>)> = files
                .par_iter()
                .map(|file| hash_one(file, config))
                .collect();
            if let Some(placing) = placing.take() {
                apply_placements(&mut files, &placing.wait());
            }
            let mut inputs = RunInputs::default();
            for (file, (content, _)) in files.iter().zip(&hashed) {
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
                    content,
                    &file.crate_name,
                    &file.module,
                    &context,
                );
            }
            (cache.lookup(inputs), hashed)
        });
        if let Some(found) = lookup
            .as_ref()
            .and_then(|(lookup, _)| lookup.diagnostics.clone())
        {
            return (found, HashMap::new(), true, None);
        }
        let stamps = lookup.map(|(lookup, hashed)| {
            let stamps: Vec<Option<Stamp>> = hashed.into_iter().map(|(_, stamp)| stamp).collect();
            (lookup, stamps)
        });
        let sources = FileSources::new(&files, placing, config, stamps.as_ref().map(|s| &s.1));
        let mut diagnostics = match &bar {
            Some(bar) => analyze_sources(&sources, config, knowledge, bar),
            None => analyze_sources(&sources, config, knowledge, &NoProgress),
        };
        let (errors, kept, changed, placements) = sources.finish();
        diagnostics.extend(errors);
        for label in &changed {
            stderr::notice(format!(
                "warning: `{label}` changed while it was analysed; its findings may point at the wrong lines"
            ));
        }
        if let Some(placements) = placements {
            apply_placements(&mut files, &placements);
        }
        let store = stamps
            .map(|(lookup, _)| lookup)
            .filter(|_| changed.is_empty());
        (diagnostics, kept, false, store)
    });
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if let (Some(cache), Some(lookup)) = (cache, store) {
        if let Err(warning) = cache.store(&lookup, &diagnostics) {
            stderr::notice(format!("warning: {warning}"));
        }
    }
    let mut files: Vec<AnalyzedFile> = files
        .into_iter()
        .map(|file| AnalyzedFile {
            file,
            text: None,
            analysed: false,
        })
        .collect();
    fill_texts(&mut files, &diagnostics, kept);
    Ok(Analysis {
        files,
        diagnostics,
        from_cache,
    })
}

/// Analyses the files again with the texts in memory as they are now (`--fix` and
/// `--add-allow` check their edits this way before writing anything), on a pool of `jobs`
/// threads; the other files are read again from disk. The findings of files whose text is
/// only a rendering (not UTF-8, too large) are kept from `previous`. Files that the new
/// findings point into get their texts.
pub fn reanalyze(
    files: &mut [AnalyzedFile],
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
    let sources = EditedSources {
        files,
        config,
        errors: files.iter().map(|_| OnceLock::new()).collect(),
        kept: Mutex::new(HashMap::new()),
    };
    let mut diagnostics =
        pool.install(|| analyze_sources(&sources, config, knowledge, &NoProgress));
    let kept = sources
        .kept
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    diagnostics.extend(
        sources
            .errors
            .into_iter()
            .filter_map(OnceLock::into_inner)
            .flatten(),
    );
    let rendered: HashSet<&str> = files
        .iter()
        .filter(|file| file.text.is_some() && !file.analysed)
        .map(|file| file.file.label.as_str())
        .collect();
    diagnostics.extend(
        previous
            .iter()
            .filter(|diagnostic| rendered.contains(diagnostic.primary.file.as_str()))
            .cloned(),
    );
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    pool.install(|| fill_texts(files, &diagnostics, kept));
    Ok(diagnostics)
}

/// The files of a run again: the texts in memory where there are, else from disk.
struct EditedSources<'a> {
    files: &'a [AnalyzedFile],
    config: &'a Config,
    errors: Vec<OnceLock<Vec<Diagnostic>>>,
    /// The texts read from disk for the findings.
    kept: Mutex<HashMap<usize, String>>,
}

impl Sources for EditedSources<'_> {
    fn count(&self) -> usize {
        self.files.len()
    }

    fn label(&self, index: usize) -> &str {
        &self.files[index].file.label
    }

    fn text(&self, index: usize) -> Option<String> {
        let file = &self.files[index];
        match (&file.text, file.analysed) {
            (Some(text), true) => Some(text.clone()),
            (Some(_), false) => None,
            (None, _) => match read_one(&file.file, self.config) {
                Read::Text(text, _) => Some(text),
                Read::Unanalysable { errors, .. } => {
                    let _ = self.errors[index].set(errors);
                    None
                }
            },
        }
    }

    fn shown_text(&self, index: usize) -> Option<String> {
        let text = self.text(index)?;
        if self.files[index].text.is_none() {
            self.kept
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(index, text.clone());
        }
        Some(text)
    }

    fn place(&self, index: usize) -> (String, Vec<String>) {
        let file = &self.files[index].file;
        (file.crate_name.clone(), file.module.clone())
    }
}

/// Gives each file a finding points into its text: the text the analysis read last (`kept`),
/// else read now (as bytes, invalid UTF-8 replaced, so that a file that is not UTF-8 can show
/// its first line; empty when it cannot be read).
fn fill_texts(
    files: &mut [AnalyzedFile],
    diagnostics: &[Diagnostic],
    mut kept: HashMap<usize, String>,
) {
    let shown: HashSet<&str> = diagnostics
        .iter()
        .flat_map(|diagnostic| {
            std::iter::once(&diagnostic.primary)
                .chain(&diagnostic.secondary)
                .map(|label| label.file.as_str())
        })
        .collect();
    let missing: Vec<(usize, &SourceFile)> = files
        .iter()
        .enumerate()
        .filter(|(index, file)| {
            file.text.is_none()
                && shown.contains(file.file.label.as_str())
                && !kept.contains_key(index)
        })
        .map(|(index, file)| (index, &file.file))
        .collect();
    let read: Vec<(usize, (String, bool))> = missing
        .par_iter()
        .map(|(index, file)| (*index, render_text(file)))
        .collect();
    let mut read: HashMap<usize, (String, bool)> = read.into_iter().collect();
    for (index, file) in files.iter_mut().enumerate() {
        if file.text.is_some() {
            continue;
        }
        if let Some(text) = kept.remove(&index) {
            (file.text, file.analysed) = (Some(text), true);
        } else if let Some((text, analysed)) = read.remove(&index) {
            (file.text, file.analysed) = (Some(text), analysed);
        }
    }
}

/// A file's text for rendering: its bytes, with invalid UTF-8 replaced, and whether that is the
/// text an analysis reads (the file is UTF-8 and within the size limit). Of a file over the size
/// limit (whose only finding is at its start), the first 64 KiB.
fn render_text(file: &SourceFile) -> (String, bool) {
    let Ok(metadata) = fs::metadata(&file.path) else {
        return (String::new(), false);
    };
    if file.walk_error.is_some() || !metadata.is_file() {
        return (String::new(), false);
    }
    let within = metadata.len() <= MAX_FILE_BYTES as u64;
    let limit = if within {
        MAX_FILE_BYTES as u64
    } else {
        64 << 10
    };
    let mut bytes = Vec::new();
    match fs::File::open(&file.path).and_then(|opened| opened.take(limit).read_to_end(&mut bytes)) {
        Ok(_) => match String::from_utf8(bytes) {
            Ok(text) => (text, within),
            Err(error) => (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                false,
            ),
        },
        Err(_) => (String::new(), false),
    }
}

/// What a file looked like when it was read: its size and modification time. A second read
/// that sees something else means the file changed in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

/// What reading a file gave: the text to analyse, or why it cannot be analysed (the finding,
/// and the reason or, for a file that is not UTF-8, its bytes: what the cache key records).
enum Read {
    Text(String, Stamp),
    Unanalysable {
        errors: Vec<Diagnostic>,
        stamp: Option<Stamp>,
        read_as: ReadAs,
    },
}

/// What an unanalysable file was read as, for the cache key.
enum ReadAs {
    Error(String),
    Bytes(Vec<u8>),
}

/// Reads one file as bytes: the text to analyse, or the finding that says why it cannot be.
fn read_one(file: &SourceFile, config: &Config) -> Read {
    let failed = |message: &str, stamp: Option<Stamp>| Read::Unanalysable {
        errors: file_error(&file.label, message, config),
        stamp,
        read_as: ReadAs::Error(message.to_string()),
    };
    if let Some(error) = &file.walk_error {
        return failed(error, None);
    }
    let metadata = match fs::metadata(&file.path) {
        Ok(metadata) => metadata,
        Err(error) => return failed(&format!("could not read file: {error}"), None),
    };
    // Only a regular file is read: opening a FIFO blocks, and a device may never end.
    if !metadata.is_file() {
        return failed("could not read file: not a regular file", None);
    }
    let stamp = Stamp {
        len: metadata.len(),
        modified: metadata.modified().ok(),
    };
    // A file over the limit is not even read.
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return failed(&too_large(metadata.len()), Some(stamp));
    }
    let bytes = match fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => return failed(&format!("could not read file: {error}"), None),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Read::Text(text, stamp),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let message =
                format!("file is not valid UTF-8 (first invalid byte at offset {offset})");
            Read::Unanalysable {
                errors: file_error(&file.label, &message, config),
                stamp: Some(stamp),
                read_as: ReadAs::Bytes(error.into_bytes()),
            }
        }
    }
}

/// Why a file over [`MAX_FILE_BYTES`] is not analysed (the library says the same of a text it is
/// given).
fn too_large(bytes: u64) -> String {
    format!(
        "file not analysed: it is {:.1} MiB, larger than the {} MiB limit (split it, or leave it out with `exclude`)",
        bytes as f64 / f64::from(1u32 << 20),
        MAX_FILE_BYTES >> 20
    )
}

/// What a file was read as, for the cache key (the hash of its bytes, or why it could not be
/// read), and its stamp.
fn hash_one(file: &SourceFile, config: &Config) -> (String, Option<Stamp>) {
    match read_one(file, config) {
        Read::Text(text, stamp) => (content_hash(text.as_bytes()), Some(stamp)),
        Read::Unanalysable {
            stamp,
            read_as: ReadAs::Bytes(bytes),
            ..
        } => (content_hash(&bytes), stamp),
        Read::Unanalysable {
            stamp,
            read_as: ReadAs::Error(message),
            ..
        } => (format!("error: {message}"), stamp),
    }
}

/// The run's files as the analysis reads them: from disk, when asked.
struct FileSources<'a> {
    files: &'a [SourceFile],
    config: &'a Config,
    /// Still to be waited for, the first time the analysis asks where a file goes.
    placing: Mutex<Option<Placing>>,
    placements: OnceLock<HashMap<PathBuf, Placement>>,
    /// Per file: how it looked when first read, and why it cannot be analysed.
    stamps: Vec<OnceLock<Option<Stamp>>>,
    errors: Vec<OnceLock<Vec<Diagnostic>>>,
    /// The texts read again for the findings, kept for rendering.
    kept: Mutex<HashMap<usize, String>>,
    changed: Mutex<Vec<String>>,
}

impl<'a> FileSources<'a> {
    fn new(
        files: &'a [SourceFile],
        placing: Option<Placing>,
        config: &'a Config,
        stamps: Option<&Vec<Option<Stamp>>>,
    ) -> FileSources<'a> {
        let first: Vec<OnceLock<Option<Stamp>>> = match stamps {
            Some(stamps) => stamps.iter().map(|stamp| OnceLock::from(*stamp)).collect(),
            None => files.iter().map(|_| OnceLock::new()).collect(),
        };
        FileSources {
            files,
            config,
            placing: Mutex::new(placing),
            placements: OnceLock::new(),
            stamps: first,
            errors: files.iter().map(|_| OnceLock::new()).collect(),
            kept: Mutex::new(HashMap::new()),
            changed: Mutex::new(Vec::new()),
        }
    }

    /// The findings of the files that could not be analysed, the texts kept, the files that
    /// changed while they were analysed, and the placements (when they were waited for here).
    #[allow(clippy::type_complexity)]
    fn finish(
        self,
    ) -> (
        Vec<Diagnostic>,
        HashMap<usize, String>,
        Vec<String>,
        Option<HashMap<PathBuf, Placement>>,
    ) {
        let errors = self
            .errors
            .into_iter()
            .filter_map(OnceLock::into_inner)
            .flatten()
            .collect();
        let mut changed = self
            .changed
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        changed.sort();
        changed.dedup();
        (
            errors,
            self.kept
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
            changed,
            self.placements.into_inner(),
        )
    }

    fn placements(&self) -> &HashMap<PathBuf, Placement> {
        self.placements.get_or_init(|| {
            let placing = self
                .placing
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            placing.map(Placing::wait).unwrap_or_default()
        })
    }
}

impl Sources for FileSources<'_> {
    fn count(&self) -> usize {
        self.files.len()
    }

    fn label(&self, index: usize) -> &str {
        &self.files[index].label
    }

    fn text(&self, index: usize) -> Option<String> {
        let file = &self.files[index];
        let (text, stamp) = match read_one(file, self.config) {
            Read::Text(text, stamp) => (Some(text), Some(stamp)),
            Read::Unanalysable { errors, stamp, .. } => {
                let _ = self.errors[index].set(errors);
                (None, stamp)
            }
        };
        let first = self.stamps[index].get_or_init(|| stamp);
        if *first != stamp {
            self.changed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(file.label.clone());
        }
        text
    }

    fn shown_text(&self, index: usize) -> Option<String> {
        let text = self.text(index)?;
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(index, text.clone());
        Some(text)
    }

    fn place(&self, index: usize) -> (String, Vec<String>) {
        let file = &self.files[index];
        match self.placements().get(&file.path) {
            Some(placement) => (placement.crate_name.clone(), placement.module.clone()),
            None => (file.crate_name.clone(), file.module.clone()),
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
            crate_name: "crate".to_string(),
            module: Vec::new(),
        }
    }

    fn errors(read: Read) -> Vec<Diagnostic> {
        match read {
            Read::Text(..) => panic!("the file was read"),
            Read::Unanalysable { errors, .. } => errors,
        }
    }

    #[test]
    fn an_unreadable_file_is_a_parse_error_finding() {
        let diagnostics = errors(read_one(&source("does/not/exist.rs"), &Config::default()));
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
        let diagnostics = errors(read_one(&source("does/not/exist.rs"), &config));
        assert!(diagnostics.is_empty());
    }
}
