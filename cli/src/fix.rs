//! `--fix`, `--diff` and `--add-allow`: edits of the analysed files.
//!
//! Fixes are applied in memory first, in rounds as ruff does: the suggestions of one round that
//! do not clash are applied, the files are analysed again, and the next round applies what the
//! new findings suggest, until nothing changes (at most [`MAX_ROUNDS`]). A file whose fixed
//! text would not parse keeps its text. Only then is anything written, file by file, and only
//! to a regular file (not a symlink) inside the analysed tree whose bytes are still those that
//! were read; the others are refused with a warning. `--diff` prints the same edits as a
//! unified diff and writes nothing.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;
use cancel_check_lints::fix::{apply, parses};
use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    allow_comments, Applicability, Config, Diagnostic, Suggestion, ALLOW_REASON,
};

use crate::analyze::{reanalyze, Analysis};
use crate::baseline::{self, BaselineFile};
use crate::boundary::Boundary;
use crate::escape::{path_label, source_text};
use crate::stderr;

/// Fixes can enable fixes (a fix that adds a binding makes room for another): after this many
/// rounds the rest is left for the next run.
const MAX_ROUNDS: usize = 10;

/// What the run does to its files.
#[derive(Default)]
pub struct Edits {
    /// For every file whose text changed (by index in `Analysis::files`): its text as it was
    /// read, and how many suggestions (or suppression comments) were applied to it.
    changed: HashMap<usize, (String, usize)>,
}

impl Edits {
    /// How many files change.
    pub fn files(&self) -> usize {
        self.changed.len()
    }

    /// How many suggestions (or comments) are applied.
    pub fn applied(&self) -> usize {
        self.changed.values().map(|(_, applied)| applied).sum()
    }

    fn record(&mut self, file: usize, original: String, applied: usize) {
        self.changed.entry(file).or_insert((original, 0)).1 += applied;
    }

    /// The changed files, in index order.
    fn indices(&self) -> Vec<usize> {
        let mut files: Vec<usize> = self.changed.keys().copied().collect();
        files.sort_unstable();
        files
    }
}

/// The run's context for analysing edited texts again.
pub struct Reanalysis<'a> {
    pub config: &'a Config,
    pub knowledge: &'a Knowledge,
    pub jobs: usize,
    pub baseline: Option<&'a BaselineFile>,
}

impl Reanalysis<'_> {
    /// Analyses the files' current texts and keeps what the baseline does not know.
    pub fn run(&self, analysis: &mut Analysis) -> Result<()> {
        analysis.diagnostics = reanalyze(
            &mut analysis.files,
            &analysis.diagnostics,
            self.config,
            self.knowledge,
            self.jobs,
        )?;
        if let Some(baseline) = self.baseline {
            baseline::apply(baseline.clone(), analysis);
        }
        Ok(())
    }
}

/// Whether a suggestion is applied with or without `--unsafe-fixes`.
fn wanted(suggestion: &Suggestion, unsafe_fixes: bool) -> bool {
    unsafe_fixes || suggestion.applicability == Applicability::MachineApplicable
}

/// Applies the findings' suggestions to the texts in memory, round after round; afterwards the
/// analysis holds the fixed texts and their findings.
pub fn fix_in_memory(
    analysis: &mut Analysis,
    again: &Reanalysis<'_>,
    unsafe_fixes: bool,
) -> Result<Edits> {
    let mut edits = Edits::default();
    let index: HashMap<String, usize> = analysis
        .files
        .iter()
        .enumerate()
        .map(|(at, file)| (file.file.label.clone(), at))
        .collect();
    // Files whose fixes would not leave them parsing: left alone from then on.
    let mut frozen: Vec<usize> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let mut by_file: HashMap<usize, Vec<&Suggestion>> = HashMap::new();
        for diagnostic in &analysis.diagnostics {
            let Some(&file) = index.get(&diagnostic.primary.file) else {
                continue;
            };
            let wanted = diagnostic
                .suggestions
                .iter()
                .filter(|suggestion| wanted(suggestion, unsafe_fixes));
            by_file.entry(file).or_default().extend(wanted);
        }
        let mut changed: Vec<(usize, String, usize)> = Vec::new();
        for (file, suggestions) in by_file {
            if suggestions.is_empty() || frozen.contains(&file) {
                continue;
            }
            let text = analysis.files[file].text();
            let applied = apply(text, &suggestions);
            if applied.applied == 0 {
                continue;
            }
            if !parses(&applied.text) {
                stderr::notice(format!(
                    "warning: left `{}` as it is: its fixes would not leave it parsing (please report this)",
                    analysis.files[file].file.label
                ));
                frozen.push(file);
                continue;
            }
            changed.push((file, applied.text, applied.applied));
        }
        if changed.is_empty() {
            break;
        }
        for (file, text, applied) in changed {
            let old = analysis.files[file].text.replace(text).unwrap_or_default();
            edits.record(file, old, applied);
        }
        again.run(analysis)?;
    }
    Ok(edits)
}

