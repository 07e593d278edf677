//! One run of the tool: parse the arguments, pick the files, analyse, render, choose the exit code.

use std::borrow::Cow;
use std::env;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{lint_by_name, Config, Level};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice as TermColor};

use crate::analyze::analyze;
use crate::api::{matching, print_entries};
use crate::args::{Args, ColorChoice, Command, MessageFormat, BINARY};
use crate::baseline;
use crate::boundary::Boundary;
use crate::cache::{self, Cache};
use crate::config::{discover_root, manifests_for, ProjectConfig, CONFIG_FILE, HIDDEN_CONFIG_FILE};
use crate::deps::{dependency_docs, Scope};
use crate::escape::{path_label, printable};
use crate::explain::{explain, is_warnings, list_lints, unknown_lint_message, Named};
use crate::fix::{self, Reanalysis};
use crate::render::{json, render, statistics, Notice, Output};
use crate::stderr::{self, Verbosity};
use crate::with_cargo::CargoRun;
use crate::workspace::{path_files, workspace_files, PackageSelection, Placing, SourceFile};

/// Exit code: no finding at warn level or above.
const CLEAN: u8 = 0;
/// Exit code: findings.
const FINDINGS: u8 = 1;
/// Exit code: the tool could not do its job (also what `main` returns for an `Err`).
pub const FAILURE: u8 = 2;

/// `-j` above this is taken as this: more threads than that only cost.
const MAX_JOBS: usize = 256;

