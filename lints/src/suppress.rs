//! Applying suppressions: the allows a file's comments and attributes give (found by
//! `model::suppression`) and those inherited through `mod name;` declarations drop the findings
//! they cover; the unknown and unused ones, and malformed comments, become findings themselves.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::lint::Level;
use crate::model::workspace::Unit;
use crate::model::FileModel;
use crate::registry::{closest_lint, lint_by_name};
use crate::rules::{unknown_lint, unused_allow};

/// For each file, the lints allowed on the `mod name;` declarations of it or of an ancestor
/// module (`#[cfg_attr(any(), allow(cancel_check::x))] mod legacy;` covers `legacy.rs` and its
/// submodules).
pub(crate) fn module_allows(units: &[Unit]) -> Vec<Vec<String>> {
    let mut inherited = vec![Vec::new(); units.len()];
    for declaring in units {
        for (name, lints) in &declaring.model.suppressions.module_allows {
            let mut target = declaring.module.clone();
            target.push(name.clone());
            for (index, unit) in units.iter().enumerate() {
                if unit.crate_name == declaring.crate_name && unit.module.starts_with(&target) {
                    inherited[index].extend(lints.iter().cloned());
                }
            }
        }
    }
    inherited
}

/// The lints whose suppressions are never reported as unused: they are about the suppressions
/// themselves, or about a file that was not analysed.
const META_LINTS: &[&str] = &["unused_allow", "unknown_lint", "parse_error"];

/// Applies a file's suppressions to its findings, then reports the lint names they give that
/// cancel-check does not know, the ones that suppressed nothing, and malformed comments (these
/// findings can themselves be suppressed).
pub(crate) fn apply(
    model: &FileModel,
    findings: Vec<Diagnostic>,
    config: &Config,
) -> Vec<Diagnostic> {
    let allows = &model.suppressions.allows;
    if allows.is_empty() && model.suppressions.malformed.is_empty() {
        return findings;
    }
    let path = model.path.as_str();
    let mut used: Vec<Vec<bool>> = allows.iter().map(|a| vec![false; a.lints.len()]).collect();
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings {
        let mut suppressed = false;
        for (allow, used) in allows.iter().zip(used.iter_mut()) {
            if !allow.covers.contains(&finding.primary.span.start) {
                continue;
            }
            for (lint, used) in allow.lints.iter().zip(used.iter_mut()) {
                if lint.name == finding.lint.name {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(finding);
        }
    }
    let mut meta = Vec::new();
    for (allow, used) in allows.iter().zip(&used) {
        for (lint, used) in allow.lints.iter().zip(used) {
            match lint_by_name(&lint.name) {
                None => meta.push(
                    unknown_lint::diagnostic(lint.span, &lint.name, closest_lint(&lint.name))
                        .in_file(path),
                ),
                Some(known)
                    if !*used
                        && !allow.reaches_modules
                        && !META_LINTS.contains(&known.name)
                        && config.level_at(
                            known,
                            path,
                            model.test_code.covers(allow.covers.start),
                        ) != Level::Allow =>
                {
                    meta.push(unused_allow::diagnostic(lint.span, &lint.name).in_file(path));
                }
                Some(_) => {}
            }
        }
    }
    for comment in &model.suppressions.malformed {
        meta.push(unused_allow::malformed(comment).in_file(path));
    }
    for diagnostic in meta {
        let suppressed = allows.iter().any(|allow| {
            allow.covers.contains(&diagnostic.primary.span.start)
                && allow
                    .lints
                    .iter()
                    .any(|lint| lint.name == diagnostic.lint.name)
        });
        if !suppressed {
            let in_test = model.test_code.covers(diagnostic.primary.span.start);
            kept.extend(config.report_at(diagnostic, in_test));
        }
    }
    kept
}
