//! The driver: parse a file, build its model, run the registered rules.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::knowledge::Knowledge;
use crate::model::FileModel;
use crate::registry::REGISTERED;
use crate::rules::{parse_error, LintContext};
use crate::span::Span;

/// Analyses one file: `path` is the label used in diagnostics, `text` its contents.
///
/// Never panics: a file syn rejects gives a `parse_error` finding, and an internal failure is
/// reported the same way, so one bad file never stops a run. Diagnostics come back sorted.
pub fn analyze_file(path: &str, text: &str, config: &Config) -> Vec<Diagnostic> {
    let result = catch_unwind(AssertUnwindSafe(|| analyze(path, text, config)));
    // Spans of this thread's parses are no longer needed: free their source map.
    proc_macro2::extra::invalidate_current_thread_spans();
    let mut diagnostics = result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        file_error(
            path,
            &format!("internal error while analysing the file: {what}"),
            config,
        )
    });
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// The `parse_error` finding for a file that could not be analysed at all (unreadable, not
/// UTF-8, an internal error), at its first line; empty when `parse_error` is allowed.
pub fn file_error(path: &str, message: &str, config: &Config) -> Vec<Diagnostic> {
    let mut cx = LintContext::new(config, Knowledge::builtin());
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
    cx.emit(diagnostic);
    cx.diagnostics
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
    if let Some((depth, span)) = too_deep(&tokens) {
        return Err((
            span,
            format!("brackets nest {depth} levels deep here; the limit is {MAX_NESTING}"),
        ));
    }
    syn::parse2::<syn::File>(tokens)
        .map_err(|error| (Span::from_pm2(error.span()), error.to_string()))
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

fn analyze(path: &str, text: &str, config: &Config) -> Vec<Diagnostic> {
    let knowledge = Knowledge::builtin();
    let mut cx = LintContext::new(config, knowledge);
    let file = match parse(text) {
        Ok(file) => file,
        Err((span, message)) => {
            cx.emit(parse_error::diagnostic(path, span, &message));
            return cx.diagnostics;
        }
    };
    let model = FileModel::build(path, &file);
    for registered in REGISTERED {
        if let Some(check) = registered.check {
            cx.current = Some(registered.lint);
            check(&mut cx, &model);
        }
    }
    cx.diagnostics
}