/// Runs the tool on a command line (`args` includes the program name).
pub fn run<I, T>(args: I) -> Result<ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args = match Args::from_command_line(args) {
        Ok(args) => args,
        Err(error) => {
            error.print()?;
            return Ok(ExitCode::from(if error.use_stderr() {
                FAILURE
            } else {
                CLEAN
            }));
        }
    };
    stderr::set_verbosity(if args.quiet {
        Verbosity::Quiet
    } else if args.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    });
    let color = if use_color(args.color)? {
        TermColor::Always
    } else {
        TermColor::Never
    };
    let mut out = BufferedStandardStream::stdout(color);
    let jobs = match args.jobs {
        Some(jobs) => usize::from(jobs),
        None => thread::available_parallelism().map_or(1, NonZero::get),
    }
    .min(MAX_JOBS);
    match &args.command {
        Some(Command::Explain { lint }) => {
            explain(lint, &mut out)?;
            return Ok(ExitCode::from(CLEAN));
        }
        Some(Command::Lints) => {
            list_lints(&mut out)?;
            return Ok(ExitCode::from(CLEAN));
        }
        Some(Command::Api {
            api,
            manifest_path,
            no_deps_docs,
        }) => {
            // Both spellings work: `api X --manifest-path M` and `--manifest-path M api X`.
            let manifest_path = manifest_path.as_deref().or(args.manifest_path.as_deref());
            let no_deps_docs = *no_deps_docs || args.no_deps_docs;
            let cache = !args.no_cache;
            return api_command(api, manifest_path, no_deps_docs, jobs, cache, &mut out);
        }
        Some(Command::Completions { shell }) => {
            completions(*shell, &mut out)?;
            return Ok(ExitCode::from(CLEAN));
        }
        Some(Command::Man) => {
            man_page(&mut out)?;
            return Ok(ExitCode::from(CLEAN));
        }
        None => {}
    }
    if args.unsafe_fixes && !(args.fix || args.diff) {
        bail!(
            "`--unsafe-fixes` says which fixes `--fix` or `--diff` apply: use it with one of them"
        );
    }
    if args.statistics && !statistics::supports(args.message_format) {
        bail!(
            "`--statistics` prints counts instead of findings, which a {} report is made of; \
             use it with `--message-format human`, `short` or `json`",
            format_name(args.message_format)
        );
    }

    let started = Instant::now();
    let (files, placing) = if args.paths.is_empty() {
        let files = workspace_files(&PackageSelection {
            manifest_path: args.manifest_path.as_deref(),
            packages: &args.packages,
            workspace: args.workspace,
            exclude: &args.exclude,
        })?;
        (files, Placing::done())
    } else {
        // Only the JSON output reports packages and targets. Their contexts and the module
        // trees are worked out while the files are parsed.
        path_files(&args.paths, args.message_format.is_json(), jobs)?
    };
    stderr::verbose(format!(
        "found {} file{} to analyse ({}) in {:.1?}",
        files.len(),
        plural(files.len()),
        if args.paths.is_empty() {
            "the workspace's targets, from `cargo metadata`"
        } else {
            "the PATHs given"
        },
        started.elapsed()
    ));
    let project = project_config(&args, &files)?;
    for warning in &project.warnings {
        stderr::notice(format!("warning: {warning}"));
    }
    if stderr::is_verbose() {
        verbose_configuration(&project);
    }
    let (files, config) = configure(files, &project, &args.lint_levels)?;
    let cache = !args.no_cache;
    let started = Instant::now();
    let (mut knowledge, notices) = if args.no_deps_docs {
        stderr::verbose("dependency docs: not mined (`--no-deps-docs`)");
        (Cow::Borrowed(Knowledge::builtin()), Vec::new())
    } else if args.paths.is_empty() {
        knowledge_with_deps(Scope::Workspace(args.manifest_path.as_deref()), jobs, cache)
    } else {
        knowledge_with_deps(Scope::Paths(&args.paths), jobs, cache)
    };
    let output = |success: bool| Output {
        format: args.message_format,
        success,
        quiet: args.quiet,
        statistics: args.statistics,
        notices: &notices,
    };
    if !output(true).shows_notices() {
        for notice in &notices {
            stderr::notice(format!("note: {}", notice.message));
        }
    }
    if !args.no_deps_docs {
        stderr::verbose(format!("dependency docs took {:.1?}", started.elapsed()));
    }
    for entry in project.api_entries() {
        knowledge.to_mut().insert(entry.clone());
    }
    let baseline = args.baseline.as_deref().map(baseline::read).transpose()?;
    let cargo = args
        .with_cargo
        .map(|command| CargoRun::start(command, &args))
        .transpose()?;
    // A progress bar only for people watching: human output, stderr a terminal, not `-q`.
    let progress =
        args.message_format == MessageFormat::Human && !args.quiet && io::stderr().is_terminal();
    let cache = cache
        .then(|| target_dir(&args, &project))
        .flatten()
        .filter(|dir| cache::usable_dir(&dir.join(cache::CACHE_ROOT), &project.root))
        .map(|dir| Cache::new(&dir, &config, &knowledge));
    // No more threads than files: each thread has a large stack to set up.
    let jobs = jobs.min(files.len().max(1));
    let started = Instant::now();
    let file_count = files.len();
    let caching = cache.is_some();
    let mut analysis = analyze(
        files,
        placing,
        &config,
        &knowledge,
        jobs,
        progress,
        cache.as_ref(),
    )?;
    stderr::verbose(format!(
        "analysed {file_count} file{} on {jobs} thread{} in {:.1?}: {} finding{} ({})",
        plural(file_count),
        plural(jobs),
        started.elapsed(),
        analysis.diagnostics.len(),
        plural(analysis.diagnostics.len()),
        match (caching, analysis.from_cache) {
            (false, _) => "results cache off",
            (true, true) => "from the results cache: nothing changed",
            (true, false) => "the results cache had no match",
        }
    ));
    if let Some(path) = &args.write_baseline {
        let count = baseline::write(path, &analysis)?;
        stderr::notice(format!(
            "wrote {count} finding{} to the baseline `{}`",
            plural(count),
            path_label(path)
        ));
        if let Some(cargo) = cargo {
            cargo.finish()?;
        }
        return Ok(ExitCode::from(CLEAN));
    }
    if let (Some(baseline), Some(path)) = (&baseline, &args.baseline) {
        report_baseline(&baseline::apply(baseline.clone(), &mut analysis), path);
    }
    if args.fix || args.diff || args.add_allow {
        let again = Reanalysis {
            config: &config,
            knowledge: &knowledge,
            jobs,
            baseline: baseline.as_ref(),
        };
        let boundary = if args.paths.is_empty() {
            Boundary::workspace(&project.root)
        } else {
            Boundary::paths(&args.paths)
        };
        return edit_files(&args, analysis, &again, &boundary, &notices, &mut out);
    }
    let mut code = if analysis.diagnostics.is_empty() || args.exit_zero {
        CLEAN
    } else {
        FINDINGS
    };
    let started = Instant::now();
    let Some(cargo) = cargo else {
        let rendered = render(&output(code == CLEAN), &analysis, &mut out);
        stderr::verbose(format!("output written in {:.1?}", started.elapsed()));
        return exit_after_output(rendered, code);
    };
    let cargo = cargo.finish()?;
    if !cargo.success && !args.exit_zero {
        code = FINDINGS;
    }
    let rendered = if args.message_format.is_json() && !args.statistics {
        (|| -> io::Result<()> {
            for line in &cargo.lines {
                writeln!(out, "{line}")?;
            }
            let ansi = args.message_format == MessageFormat::JsonDiagnosticRenderedAnsi;
            json::render_messages(&analysis, ansi, &mut out)?;
            json::render_finished(code == CLEAN && cargo.success, &mut out)
        })()
    } else {
        render(&output(code == CLEAN), &analysis, &mut out)
    };
    exit_after_output(rendered, code)
}