/// How many suggestions the findings still offer that `--unsafe-fixes` would apply, and how
/// many `--fix` alone would (left because they clash, or after the last round).
pub fn fixable(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let all = diagnostics.iter().flat_map(|d| &d.suggestions);
    let machine = all
        .clone()
        .filter(|s| s.applicability == Applicability::MachineApplicable)
        .count();
    (all.count() - machine, machine)
}

/// Writes a suppression comment for every finding into the texts in memory; afterwards the
/// analysis holds the new texts and what is still found in them.
pub fn add_allow_in_memory(analysis: &mut Analysis, again: &Reanalysis<'_>) -> Result<Edits> {
    let mut edits = Edits::default();
    let (mut wider, mut skipped) = (0, 0);
    for (index, file) in analysis.files.iter_mut().enumerate() {
        let findings: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.primary.file == file.file.label)
            .collect();
        if findings.is_empty() || !file.analysed {
            skipped += findings.len();
            continue;
        }
        let planned = allow_comments(file.text(), &findings);
        wider += planned.wider;
        skipped += planned.skipped;
        if planned.edits.is_empty() {
            continue;
        }
        let count = planned.edits.len();
        let comments = Suggestion {
            message: String::new(),
            edits: planned.edits,
            applicability: Applicability::MachineApplicable,
        };
        let applied = apply(file.text(), &[&comments]);
        if parses(file.text()) && !parses(&applied.text) {
            stderr::notice(format!(
                "warning: left `{}` as it is: its comments would not leave it parsing (please report this)",
                file.file.label
            ));
            continue;
        }
        let old = file.text.replace(applied.text).unwrap_or_default();
        edits.record(index, old, count);
    }
    if wider > 0 {
        stderr::notice(format!(
            "note: {wider} comment{} cover{} the whole item or statement below {}: its line ends in a comment or a literal",
            plural(wider),
            if wider == 1 { "s" } else { "" },
            if wider == 1 { "it" } else { "them" },
        ));
    }
    if skipped > 0 {
        stderr::notice(format!(
            "note: {skipped} finding{} got no comment: about suppressions themselves or `parse_error` (fix those), or on a line inside a literal",
            plural(skipped)
        ));
    }
    if edits.files() > 0 {
        again.run(analysis)?;
    }
    Ok(edits)
}

/// A file that was not written, and why.
pub struct Refused {
    pub label: String,
    pub reason: &'static str,
}

/// Writes every changed text to its file, when that file is a regular file inside `boundary`
/// whose bytes are still the ones that were read. A refused file is dropped from `edits` and
/// its text put back in the analysis (the caller analyses again when there are any).
pub fn write(analysis: &mut Analysis, edits: &mut Edits, boundary: &Boundary) -> Vec<Refused> {
    let mut refused = Vec::new();
    for index in edits.indices() {
        let file = &analysis.files[index];
        let original = &edits.changed[&index].0;
        if let Err(reason) = write_one(&file.file.path, original, file.text(), boundary) {
            refused.push(Refused {
                label: file.file.label.clone(),
                reason,
            });
            if let Some((original, _)) = edits.changed.remove(&index) {
                analysis.files[index].text = Some(original);
            }
        }
    }
    refused
}

fn write_one(
    path: &Path,
    original: &str,
    text: &str,
    boundary: &Boundary,
) -> Result<(), &'static str> {
    let metadata = fs::symlink_metadata(path).map_err(|_| "it can no longer be read")?;
    if metadata.file_type().is_symlink() {
        return Err("it is a symbolic link (fix the file it points to)");
    }
    if !metadata.is_file() {
        return Err("it is not a regular file");
    }
    let resolved = fs::canonicalize(path).map_err(|_| "it can no longer be read")?;
    if !boundary.allows_resolved(&resolved) {
        return Err("it is outside the analysed tree");
    }
    let now = fs::read(&resolved).map_err(|_| "it can no longer be read")?;
    if now != original.as_bytes() {
        return Err("it changed since it was read; run again");
    }
    let dir = resolved.parent().ok_or("it has no folder")?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".cancel-check-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|_| "its folder is not writable")?;
    let written = temporary
        .write_all(text.as_bytes())
        .and_then(|()| temporary.flush())
        .and_then(|()| fs::set_permissions(temporary.path(), metadata.permissions()));
    if written.is_err() {
        return Err("the new text could not be written");
    }
    temporary
        .persist(&resolved)
        .map_err(|_| "the new text could not be moved into place")?;
    Ok(())
}

