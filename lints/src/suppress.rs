//! Applying suppressions: the allows a file's comments and attributes give (found by
//! `model::suppression`) and those inherited through `mod name;` declarations drop the findings
//! they cover; the unknown and unused ones, and malformed comments, become findings themselves.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Edit};
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

/// The reason `--add-allow` writes, for the author to replace.
pub const ALLOW_REASON: &str = "TODO: reason";

/// What `--add-allow` writes into one file: the comment edits, and how many findings got none.
#[derive(Debug, Default)]
pub struct AllowComments {
    /// One `// cancel-check: allow(..) -- TODO: reason` per line with findings, sorted.
    pub edits: Vec<Edit>,
    /// How many lines got a comment on a line of its own that covers more than the finding's
    /// line (the item or statement starting there), because none fits at the end of the line.
    pub wider: usize,
    /// Findings that got no comment: those about suppressions themselves and `parse_error`
    /// (which a comment does not answer), and those on a line where no comment can go (inside
    /// a string literal that spans lines).
    pub skipped: usize,
}

/// The suppression comments that silence `findings` (of the file whose text is `text`), as
/// ruff's `--add-noqa` does: one comment per line, naming every lint found on that line, with
/// the reason left to the author ([`ALLOW_REASON`]). A comment goes on a line of its own above
/// the finding's line, indented like it, when it covers that line only; when an item or a
/// statement starts there (a comment above it would cover all of it), at the end of the line
/// instead, unless that line ends in a comment or inside a literal.
pub fn allow_comments(text: &str, findings: &[&Diagnostic]) -> AllowComments {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let line_of = |offset: usize| starts.partition_point(|start| *start <= offset) - 1;
    let mut planned = AllowComments::default();
    let mut by_line: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
    for finding in findings {
        if META_LINTS.contains(&finding.lint.name) {
            planned.skipped += 1;
            continue;
        }
        let names = by_line
            .entry(line_of(finding.primary.span.start.min(text.len())))
            .or_default();
        if !names.contains(&finding.lint.name) {
            names.push(finding.lint.name);
        }
    }
    if by_line.is_empty() {
        return planned;
    }
    let (ends, starts_in_code) = crate::parse::line_ends(text);
    let targets: Vec<usize> = by_line.keys().copied().collect();
    // What a comment above each line would cover, from the file's items and statements; a file
    // that needs parse recovery is commented at line ends where it can be.
    let reach = match crate::parse::parse_source(text) {
        Ok(parsed) if parsed.edits.is_empty() && parsed.errors.is_empty() => Some(
            crate::model::suppression::own_line_reach(&parsed.file, text, &targets),
        ),
        _ => None,
    };
    let newline = crate::fix::newline(text);
    for (index, (&line, names)) in by_line.iter().enumerate() {
        let comment = format!(
            "// cancel-check: allow({}) -- {ALLOW_REASON}",
            names.join(", ")
        );
        let start = starts[line];
        let end = starts.get(line + 1).map_or(text.len(), |next| next - 1);
        let content = text[start..end].trim_end();
        let own_line_fits = starts_in_code.get(line).copied().unwrap_or(false);
        let covers_more = reach
            .as_ref()
            .is_none_or(|reach| reach[index] > start + content.len());
        let line_end_fits = ends.get(line) == Some(&crate::parse::LineEnd::Code);
        let edit = if own_line_fits && !covers_more {
            own_line(text, start, &comment, newline)
        } else if line_end_fits {
            Edit::insert(start + content.len(), format!(" {comment}"))
        } else if own_line_fits {
            planned.wider += 1;
            own_line(text, start, &comment, newline)
        } else {
            planned.skipped += findings
                .iter()
                .filter(|finding| line_of(finding.primary.span.start.min(text.len())) == line)
                .count();
            continue;
        };
        planned.edits.push(edit);
    }
    planned
}