/// `--fix`, `--diff` and `--add-allow`: edit the texts in memory, then print the diff, or write
/// the files and report what is left as a run does.
fn edit_files(
    args: &Args,
    mut analysis: crate::analyze::Analysis,
    again: &Reanalysis<'_>,
    boundary: &Boundary,
    notices: &[Notice],
    out: &mut BufferedStandardStream,
) -> Result<ExitCode> {
    let mut edits = if args.add_allow {
        fix::add_allow_in_memory(&mut analysis, again)?
    } else {
        fix::fix_in_memory(&mut analysis, again, args.unsafe_fixes)?
    };
    if args.diff {
        let written = fix::print_diff(&analysis, &edits, out);
        fix::report_fixes(&edits, &analysis.diagnostics, false, args.unsafe_fixes);
        let code = if edits.files() == 0 || args.exit_zero {
            CLEAN
        } else {
            FINDINGS
        };
        return exit_after_output(written, code);
    }
    let refused = fix::write(&mut analysis, &mut edits, boundary);
    for file in &refused {
        stderr::notice(format!(
            "warning: did not write `{}`: {}",
            file.label, file.reason
        ));
    }
    if !refused.is_empty() {
        again.run(&mut analysis)?;
    }
    if args.add_allow {
        fix::report_allows(&edits);
    } else {
        fix::report_fixes(&edits, &analysis.diagnostics, true, args.unsafe_fixes);
    }
    let code = if analysis.diagnostics.is_empty() || args.exit_zero {
        CLEAN
    } else {
        FINDINGS
    };
    let output = Output {
        format: args.message_format,
        success: code == CLEAN,
        quiet: args.quiet,
        statistics: args.statistics,
        notices,
    };
    let rendered = render(&output, &analysis, out);
    exit_after_output(rendered, code)
}

/// The name of a format in messages.
fn format_name(format: MessageFormat) -> &'static str {
    match format {
        MessageFormat::Sarif => "SARIF",
        MessageFormat::Github => "GitHub",
        MessageFormat::Gitlab => "GitLab",
        MessageFormat::Human => "human",
        MessageFormat::Short => "short",
        MessageFormat::Json | MessageFormat::JsonDiagnosticRenderedAnsi => "JSON",
    }
}