/// Prints the edits as a unified diff (`--- a/<file>`, `+++ b/<file>`), files in path order.
/// Control characters from the sources are replaced, as in every text format.
pub fn print_diff(analysis: &Analysis, edits: &Edits, out: &mut dyn Write) -> io::Result<()> {
    let mut files = edits.indices();
    files.sort_by_key(|index| &analysis.files[*index].file.label);
    for index in files {
        let file = &analysis.files[index];
        let before = source_text(&edits.changed[&index].0);
        let after = source_text(file.text());
        let label = path_label(Path::new(&file.file.label));
        // `a/` and `b/` before a relative path, as git writes them (`git apply`, `patch -p1`);
        // an absolute path as it is (`patch -p0`).
        let (old, new) = if label.starts_with('/') {
            (label.clone(), label)
        } else {
            (format!("a/{label}"), format!("b/{label}"))
        };
        let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
        write!(
            out,
            "{}",
            diff.unified_diff().context_radius(3).header(&old, &new)
        )?;
    }
    out.flush()
}

/// The stderr summary of `--fix` (`written`) or `--diff`: what was or would be fixed, and the
/// fixes left to `--unsafe-fixes`.
pub fn report_fixes(edits: &Edits, remaining: &[Diagnostic], written: bool, unsafe_fixes: bool) {
    let (applied, files) = (edits.applied(), edits.files());
    let verb = if written { "applied" } else { "would apply" };
    if applied == 0 {
        stderr::notice("no fix to apply");
    } else {
        stderr::notice(format!(
            "{verb} {applied} fix{} to {files} file{}",
            if applied == 1 { "" } else { "es" },
            plural(files)
        ));
    }
    let (maybe, machine) = fixable(remaining);
    if maybe > 0 && !unsafe_fixes {
        stderr::notice(format!(
            "note: {maybe} more fix{} change{} behaviour or API: review {} in the help of the findings, or apply {} with `--unsafe-fixes`",
            if maybe == 1 { "" } else { "es" },
            if maybe == 1 { "s" } else { "" },
            if maybe == 1 { "it" } else { "them" },
            if maybe == 1 { "it" } else { "them" },
        ));
    }
    if machine > 0 || (unsafe_fixes && maybe > 0) {
        stderr::notice(
            "note: some fixes overlap others or need the result of one: run `--fix` again",
        );
    }
}

/// The stderr summary of `--add-allow`.
pub fn report_allows(edits: &Edits) {
    if edits.applied() == 0 {
        stderr::notice("no suppression comment to add");
        return;
    }
    stderr::notice(format!(
        "added {} suppression comment{} to {} file{}: replace each `{ALLOW_REASON}` with the reason",
        edits.applied(),
        plural(edits.applied()),
        edits.files(),
        plural(edits.files())
    ));
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_only_when_it_is_still_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        fs::create_dir_all(&root).unwrap();
        let file = root.join("lib.rs");
        fs::write(&file, "fn a() {}\n").unwrap();
        let boundary = Boundary::workspace(&root);
        assert_eq!(
            write_one(&file, "fn b() {}\n", "fn c() {}\n", &boundary),
            Err("it changed since it was read; run again")
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "fn a() {}\n");
        assert_eq!(
            write_one(&file, "fn a() {}\n", "fn d() {}\n", &boundary),
            Ok(())
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "fn d() {}\n");
        let names: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["lib.rs"], "no temporary file is left");
    }

    #[test]
    fn a_file_outside_the_boundary_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let (inside, outside) = (dir.path().join("ws"), dir.path().join("other"));
        fs::create_dir_all(&inside).unwrap();
        fs::create_dir_all(&outside).unwrap();
        let file = outside.join("lib.rs");
        fs::write(&file, "fn a() {}\n").unwrap();
        assert_eq!(
            write_one(&file, "fn a() {}\n", "", &Boundary::workspace(&inside)),
            Err("it is outside the analysed tree")
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "fn a() {}\n");
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_and_symlinks_are_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.rs");
        fs::write(&file, "a").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o750)).unwrap();
        let boundary = Boundary::workspace(dir.path());
        assert_eq!(write_one(&file, "a", "b", &boundary), Ok(()));
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o750);
        let link = dir.path().join("link.rs");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(
            write_one(&link, "b", "c", &boundary),
            Err("it is a symbolic link (fix the file it points to)")
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "b");
    }
}
