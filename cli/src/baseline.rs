//! Baselines: adopt the tool on a big codebase today. `--write-baseline F` records the
//! fingerprints of the current findings; `--baseline F` reports only the findings that are not
//! in it, says how many it suppressed, and lists the entries that no longer match anything (fixed
//! since, ready to be dropped by writing the baseline again).
//!
//! A fingerprint is the lint, the repository-relative path, the normalised text of the primary
//! line and its neighbours, and an occurrence index (see [`crate::fingerprint`]): moving code up
//! or down does not break the match; editing the flagged line does.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{anyhow, Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::analyze::Analysis;
use crate::fingerprint::{fingerprints, Fingerprint, RepoRoot};

/// The format version of the file.
const VERSION: u32 = 1;

/// The baseline file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One recorded finding. `line` and `message` are for the reader; matching ignores them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub lint: String,
    pub path: String,
    pub context: String,
    pub occurrence: usize,
    pub line: u32,
    pub message: String,
}

impl Entry {
    fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            lint: self.lint.clone(),
            path: self.path.clone(),
            context: self.context.clone(),
            occurrence: self.occurrence,
        }
    }
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings the baseline suppressed.
    pub suppressed: usize,
    /// Entries that matched no finding.
    pub fixed: Vec<Entry>,
}

/// Writes the findings of a run as a baseline; returns how many were recorded.
pub fn write(path: &Path, analysis: &Analysis) -> Result<usize> {
    let root = RepoRoot::for_analysis(analysis);
    let findings: Vec<Entry> = fingerprints(analysis, &root)
        .into_iter()
        .zip(&analysis.diagnostics)
        .map(|(fingerprint, diagnostic)| Entry {
            lint: fingerprint.lint,
            path: fingerprint.path,
            context: fingerprint.context,
            occurrence: fingerprint.occurrence,
            line: diagnostic.primary.span.line,
            message: diagnostic.message.clone(),
        })
        .collect();
    let count = findings.len();
    let file = BaselineFile {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    fs::write(path, text)
        .with_context(|| format!("could not write the baseline `{}`", path.display()))?;
    Ok(count)
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<BaselineFile> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("could not read the baseline `{}`", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|error| {
        anyhow!(
            "`{}` is not a cancel-check baseline: {error}",
            path.display()
        )
    })?;
    if file.version != VERSION {
        return Err(anyhow!(
            "`{}` is a baseline of version {}; this cancel-check reads version {VERSION}",
            path.display(),
            file.version
        ));
    }
    Ok(file)
}

/// Removes the findings that the baseline holds from the analysis.
pub fn apply(baseline: BaselineFile, analysis: &mut Analysis) -> Applied {
    let root = RepoRoot::for_analysis(analysis);
    let mut remaining: HashMap<Fingerprint, Entry> = baseline
        .findings
        .into_iter()
        .map(|entry| (entry.fingerprint(), entry))
        .collect();
    let prints = fingerprints(analysis, &root);
    let mut applied = Applied::default();
    let mut kept = Vec::with_capacity(analysis.diagnostics.len());
    for (diagnostic, fingerprint) in std::mem::take(&mut analysis.diagnostics)
        .into_iter()
        .zip(prints)
    {
        if remaining.remove(&fingerprint).is_some() {
            applied.suppressed += 1;
        } else {
            kept.push(diagnostic);
        }
    }
    analysis.diagnostics = kept;
    let mut fixed: Vec<Entry> = remaining.into_values().collect();
    fixed.sort_by(|a, b| (&a.path, a.line, &a.lint).cmp(&(&b.path, b.line, &b.lint)));
    applied.fixed = fixed;
    applied
}