/// `-v`: where the configuration comes from.
fn verbose_configuration(project: &ProjectConfig) {
    match &project.source {
        Some(source) => stderr::verbose(format!("configuration: `{}`", path_label(source))),
        None if project.root.as_os_str().is_empty() => {
            stderr::verbose("configuration: none (no workspace root)")
        }
        None => stderr::verbose(format!(
            "configuration: none at the workspace root `{}` (no `{CONFIG_FILE}`, `{HIDDEN_CONFIG_FILE}` or `[workspace.metadata.cancel-check]`)",
            path_label(&project.root)
        )),
    }
    for package in &project.packages {
        stderr::verbose(format!(
            "configuration: `[package.metadata.cancel-check]` in `{}`",
            path_label(&package.dir.join("Cargo.toml"))
        ));
    }
}

/// `completions <shell>`: the script for `cargo-cancel-check`. cargo's own completions (zsh,
/// and bash with bash-completion 2.12 or later) call it for `cargo cancel-check`.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut command = Args::command_for_docs();
    // Into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BINARY, &mut script);
    out.write_all(&script)?;
    out.flush()
}

/// `man`: the manual page, in roff.
fn man_page(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(Args::command_for_docs()).render(out)?;
    out.flush()
}

/// The exit code once the findings are written. A closed stdout (`cargo cancel-check | head`)
/// is no failure, but the findings still decide the code: a pipeline that cuts the output short
/// must not turn a run with findings into a success.
fn exit_after_output(written: io::Result<()>, code: u8) -> Result<ExitCode> {
    match written {
        Ok(()) => Ok(ExitCode::from(code)),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::from(code)),
        Err(error) => Err(error.into()),
    }
}