/// The comment on a line of its own before the line starting at `start`, indented like it.
fn own_line(text: &str, start: usize, comment: &str, newline: &str) -> Edit {
    let indent = crate::fix::indentation(text, start);
    Edit::insert(start, format!("{indent}{comment}{newline}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn commented(text: &str) -> (String, AllowComments) {
        let findings = crate::analyze_file("src/lib.rs", text, &Config::default());
        let findings: Vec<&Diagnostic> = findings.iter().collect();
        let planned = allow_comments(text, &findings);
        let suggestion = crate::diagnostic::Suggestion {
            message: String::new(),
            edits: planned.edits.clone(),
            applicability: crate::diagnostic::Applicability::MachineApplicable,
        };
        (crate::fix::apply(text, &[&suggestion]).text, planned)
    }

    #[test]
    fn a_comment_above_the_line_or_at_its_end_when_a_statement_starts_there() {
        let text = "use std::sync::Mutex;\n\npub async fn f(m: &Mutex<u8>) {\n    let g = m.lock().unwrap();\n    tokio::task::yield_now().await;\n    drop(g);\n}\n\npub trait Store {\n    async fn get(&self) -> u8;\n    async fn put(\n        &self,\n    );\n}\n";
        let (fixed, planned) = commented(text);
        assert_eq!(
            fixed,
            "use std::sync::Mutex;\n\npub async fn f(m: &Mutex<u8>) {\n    // cancel-check: allow(lock_held_across_await) -- TODO: reason\n    let g = m.lock().unwrap();\n    tokio::task::yield_now().await;\n    drop(g);\n}\n\npub trait Store {\n    // cancel-check: allow(missing_send_bound) -- TODO: reason\n    async fn get(&self) -> u8;\n    async fn put( // cancel-check: allow(missing_send_bound) -- TODO: reason\n        &self,\n    );\n}\n"
        );
        assert_eq!((planned.wider, planned.skipped), (0, 0));
        assert!(crate::analyze_file("src/lib.rs", &fixed, &Config::default()).is_empty());
        let (again, planned) = commented(&fixed);
        assert!(planned.edits.is_empty());
        assert_eq!(again, fixed);
    }

    #[test]
    fn a_line_ending_in_a_comment_gets_one_of_its_own_that_covers_more() {
        let text = "pub trait Store {\n    async fn put( // the key\n        &self,\n    );\n}\n";
        let (fixed, planned) = commented(text);
        assert_eq!(
            fixed,
            "pub trait Store {\n    // cancel-check: allow(missing_send_bound) -- TODO: reason\n    async fn put( // the key\n        &self,\n    );\n}\n"
        );
        assert_eq!(planned.wider, 1);
        assert!(crate::analyze_file("src/lib.rs", &fixed, &Config::default()).is_empty());
    }

    #[test]
    fn a_line_that_starts_inside_a_string_gets_the_comment_at_its_end() {
        let text = "pub async fn f(m: &std::sync::Mutex<u8>) {\n    let s = \"a\nb\"; let g = m.lock().unwrap();\n    tokio::task::yield_now().await;\n    drop((s, g));\n}\n";
        let (fixed, _) = commented(text);
        assert_eq!(
            fixed,
            "pub async fn f(m: &std::sync::Mutex<u8>) {\n    let s = \"a\nb\"; let g = m.lock().unwrap(); // cancel-check: allow(lock_held_across_await) -- TODO: reason\n    tokio::task::yield_now().await;\n    drop((s, g));\n}\n"
        );
        assert!(crate::analyze_file("src/lib.rs", &fixed, &Config::default()).is_empty());
    }

    #[test]
    fn lints_about_suppressions_get_no_comment() {
        let text = "// cancel-check: allow(futurelock) -- nothing here\npub fn f() {}\n";
        let (fixed, planned) = commented(text);
        assert_eq!(fixed, text);
        assert_eq!(planned.skipped, 1);
    }
}
