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
/// only). Each file's text is swept once for all its labels: a large file with many findings must
/// not be rescanned from its start for every one.
fn locate(diagnostics: &mut [Diagnostic], inputs: &[SourceInput]) {
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
        for label in labels(diagnostic) {
            if let Some(&file) = files
                .get(label.file.as_str())
                .filter(|_| label.span.line == 0)
            {
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
    if let Some((score, offset)) = syntax_too_deep(source) {
        let span = Span {
            start: offset,
            end: offset + source[offset..].chars().next().map_or(0, char::len_utf8),
            ..Span::default()
        };
        return Err((
            span,
            format!(
                "expressions, types or patterns nest too deeply here (nesting score {score}; \
                 the limit is {MAX_SYNTAX_DEPTH})"
            ),
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

/// How deeply expressions, types and patterns may nest without brackets, as a score (see
/// [`syntax_too_deep`]). syn parses prefix operators, closures, `return`, references and generic
/// arguments recursively, and the model walks the resulting trees recursively: `|| || || 0` or
/// `&&&&x` ten thousand times deep would overflow the stack. Real code scores below 3,000.
pub const MAX_SYNTAX_DEPTH: usize = 8192;

/// Score of a token after which syn recurses: a prefix operator, `<`, a closure's bars, a
/// keyword such as `return`, `move` or `dyn`, a bracket that opens an operand.
const DEEP: usize = 16;
/// Score of an assignment operator: syn parses the right-hand side recursively.
const ASSIGN: usize = 4;
/// Score of a binary operator, `?`, `as` or a call: syn loops, but the tree deepens.
const CHAIN: usize = 1;
/// Score of a `.` (a field or method call): a chain of fields costs more stack to walk and
/// clone than other chains.
const DOT: usize = 3;

/// What the previous token of a bracket level was, for [`syntax_too_deep`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing yet, or a `;` or `,`: an operand comes next.
    Start,
    /// The end of an operand: an identifier, a literal, `self`, a `(..)` or `[..]` group.
    Value,
    /// A `{..}` group, which also ends an operand.
    Block,
    /// A keyword after which an operand comes (`return`, `move`, `dyn`, ...).
    Keyword,
    /// `.` or `::`: a field, method or path segment name comes next.
    Name,
    /// `'`: a lifetime or label name comes next.
    Lifetime,
    /// The end of an attribute or doc comment.
    Attribute,
    /// The `!` of a macro call: its body comes next.
    Bang,
    /// An operator, its characters so far (at most three), and whether a punctuation character
    /// follows without a space.
    Operator {
        op: [u8; 3],
        len: usize,
        joint: bool,
    },
}

/// One bracket level of [`syntax_too_deep`].
struct Bracket {
    /// The score of the enclosing levels, up to and including this level's opening bracket.
    base: usize,
    /// The score since the last point where nothing opened on this level can still be open.
    open: usize,
    /// `<` not yet closed by `>` since that point (generic arguments span commas).
    angle: usize,
    /// Between the bars of a closure's parameters (which span commas).
    in_params: bool,
    /// Whether the current operator started where an operand was expected (a prefix operator).
    prefix: bool,
    prev: Prev,
    /// The level is the `[..]` of an attribute.
    attribute: bool,
    /// The previous token is a `{..}` block that began with nothing open: a block statement,
    /// after which even a bracket starts a new statement.
    block_statement: bool,
}

impl Bracket {
    fn new(base: usize, attribute: bool) -> Bracket {
        Bracket {
            base,
            open: 0,
            angle: 0,
            in_params: false,
            prefix: false,
            prev: Prev::Start,
            attribute,
            block_statement: false,
        }
    }

    /// Nothing opened on this level so far can continue past this point.
    fn close_all(&mut self) {
        self.open = 0;
        self.angle = 0;
        self.in_params = false;
    }
}

/// A token of [`syntax_too_deep`]'s own lexer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token<'t> {
    Word(&'t [u8]),
    Literal,
    /// A punctuation character, and whether another one follows without a space.
    Punct(u8, bool),
    /// An opening bracket, `true` for `{`.
    Open(bool),
    Close,
    DocComment,
}

/// Scores how deeply the syntax may nest, and returns the score and byte offset of the first
/// token where it exceeds [`MAX_SYNTAX_DEPTH`]. One pass over the bytes, no allocation per
/// token.
///
/// Along a path of brackets, each level adds the weights of its tokens since the last point
/// where nothing it opened can still be open: a `;`, a `=>`, a `,` outside generic arguments and
/// closure parameters, or a `{..}` block followed by a new item or statement. Tokens after which
/// syn recurses weigh [`DEEP`], assignments [`ASSIGN`], binary and postfix operators [`CHAIN`];
/// identifiers and literals weigh nothing. So the score bounds both syn's recursion and the
/// depth of the syntax tree. Where its lexer is unsure, it scores more, never less.
pub(crate) fn syntax_too_deep(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut levels = vec![Bracket::new(0, false)];
    let mut i = 0;
    while let Some((token, start, end)) = next_token(text, i) {
        i = end;
        if token == Token::Close {
            if levels.len() > 1 {
                let closed = levels.pop();
                if let (Some(closed), Some(parent)) = (closed, levels.last_mut()) {
                    if closed.attribute {
                        parent.prev = Prev::Attribute;
                    }
                }
            }
            continue;
        }
        let Some(level) = levels.last_mut() else {
            break;
        };
        let ends_statement = level.prev == Prev::Block
            && match token {
                Token::Word(word) => word != b"else" && word != b"as",
                Token::Literal | Token::DocComment => true,
                Token::Punct(ch, _) => ch == b'#' || ch == b'\'',
                Token::Open(_) => level.block_statement,
                Token::Close => false,
            };
        if ends_statement {
            level.close_all();
        }
        level.block_statement = false;
        let operand_expected = !matches!(level.prev, Prev::Value | Prev::Block);
        let mut opens = None;
        let weight = match token {
            Token::Word(word) => {
                let (weight, prev) = if matches!(level.prev, Prev::Name | Prev::Lifetime) {
                    (0, Prev::Value)
                } else {
                    if matches!(word, b"pub" | b"struct" | b"enum" | b"trait" | b"mod") {
                        // These only start an item or a field: nothing before is still open.
                        level.close_all();
                    }
                    keyword_weight(word, level.prev == Prev::Keyword)
                };
                level.prev = prev;
                weight
            }
            Token::Literal => {
                level.prev = Prev::Value;
                0
            }
            Token::DocComment => {
                let weight = if level.prev == Prev::Attribute {
                    0
                } else {
                    DEEP
                };
                level.prev = Prev::Attribute;
                weight
            }
            Token::Open(brace) => {
                let weight = if matches!(level.prev, Prev::Value | Prev::Block | Prev::Bang) {
                    CHAIN
                } else {
                    DEEP
                };
                level.prev = if brace { Prev::Block } else { Prev::Value };
                level.block_statement = brace && level.open == 0;
                opens = Some(false);
                weight
            }
            Token::Punct(b'#', _) if attribute_follows(bytes, &mut i) => {
                // `#[..]` or `#![..]`: a run of attributes is a flat list.
                let weight = if level.prev == Prev::Attribute {
                    0
                } else {
                    DEEP
                };
                level.prev = Prev::Attribute;
                opens = Some(true);
                weight
            }
            Token::Punct(ch, joint) => {
                punct_weight(level, ch, joint, operand_expected, bytes, &mut i)
            }
            Token::Close => 0,
        };
        level.open += weight;
        let here = level.base + level.open;
        if here > MAX_SYNTAX_DEPTH {
            return Some((here, start));
        }
        if let Some(attribute) = opens {
            levels.push(Bracket::new(here, attribute));
        }
    }
    None
}

/// The weight of a word and what it leaves as the previous token. Keywords that introduce an
/// operand weigh [`DEEP`], except the chaining `as`, `in`, `else` and an `if` after `else`.
fn keyword_weight(word: &[u8], after_keyword: bool) -> (usize, Prev) {
    match word {
        b"self" | b"Self" | b"super" | b"crate" | b"true" | b"false" => (0, Prev::Value),
        b"as" | b"in" | b"else" => (CHAIN, Prev::Keyword),
        b"if" if after_keyword => (CHAIN, Prev::Keyword),
        b"async" | b"await" | b"become" | b"box" | b"break" | b"const" | b"continue" | b"do"
        | b"dyn" | b"enum" | b"extern" | b"fn" | b"for" | b"if" | b"impl" | b"let" | b"loop"
        | b"macro" | b"match" | b"mod" | b"move" | b"mut" | b"override" | b"priv" | b"pub"
        | b"ref" | b"return" | b"static" | b"struct" | b"trait" | b"try" | b"type" | b"typeof"
        | b"unsafe" | b"unsized" | b"use" | b"virtual" | b"where" | b"while" | b"yield"
        | b"abstract" | b"final" | b"gen" => (DEEP, Prev::Keyword),
        _ => (0, Prev::Value),
    }
}

/// Whether `ch` continues the operator whose characters so far are `op`, as Rust lexes
/// operators (`&&`, `..=`, `>>=`, `::`, `->`, `=>`, ...).
fn continues_operator(op: &[u8], ch: u8) -> bool {
    match ch {
        b'=' => matches!(
            op,
            b"=" | b"!"
                | b"<"
                | b">"
                | b"+"
                | b"-"
                | b"*"
                | b"/"
                | b"%"
                | b"^"
                | b"&"
                | b"|"
                | b"<<"
                | b">>"
                | b".."
        ),
        b'&' => op == b"&",
        b'|' => op == b"|",
        b'<' => op == b"<",
        b'>' => matches!(op, b">" | b"-" | b"="),
        b'.' => matches!(op, b"." | b".."),
        b':' => op == b":",
        _ => false,
    }
}

/// The weight of a punctuation character, updating the level: `;`, `=>` and most `,` close
/// what is open, `<` and `>` track generic arguments, bars track closure parameters.
fn punct_weight(
    level: &mut Bracket,
    ch: u8,
    joint: bool,
    operand_expected: bool,
    bytes: &[u8],
    i: &mut usize,
) -> usize {
    let (mut op, len) = match level.prev {
        Prev::Operator {
            op,
            len,
            joint: true,
        } if continues_operator(&op[..len], ch) => (op, len),
        _ => {
            level.prefix = operand_expected;
            ([0; 3], 0)
        }
    };
    let joined = len > 0;
    let so_far = &op[..len];
    // A prefix operator makes syn recurse; the rest of a binary operator adds nothing.
    let mut weight = match (level.prefix, joined) {
        (true, _) => DEEP,
        (false, false) => CHAIN,
        (false, true) => 0,
    };
    let mut prev = None;
    match ch {
        b';' => {
            level.close_all();
            weight = 0;
            prev = Some(Prev::Start);
        }
        b',' => {
            if level.angle == 0 && !level.in_params {
                level.open = 0;
            }
            weight = 0;
            prev = Some(Prev::Start);
        }
        b'>' if so_far == b"=" => {
            level.close_all();
            weight = 0;
            prev = Some(Prev::Start);
        }
        b'<' => {
            level.angle += 1;
            weight = DEEP;
        }
        b'>' => {
            // Never a prefix operator: it closes generic arguments or compares. Closing
            // generic arguments ends the recursion their `<` opened.
            weight = if joined { 0 } else { CHAIN };
            if so_far != b"-" && level.angle > 0 {
                level.angle -= 1;
                level.open = level.open.saturating_sub(DEEP - CHAIN);
            }
        }
        b'@' => weight = DEEP,
        b'|' if !joined => {
            let pair = joint && bytes.get(*i) == Some(&b'|');
            if pair {
                *i += 1;
            }
            if level.in_params {
                // The closing bar; `||` also opens the next closure's parameters.
                level.in_params = pair;
                weight = DEEP;
            } else if operand_expected {
                level.in_params = !pair;
                weight = DEEP;
            }
            prev = Some(Prev::Operator {
                op,
                len: 0,
                joint: false,
            });
        }
        b'=' if !level.prefix => {
            weight = match so_far {
                b"=" | b"!" | b"<" | b">" | b".." => 0,
                _ => ASSIGN,
            };
        }
        b'\'' => prev = Some(Prev::Lifetime),
        b'.' if !joint && !joined => {
            weight = weight.max(DOT);
            prev = Some(Prev::Name);
        }
        b':' if joined => prev = Some(Prev::Name),
        b'!' if !operand_expected && !joint => prev = Some(Prev::Bang),
        b'?' if !operand_expected => prev = Some(Prev::Value),
        _ => {}
    }
    level.prev = prev.unwrap_or_else(|| {
        if len < op.len() {
            op[len] = ch;
        }
        Prev::Operator {
            op,
            len: (len + 1).min(op.len()),
            joint,
        }
    });
    weight
}

/// Whether the `#` just before `i` starts an attribute (`[` or `![` follows, maybe after
/// whitespace); if so, moves `i` past the `[`.
fn attribute_follows(bytes: &[u8], i: &mut usize) -> bool {
    let mut at = *i;
    let skip = |at: &mut usize| {
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    skip(&mut at);
    if bytes.get(at) == Some(&b'!') {
        at += 1;
        skip(&mut at);
    }
    let attribute = bytes.get(at) == Some(&b'[');
    if attribute {
        *i = at + 1;
    }
    attribute
}

/// The next token at or after `i` (past whitespace and plain comments), with its start and end
/// offsets; `None` at the end of the text.
fn next_token(text: &str, mut i: usize) -> Option<(Token<'_>, usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let is_operator = |b: u8| b.is_ascii_punctuation() && !b"()[]{}\"'_,;".contains(&b);
    loop {
        let start = i;
        let b = *bytes.get(i)?;
        let next = bytes.get(i + 1).copied();
        let (token, end) = match b {
            b' ' | 0x09..=0x0d => {
                i += 1;
                continue;
            }
            0x80.. if whitespace_at(text, i) > 0 => {
                i += whitespace_at(text, i);
                continue;
            }
            b'/' if next == Some(b'/') => {
                let doc = bytes.get(i + 2) == Some(&b'!')
                    || (bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/'));
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                if !doc {
                    continue;
                }
                (Token::DocComment, i)
            }
            b'/' if next == Some(b'*') => {
                let doc = bytes.get(i + 2) == Some(&b'!')
                    || (bytes.get(i + 2) == Some(&b'*')
                        && !matches!(bytes.get(i + 3), Some(b'*' | b'/')));
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
                if !doc {
                    continue;
                }
                (Token::DocComment, i)
            }
            b'(' | b'[' | b'{' => (Token::Open(b == b'{'), i + 1),
            b')' | b']' | b'}' => (Token::Close, i + 1),
            b'"' => (Token::Literal, skip_string(bytes, i + 1)),
            b'\'' if next == Some(b'\\') => {
                // A char literal with an escape: '\n', '\'', '\u{..}'.
                let mut end = i + 3;
                while end < bytes.len() && bytes[end] != b'\'' {
                    end += 1;
                }
                (Token::Literal, end + 1)
            }
            b'\'' => {
                // A char literal ('x') or a lifetime ('a).
                let len = utf8_len(next.unwrap_or(0));
                if bytes.get(i + 1 + len) == Some(&b'\'') {
                    (Token::Literal, i + 2 + len)
                } else {
                    (Token::Punct(b'\'', false), i + 1)
                }
            }
            _ if b.is_ascii_digit() => {
                // Digits, suffix and fraction (`1_000u32`, `1.5`, not the `..` of `1..2`).
                let mut end = word_end(text, i);
                while bytes.get(end) == Some(&b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    end = word_end(text, end + 1);
                }
                (Token::Literal, end)
            }
            _ if is_word(b) => {
                let end = word_end(text, i);
                let word = &bytes[i..end];
                let after = bytes.get(end).copied();
                let hashes = bytes[end..].iter().take_while(|b| **b == b'#').count();
                if matches!(word, b"r" | b"br" | b"cr") && bytes.get(end + hashes) == Some(&b'"') {
                    (
                        Token::Literal,
                        skip_raw_string(bytes, end + hashes + 1, hashes),
                    )
                } else if word == b"r"
                    && hashes == 1
                    && bytes.get(end + 1).is_some_and(|b| is_word(*b))
                {
                    // A raw identifier (`r#type`), never a keyword.
                    (Token::Word(b"r#"), word_end(text, end + 1))
                } else if matches!(word, b"b" | b"c") && after == Some(b'"') {
                    (Token::Literal, skip_string(bytes, end + 1))
                } else if word == b"b" && after == Some(b'\'') {
                    let mut past = end + 2 + usize::from(bytes.get(end + 1) == Some(&b'\\'));
                    while past < bytes.len() && bytes[past] != b'\'' {
                        past += 1;
                    }
                    (Token::Literal, past + 1)
                } else {
                    (Token::Word(word), end)
                }
            }
            _ => (
                Token::Punct(b, is_operator(b) && next.is_some_and(is_operator)),
                i + 1,
            ),
        };
        return Some((token, start, end.min(bytes.len())));
    }
}

/// The length of the whitespace character at `i`, or 0: what proc-macro2 skips, ASCII 9 to 13
/// and space, Unicode white space, and the left-to-right and right-to-left marks.
fn whitespace_at(text: &str, i: usize) -> usize {
    match text.as_bytes()[i] {
        b' ' | 0x09..=0x0d => 1,
        b if b.is_ascii() => 0,
        _ => text[i..]
            .chars()
            .next()
            .filter(|ch| ch.is_whitespace() || matches!(ch, '\u{200e}' | '\u{200f}'))
            .map_or(0, char::len_utf8),
    }
}

/// The end of the identifier-like run of characters (ASCII letters, digits and `_`, and every
/// non-ASCII character but white space) starting at `i`.
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_alphanumeric() || b == b'_' {
            i += 1;
        } else if b >= 0x80 && whitespace_at(text, i) == 0 {
            i += utf8_len(b);
        } else {
            break;
        }
    }
    i
}

/// The length of the UTF-8 character whose first byte is `first`.
fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// The offset past a string literal whose body starts at `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// The offset past a raw string literal whose body starts at `i` and ends with `"` and `hashes`
/// hashes.
fn skip_raw_string(bytes: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes[i + 1..]
                .iter()
                .take(hashes)
                .take_while(|b| **b == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
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

    #[test]
    fn the_syntax_depth_resets_only_where_nothing_can_stay_open() {
        let many = |unit: &str| unit.repeat(100_000);
        // Flat lists of any length: statements, items, attributes, elements, match arms.
        for flat in [
            format!("fn f() {{ {} }}", many("let x = &*y?.z();")),
            many("#[inline] pub fn f(a: &mut u8) -> Option<Vec<u8>> { None }\n"),
            format!("static T: &[&u8] = &[{}];", many("&1, ")),
            format!(
                "fn f() {{ match x {{ {} }} }}",
                many("Some(a) => { g(a) } ")
            ),
            format!(
                "fn f() {{ {} }}",
                many("{ let g = m.lock(); drop(g); x().await; } ")
            ),
        ] {
            assert_eq!(syntax_too_deep(&flat), None);
        }
        // `|` may be a binary operator, whose chains make deep trees: a pattern of 3,000
        // alternatives passes (the corpus's largest has 700), not one of any length.
        let alternatives = "'a'..='z' | ".repeat(3_000);
        let table = format!("fn f(c: char) -> bool {{ matches!(c, {alternatives} 'x') }}");
        assert_eq!(syntax_too_deep(&table), None);
        // Chains and nestings without brackets, including across the commas of closure
        // parameters and generic arguments.
        for deep in [
            many("|| "),
            // proc-macro2 skips Unicode white space and direction marks: so must the scan.
            many("||\u{a0}"),
            many("&\u{200e}"),
            many("!\x0b"),
            many("|a, b| "),
            many("A<B, "),
            many("- "),
            many(".a()"),
            many("+ 1 "),
        ] {
            let (score, offset) = syntax_too_deep(&deep).expect("too deep");
            assert!(
                score > MAX_SYNTAX_DEPTH && offset < deep.len(),
                "{score} {offset}"
            );
        }
    }
}