/// Where the cache goes: `--target-dir`, else `CARGO_TARGET_DIR`, else `target/` at the
/// workspace root (none outside a workspace).
fn target_dir(args: &Args, project: &ProjectConfig) -> Option<PathBuf> {
    args.cargo
        .target_dir
        .clone()
        .or_else(|| env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .or_else(|| (!project.root.as_os_str().is_empty()).then(|| project.root.join("target")))
}

/// Tells on stderr what the baseline suppressed and which of its entries are fixed. The entries
/// come from a file: every value is escaped.
fn report_baseline(applied: &baseline::Applied, path: &Path) {
    let suppressed = applied.suppressed;
    stderr::notice(format!(
        "{suppressed} finding{} suppressed by the baseline `{}`",
        plural(suppressed),
        path_label(path)
    ));
    if applied.fixed.is_empty() {
        return;
    }
    let fixed = applied.fixed.len();
    stderr::notice(format!(
        "{fixed} baseline {} no longer {} any finding (fixed); drop {} with `--write-baseline {}`:",
        if fixed == 1 { "entry" } else { "entries" },
        if fixed == 1 { "matches" } else { "match" },
        if fixed == 1 { "it" } else { "them" },
        path_label(path)
    ));
    for entry in &applied.fixed {
        stderr::notice(format!(
            "  {}:{}: [{}] {}",
            printable(&entry.path),
            entry.line,
            printable(&entry.lint),
            printable(&entry.message)
        ));
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// The built-in knowledge with the mined docs of the dependencies in `scope` merged in, and the
/// notice that says why they could not be mined. Other problems are warnings: the run goes on
/// with what is known.
fn knowledge_with_deps(
    scope: Scope<'_>,
    jobs: usize,
    cache: bool,
) -> (Cow<'static, Knowledge>, Vec<Notice>) {
    let docs = dependency_docs(scope, jobs, cache);
    for warning in &docs.warnings {
        stderr::notice(format!("warning: {warning}"));
    }
    for package in &docs.packages {
        stderr::verbose(format!("dependency docs: {package}"));
    }
    if docs.not_mined.is_none() {
        stderr::verbose(if docs.graph_cached {
            "dependency docs: the dependency graph from the cache (Cargo.lock and the manifests are unchanged)"
        } else {
            "dependency docs: the dependency graph from `cargo metadata`"
        });
        stderr::verbose(format!(
            "dependency docs: {} entr{} from {} package{} ({} mined, {} from the cache)",
            docs.entries.len(),
            if docs.entries.len() == 1 { "y" } else { "ies" },
            docs.mined + docs.cached,
            plural(docs.mined + docs.cached),
            docs.mined,
            docs.cached
        ));
    }
    let notices: Vec<Notice> = docs
        .not_mined
        .clone()
        .map(|message| Notice {
            id: "dependency-docs-not-mined",
            message,
        })
        .into_iter()
        .collect();
    let knowledge = if docs.entries.is_empty() {
        Cow::Borrowed(Knowledge::builtin())
    } else {
        Cow::Owned(docs.knowledge())
    };
    (knowledge, notices)
}

/// `api`: the entries whose path is the argument or ends with it, from the built-in base merged
/// with the mined docs of the workspace's dependencies when there is a workspace.
fn api_command(
    query: &str,
    manifest_path: Option<&Path>,
    no_deps_docs: bool,
    jobs: usize,
    cache: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if let Some(manifest) = manifest_path {
        if !manifest.is_file() {
            bail!("manifest path `{}` does not exist", manifest.display());
        }
    }
    let in_workspace = manifest_path.is_some()
        || env::current_dir()
            .context("could not read the current directory")?
            .ancestors()
            .any(|dir| dir.join("Cargo.toml").is_file());
    let mut knowledge = if no_deps_docs || !in_workspace {
        Cow::Borrowed(Knowledge::builtin())
    } else {
        let (knowledge, notices) =
            knowledge_with_deps(Scope::Workspace(manifest_path), jobs, cache);
        for notice in &notices {
            stderr::notice(format!("note: {}", notice.message));
        }
        knowledge
    };
    // The project's `[[api]]` entries, found as for a run on PATHs.
    let cwd = env::current_dir().context("could not read the current directory")?;
    let start = manifest_path
        .and_then(Path::parent)
        .map_or_else(|| cwd.clone(), |dir| cwd.join(dir));
    if let Some(root) = discover_root(&start) {
        let manifests = vec![start.join("Cargo.toml")];
        let manifests: Vec<PathBuf> = manifests.into_iter().filter(|m| m.is_file()).collect();
        let project = ProjectConfig::load(&root, &manifests)?;
        for entry in project.api_entries() {
            knowledge.to_mut().insert(entry.clone());
        }
    }
    let found = matching(&knowledge, query);
    if found.is_empty() {
        // Like `grep`: 1 says "nothing matched", 2 stays "the tool failed".
        stderr::line(format!("no knowledge about `{}`", printable(query)));
        return Ok(ExitCode::from(1));
    }
    print_entries(&found, out)?;
    out.flush()?;
    Ok(ExitCode::from(CLEAN))
}

/// Whether an error is a closed stdout (`cargo cancel-check | head`): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|error| error.kind() == io::ErrorKind::BrokenPipe)
}

/// Whether stdout gets colors: `--color`, else `CARGO_TERM_COLOR` (as cargo reads it: `auto`,
/// `always` or `never`), else `auto`, which colors when stdout is a terminal and `NO_COLOR` is
/// unset or empty.
fn use_color(flag: Option<ColorChoice>) -> Result<bool> {
    let choice = match flag {
        Some(choice) => choice,
        None => match env::var_os("CARGO_TERM_COLOR").filter(|value| !value.is_empty()) {
            None => ColorChoice::Auto,
            Some(value) => match value.to_str() {
                Some("auto") => ColorChoice::Auto,
                Some("always") => ColorChoice::Always,
                Some("never") => ColorChoice::Never,
                _ => bail!(
                    "`CARGO_TERM_COLOR` must be `auto`, `always` or `never`, found `{}`",
                    printable(&value.to_string_lossy())
                ),
            },
        },
    };
    Ok(match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal()
                && env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    })
}

/// The project's configuration: from the workspace of the files (its root and the manifests of
/// their packages), or found from the current directory for a run on PATHs.
fn project_config(args: &Args, files: &[SourceFile]) -> Result<ProjectConfig> {
    let cwd = env::current_dir().context("could not read the current directory")?;
    let from_context = files
        .iter()
        .find_map(|file| file.context.as_ref().map(|c| c.workspace_root.clone()));
    let root = if args.paths.is_empty() {
        from_context.or_else(|| {
            let manifest_dir = args
                .manifest_path
                .as_deref()
                .and_then(Path::parent)
                .map(|dir| cwd.join(dir));
            discover_root(manifest_dir.as_deref().unwrap_or(&cwd))
        })
    } else {
        discover_root(&cwd)
    };
    let Some(root) = root else {
        return Ok(ProjectConfig::default());
    };
    let absolute: Vec<PathBuf> = files.iter().map(|file| cwd.join(&file.path)).collect();
    let mut manifests: Vec<PathBuf> = files
        .iter()
        .filter_map(|file| file.context.as_ref())
        .map(|context| context.manifest_path.clone().into_std_path_buf())
        .collect();
    manifests.sort();
    manifests.dedup();
    if manifests.is_empty() {
        manifests = manifests_for(&root, &absolute);
    }
    ProjectConfig::load(&root, &manifests)
}

/// Drops the excluded files and builds the analysis config: the configured levels (workspace,
/// then package), the extra types, then the command line's `-A/-W/-D`.
fn configure(
    files: Vec<SourceFile>,
    project: &ProjectConfig,
    levels: &[(Level, String)],
) -> Result<(Vec<SourceFile>, Config)> {
    let cwd = env::current_dir().context("could not read the current directory")?;
    let excluder = project.excluder()?;
    let files: Vec<SourceFile> = files
        .into_iter()
        .filter(|file| match excluder.excluded_by(&cwd.join(&file.path)) {
            None => true,
            Some(pattern) => {
                stderr::verbose(format!(
                    "skipped `{}`: excluded by the `exclude` pattern `{}`",
                    file.label,
                    printable(pattern)
                ));
                false
            }
        })
        .collect();
    let mut config = Config::default();
    for (name, level) in &project.workspace.levels {
        if let Some(lint) = lint_by_name(name) {
            config.set_configured_level(lint, *level);
        }
    }
    for (name, level) in &project.workspace.test_levels {
        if let Some(lint) = lint_by_name(name) {
            config.set_configured_test_level(lint, *level);
        }
    }
    for package in &project.packages {
        let settings = &package.settings;
        if settings.levels.is_empty() && settings.test_levels.is_empty() {
            continue;
        }
        let labels: Vec<String> = files
            .iter()
            .filter(|file| cwd.join(&file.path).starts_with(&package.dir))
            .filter(|file| {
                project
                    .package_of(&cwd.join(&file.path))
                    .is_some_and(|owner| owner.dir == package.dir)
            })
            .map(|file| file.label.clone())
            .collect();
        if !settings.levels.is_empty() {
            config.set_file_levels(labels.clone(), settings.levels.clone());
        }
        if !settings.test_levels.is_empty() {
            config.set_file_test_levels(labels, settings.test_levels.clone());
        }
    }
    (config.not_send_types, config.lock_types) = project.types();
    config.set_async_fn_in_trait_allowed(
        files
            .iter()
            .filter(|file| project.allows_async_fn_in_trait(&cwd.join(&file.path)))
            .map(|file| file.label.clone()),
    );
    apply_lint_flags(&mut config, levels)?;
    Ok((files, config))
}

/// The lint levels of `-W/-A/-D`, applied in command-line order (later flags win; a group sets
/// each of its lints where it stands, as in rustc). `warnings` is the group of every finding at
/// warn level: `-D warnings` makes them errors, `-A warnings` silences them, `-W warnings`
/// undoes either; it applies last, to whatever is at warn level then.
fn apply_lint_flags(config: &mut Config, levels: &[(Level, String)]) -> Result<()> {
    let mut warnings = Level::Warn;
    for (level, name) in levels {
        if is_warnings(name) {
            warnings = *level;
            continue;
        }
        let Some(named) = Named::find(name) else {
            bail!("{}", unknown_lint_message(name));
        };
        for lint in named.lints() {
            config.set_level(lint, *level);
        }
    }
    if warnings != Level::Warn {
        config.warnings = Some(warnings);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use cancel_check_lints::lint_by_name;

    use super::*;

    fn levels(flags: &[(Level, &str)]) -> Result<Config> {
        let flags: Vec<(Level, String)> = flags
            .iter()
            .map(|(level, name)| (*level, name.to_string()))
            .collect();
        let mut config = Config::default();
        apply_lint_flags(&mut config, &flags)?;
        Ok(config)
    }

    #[test]
    fn later_flags_win() {
        let lint = lint_by_name("select_arm_not_cancel_safe").unwrap();
        let config = levels(&[(Level::Allow, lint.name), (Level::Deny, lint.name)]).unwrap();
        assert_eq!(config.level(lint), Level::Deny);
        let config = levels(&[(Level::Deny, lint.name), (Level::Allow, lint.name)]).unwrap();
        assert_eq!(config.level(lint), Level::Allow);
    }

    #[test]
    fn deny_warnings_raises_every_warning() {
        let lint = lint_by_name("select_arm_not_cancel_safe").unwrap();
        let config = levels(&[(Level::Deny, "warnings")]).unwrap();
        assert_eq!(config.level(lint), Level::Deny);
        let config = levels(&[(Level::Allow, "warnings")]).unwrap();
        assert_eq!(config.level(lint), Level::Allow);
    }

    #[test]
    fn an_unknown_lint_points_to_the_list() {
        let error = levels(&[(Level::Allow, "no_such_lint")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown lint `no_such_lint`"), "{error}");
        assert!(error.contains("`cargo cancel-check lints`"), "{error}");
    }

    #[test]
    fn a_group_sets_its_lints_where_it_stands() {
        let futurelock = lint_by_name("futurelock").unwrap();
        let select = lint_by_name("select_arm_not_cancel_safe").unwrap();
        let config = levels(&[(Level::Allow, "all"), (Level::Deny, "futurelock")]).unwrap();
        assert_eq!(config.level(futurelock), Level::Deny);
        assert_eq!(config.level(select), Level::Allow);
        let config = levels(&[(Level::Deny, "futurelock"), (Level::Allow, "all")]).unwrap();
        assert_eq!(config.level(futurelock), Level::Allow);
        let config = levels(&[(Level::Deny, "cancel_check::Deadlock")]).unwrap();
        assert_eq!(config.level(futurelock), Level::Deny);
        assert_eq!(config.level(select), Level::Warn);
    }

    #[test]
    fn lint_names_take_the_tool_prefix_any_case_and_dashes() {
        let select = lint_by_name("select_arm_not_cancel_safe").unwrap();
        for name in [
            "cancel_check::select_arm_not_cancel_safe",
            "Select-Arm-Not-Cancel-Safe",
        ] {
            let config = levels(&[(Level::Deny, name)]).unwrap();
            assert_eq!(config.level(select), Level::Deny, "{name}");
        }
        let config = levels(&[(Level::Deny, "Warnings")]).unwrap();
        assert_eq!(config.level(select), Level::Deny);
    }
}
