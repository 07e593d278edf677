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
use crate::lint::Level;
use crate::model::workspace::Unit;
use crate::model::{FileModel, Workspace};
use crate::registry::REGISTERED;
use crate::rules::{parse_error, unknown_lint, unused_allow, LintContext};
use crate::span::Span;

/// One source file given to the analysis.
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The label used in diagnostics (a path relative to the workspace root, or as given).
    pub path: String,
    pub text: String,
    /// The crate the file belongs to, as a Rust identifier (`my_crate`).
    pub crate_name: String,
    /// The file's module path inside its crate (see [`module_path`]).
    pub module: Vec<String>,
}

impl SourceInput {
    /// A file of its own: crate `crate`, module taken from the file name.
    pub fn standalone(path: &str, text: &str) -> SourceInput {
        SourceInput {
            path: path.to_string(),
            text: text.to_string(),
            crate_name: "crate".to_string(),
            module: Vec::new(),
        }
    }
}

/// The module path of a file from its path relative to the crate's source root
/// (`lib.rs` and `main.rs` are the root; `net/conn.rs` and `net/conn/mod.rs` are `net::conn`).
pub fn module_path(relative: &str) -> Vec<String> {
    let relative = relative.replace('\\', "/");
    let mut parts: Vec<String> = relative
        .split('/')
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_string();
        let is_root = parts.is_empty() && matches!(stem.as_str(), "lib" | "main");
        if stem != "mod" && !is_root {
            parts.push(stem);
        }
    }
    parts
}

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
    let built: Vec<(Option<FileModel>, Vec<Diagnostic>)> = inputs
        .par_iter()
        .map(|input| {
            let built = build_model(input, config);
            progress.parsed();
            built
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut units = Vec::new();
    for (input, (model, errors)) in inputs.iter().zip(built) {
        diagnostics.extend(errors);
        if let Some(model) = model {
            units.push(Unit {
                model,
                crate_name: input.crate_name.clone(),
                module: input.module.clone(),
            });
        }
    }
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
            locate(&mut all, inputs);
            all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return all;
        }
    };
    let inherited = module_allows(&workspace.units);
    let per_file: Vec<Vec<Diagnostic>> = (0..workspace.units.len())
        .into_par_iter()
        .map(|file| {
            let checked = catch_unwind(AssertUnwindSafe(|| {
                run_rules(&workspace, file, config, &inherited[file])
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
    locate(&mut diagnostics, inputs);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// Fills in lines and columns of every label from its file's text (the model keeps byte ranges
/// only).
fn locate(diagnostics: &mut [Diagnostic], inputs: &[SourceInput]) {
    let texts: std::collections::HashMap<&str, &str> = inputs
        .iter()
        .map(|input| (input.path.as_str(), input.text.as_str()))
        .collect();
    for diagnostic in diagnostics {
        for label in std::iter::once(&mut diagnostic.primary).chain(diagnostic.secondary.iter_mut())
        {
            if let Some(text) = texts.get(label.file.as_str()) {
                label.span.locate(text);
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

/// Phase one for one file: parse and build the model, or explain why not.
fn build_model(input: &SourceInput, config: &Config) -> (Option<FileModel>, Vec<Diagnostic>) {
    let result = catch_unwind(AssertUnwindSafe(|| match parse(&input.text) {
        Ok(file) => Ok(FileModel::build(&input.path, &file, &input.text, config)),
        Err((span, message)) => Err(Box::new(parse_error::diagnostic(
            &input.path,
            span,
            &message,
        ))),
    }));
    // Spans of this thread's parses are no longer needed: free their source map.
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(Ok(model)) => (Some(model), Vec::new()),
        Ok(Err(diagnostic)) => (None, emit_one(*diagnostic, config)),
        Err(panic) => (
            None,
            file_error(
                &input.path,
                &format!(
                    "internal error while analysing the file: {}",
                    panic_text(&panic)
                ),
                config,
            ),
        ),
    }
}

fn emit_one(mut diagnostic: Diagnostic, config: &Config) -> Vec<Diagnostic> {
    let level = config.level_in(diagnostic.lint, &diagnostic.primary.file);
    if level == Level::Allow {
        return Vec::new();
    }
    diagnostic.level = level;
    vec![diagnostic]
}

/// For each file, the lints allowed on the `mod name;` declarations of it or of an ancestor
/// module (`#[cfg_attr(any(), allow(cancel_check::x))] mod legacy;` covers `legacy.rs` and its
/// submodules).
fn module_allows(units: &[Unit]) -> Vec<Vec<String>> {
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

/// Phase three for one file: every registered rule.
fn run_rules(
    workspace: &Workspace<'_>,
    file: usize,
    config: &Config,
    inherited: &[String],
) -> Vec<Diagnostic> {
    let model = &workspace.units[file].model;
    let mut cx = LintContext::new(config, workspace, file);
    for registered in REGISTERED {
        if let Some(check) = registered.check {
            check(&mut cx, model);
        }
    }
    let mut findings = cx.diagnostics;
    if !inherited.is_empty() {
        findings.retain(|finding| !inherited.iter().any(|lint| lint == finding.lint.name));
    }
    suppress(model, findings, config)
}

/// The lints whose suppressions are never reported as unused: they are about the suppressions
/// themselves, or about a file that was not analysed.
const META_LINTS: &[&str] = &["unused_allow", "unknown_lint", "parse_error"];

/// Applies a file's suppressions to its findings, then reports the lint names they give that
/// cancel-check does not know, the ones that suppressed nothing, and malformed comments (these
/// findings can themselves be suppressed).
fn suppress(model: &FileModel, findings: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
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
            match crate::registry::lint_by_name(&lint.name) {
                None => meta.push(unknown_lint::diagnostic(path, lint.span, &lint.name)),
                Some(known)
                    if !*used
                        && !allow.reaches_modules
                        && !META_LINTS.contains(&known.name)
                        && config.level_in(known, path) != Level::Allow =>
                {
                    meta.push(unused_allow::diagnostic(path, lint.span, &lint.name));
                }
                Some(_) => {}
            }
        }
    }
    for comment in &model.suppressions.malformed {
        meta.push(unused_allow::malformed(path, *comment));
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
            kept.extend(emit_one(diagnostic, config));
        }
    }
    kept
}

/// The `parse_error` finding for a file that could not be analysed at all (unreadable, not
/// UTF-8, an internal error), at its first line; empty when `parse_error` is allowed.
pub fn file_error(path: &str, message: &str, config: &Config) -> Vec<Diagnostic> {
    let start = Span {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        start: 0,
        end: 0,
    };
    let mut diagnostic = parse_error::diagnostic(path, start, "not analysed");
    diagnostic.message = message.to_string();
    diagnostic.primary = Label {
        file: path.to_string(),
        span: start,
        message: "not analysed".to_string(),
    };
    emit_one(diagnostic, config)
}

/// How deeply brackets may nest. syn parses recursively, so a file nested deeper than this (only
/// generated or hostile code is) is reported instead of risking a stack overflow.
pub const MAX_NESTING: usize = 256;

/// Lexes, checks the nesting depth, then parses (what `syn::parse_file` does, plus the check).
fn parse(text: &str) -> Result<syn::File, (Span, String)> {
    // A byte-order mark and a shebang line are not Rust tokens. They are blanked out byte for
    // byte, so that every span still points at the same bytes of the original text.
    let has_bom = text.starts_with('\u{feff}');
    let has_shebang = text.trim_start_matches('\u{feff}').starts_with("#!")
        && !text.trim_start_matches('\u{feff}').starts_with("#![");
    let blanked;
    let source = if has_bom || has_shebang {
        let mut owned = text.replacen('\u{feff}', "   ", usize::from(has_bom));
        if has_shebang {
            let end = owned.find('\n').unwrap_or(owned.len());
            owned.replace_range(..end, &" ".repeat(end));
        }
        blanked = owned;
        blanked.as_str()
    } else {
        text
    };
    let tokens: proc_macro2::TokenStream =
        source.parse().map_err(|error: proc_macro2::LexError| {
            (
                Span::from_pm2(error.span()),
                format!("cannot lex the file: {error}"),
            )
        })?;
    // The exact check walks the token tree, which costs; a byte scan rules out almost every
    // file first.
    let suspicious = bracket_depth_upper_bound(source) > MAX_NESTING;
    if let Some((depth, span)) = suspicious.then(|| too_deep(&tokens)).flatten() {
        return Err((
            span,
            format!("brackets nest {depth} levels deep here; the limit is {MAX_NESTING}"),
        ));
    }
    syn::parse2::<syn::File>(tokens)
        .map_err(|error| (Span::from_pm2(error.span()), error.to_string()))
}

/// The deepest bracket nesting of the text, skipping comments and string, byte-string, raw-string
/// and char literals. It may over-count (a quirk of the source it does not know) but never
/// under-counts a real nesting, so it only decides whether the exact check is needed.
fn bracket_depth_upper_bound(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut depth, mut deepest) = (0, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut nested = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        nested += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        nested -= 1;
                        i += 2;
                        if nested == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"') | Some(b'#'))
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')) =>
            {
                let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
                if bytes.get(i + 1 + hashes) == Some(&b'"') {
                    i += 2 + hashes;
                    while i < bytes.len() {
                        if bytes[i] == b'"'
                            && bytes[i + 1..]
                                .iter()
                                .take(hashes)
                                .filter(|b| **b == b'#')
                                .count()
                                == hashes
                        {
                            i += 1 + hashes;
                            break;
                        }
                        i += 1;
                    }
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A char literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            b'\'' => {
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                } else if let Some(len) = text[i + 1..].chars().next().map(char::len_utf8) {
                    if bytes.get(i + 1 + len) == Some(&b'\'') {
                        i += 1 + len;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// The first group nested deeper than [`MAX_NESTING`], found without recursion.
fn too_deep(tokens: &proc_macro2::TokenStream) -> Option<(usize, Span)> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(proc_macro2::TokenTree::Group(group)) => {
                if stack.len() > MAX_NESTING {
                    return Some((stack.len(), Span::from_pm2(group.span_open())));
                }
                stack.push(group.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_skips_literals_and_comments() {
        let text = r##"fn f<'a>(x: &'a str) { let s = "(((("; let r = r#"[[[["#; let c = '{'; /* { /* ( */ */ // (((
        g(x) }"##;
        assert_eq!(bracket_depth_upper_bound(text), 2);
        let deep = format!("fn f() {{ {}{} }}", "(".repeat(300), ")".repeat(300));
        assert_eq!(bracket_depth_upper_bound(&deep), 301);
    }
}
