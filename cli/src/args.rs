//! The command line, declared with clap's derive API.
//!
//! `-W/-A/-D` are order sensitive (the last flag for a lint wins, as with rustc), which the derive
//! API cannot express: [`Args::from_command_line`] reads their positions from clap's indices.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::Level;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// Finds cancel-safety bugs in async Rust, without compiling it.
///
/// With no PATH, analyses every target of every member of the cargo workspace around the current
/// directory. Exit status: 0 no finding, 1 findings (warnings too, as with ruff; `--exit-zero`
/// for an advisory run), 2 the tool could not do its job.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-cancel-check",
    bin_name = "cargo cancel-check",
    version,
    override_usage = "cargo cancel-check [OPTIONS] [PATH]...\n       cargo cancel-check explain <LINT-OR-GROUP>\n       cargo cancel-check lints\n       cargo cancel-check api <PATH-OR-METHOD>\n       cargo cancel-check completions <SHELL>\n       cargo cancel-check man",
    after_help = "The first word that is not an option is a subcommand when it is spelt like one (`explain`, `lints`, `api`, `completions`, `man`, `help`), even where a folder has that name: write `./lints`, or put the PATHs after `--`, to analyse such a folder."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files and directories to analyse (directories are walked for `*.rs`)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Path to the Cargo.toml of the workspace or package to analyse
    #[arg(long, value_name = "PATH", conflicts_with = "paths")]
    pub manifest_path: Option<PathBuf>,

    /// Analyse only this package (repeatable; a name, `name@version` or a package id)
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        conflicts_with = "paths"
    )]
    pub packages: Vec<String>,

    /// Analyse every member of the workspace (the default when no package is selected)
    #[arg(long, alias = "all", conflicts_with = "paths")]
    pub workspace: bool,

    /// Leave this package out (repeatable)
    #[arg(long, value_name = "SPEC", conflicts_with = "paths")]
    pub exclude: Vec<String>,

    /// How findings are printed
    #[arg(
        long = "message-format",
        visible_alias = "format",
        value_name = "FORMAT",
        value_enum,
        default_value_t
    )]
    pub message_format: MessageFormat,

    /// When to use colors [default: `CARGO_TERM_COLOR`, else auto; `NO_COLOR` turns auto off]
    #[arg(long, value_name = "WHEN", value_enum)]
    pub color: Option<ColorChoice>,

    /// Print the findings and nothing else: no summary line, progress bar, warnings or notes
    /// (errors still go to stderr)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also say on stderr what was found and mined, which files were skipped and why, and how
    /// long each phase took
    #[arg(short, long)]
    pub verbose: bool,

    /// Print how many findings each lint has instead of the findings (a table; a JSON array with
    /// `--message-format json`)
    #[arg(long)]
    pub statistics: bool,

    /// Set a lint or a group (`all`, `cancel_safety`, ...; see `lints`) to warn (repeatable; the
    /// last flag for a lint wins)
    #[arg(short = 'W', long = "warn", value_name = "LINT")]
    warn: Vec<String>,

    /// Set a lint or a group to allow (repeatable)
    #[arg(short = 'A', long = "allow", value_name = "LINT")]
    allow: Vec<String>,

    /// Set a lint or a group to deny (repeatable; `-D warnings` turns every warning into an
    /// error)
    #[arg(short = 'D', long = "deny", value_name = "LINT")]
    deny: Vec<String>,

    /// Number of parallel jobs (default: all cores)
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Exit with 0 even when there are findings (2 still means the tool failed)
    #[arg(long)]
    pub exit_zero: bool,

    /// Do not mine the `# Cancel safety` docs of dependencies (only the built-in knowledge)
    #[arg(long)]
    pub no_deps_docs: bool,

    /// Do not read or write the result cache (`target/cancel-check/cache/`)
    #[arg(long)]
    pub no_cache: bool,

    /// Report only findings that are not in this baseline file (see `--write-baseline`)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Also run `cargo check` or `cargo clippy` and merge its messages into ours (for
    /// rust-analyzer, which runs a single check command)
    #[arg(long, value_name = "COMMAND", value_enum)]
    pub with_cargo: Option<CargoCommand>,

    /// Apply the machine-applicable fixes to the files, then report what is left
    #[arg(
        long,
        help_heading = "Fixes",
        conflicts_with_all = ["write_baseline", "with_cargo", "add_allow"]
    )]
    pub fix: bool,

    /// Print the fixes `--fix` would apply as a unified diff, and write nothing (exit 1 when
    /// there is one)
    #[arg(
        long,
        help_heading = "Fixes",
        conflicts_with_all = ["write_baseline", "with_cargo", "add_allow", "statistics"]
    )]
    pub diff: bool,

    /// With `--fix` or `--diff`: also apply the fixes that change behaviour or API
    /// (`MaybeIncorrect`); review them
    #[arg(long, help_heading = "Fixes")]
    pub unsafe_fixes: bool,

    /// Write a `// cancel-check: allow(<lint>) -- TODO: reason` comment for every finding's
    /// line, so that the next run reports none; then replace each `TODO: reason` with the reason
    #[arg(
        long,
        help_heading = "Fixes",
        conflicts_with_all = ["write_baseline", "baseline", "with_cargo", "statistics"]
    )]
    pub add_allow: bool,

    #[command(flatten)]
    pub cargo: CargoFlags,

    /// The `-W/-A/-D` flags in command-line order: later ones win.
    #[arg(skip)]
    pub lint_levels: Vec<(Level, String)>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the documentation of a lint, or the lints of a group
    Explain {
        /// The lint's name, e.g. `select_arm_not_cancel_safe` or
        /// `cancel_check::select_arm_not_cancel_safe`, or a group's, e.g. `deadlock`
        #[arg(value_name = "LINT-OR-GROUP")]
        lint: String,
    },
    /// List every lint with its default level and a one-line summary, and every lint group
    Lints,
    /// Print what is known about an API's cancel safety and where that knowledge comes from
    Api {
        /// A full path or any `::`-suffix of it: `read_exact`, `AsyncReadExt::read_exact`,
        /// `tokio::io::AsyncReadExt::read_exact`
        #[arg(value_name = "PATH-OR-METHOD")]
        api: String,

        /// Path to the Cargo.toml of the workspace whose dependencies' docs are mined
        #[arg(long, value_name = "PATH")]
        manifest_path: Option<PathBuf>,

        /// Only the built-in knowledge: do not mine the docs of dependencies
        #[arg(long)]
        no_deps_docs: bool,
    },
    /// Print a shell completion script for `cargo-cancel-check` (which cargo's own bash and zsh
    /// completions call for `cargo cancel-check`)
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `cargo cancel-check man | man -l -`
    Man,
}

/// The binary's name: what completions complete and the manual page is named after.
pub const BINARY: &str = "cargo-cancel-check";

/// The version line's text after the name: `0.1.0 (5ee4b9d1a, knowledge base of 2025-12-01)`.
/// The commit comes from the build script (`cli/build.rs`), which leaves it out when it cannot
/// tell; the date is the `updated` field of the built-in knowledge base.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut details = Vec::new();
        let commit = env!("CANCEL_CHECK_COMMIT");
        if !commit.is_empty() {
            details.push(commit.to_string());
        }
        if let Some(date) = Knowledge::builtin().updated() {
            details.push(format!("knowledge base of {date}"));
        }
        if details.is_empty() {
            env!("CARGO_PKG_VERSION").to_string()
        } else {
            format!("{} ({})", env!("CARGO_PKG_VERSION"), details.join(", "))
        }
    })
}

/// The output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// rustc-style diagnostics with source snippets
    #[default]
    Human,
    /// one line per finding: `path:line:col: level[lint]: message`
    Short,
    /// cargo's `--message-format=json` stream (for rust-analyzer and other tools)
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other static-analysis viewers)
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// GitLab Code Quality report (findings in the merge request)
    Gitlab,
    /// like json, with ANSI colors in `rendered` (what rust-analyzer asks for)
    #[value(hide = true)]
    JsonDiagnosticRenderedAnsi,
}

impl MessageFormat {
    /// Whether this is one of cargo's JSON formats.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            MessageFormat::Json | MessageFormat::JsonDiagnosticRenderedAnsi
        )
    }
}

/// The cargo command `--with-cargo` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CargoCommand {
    Check,
    Clippy,
}

impl CargoCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            CargoCommand::Check => "check",
            CargoCommand::Clippy => "clippy",
        }
    }
}

/// Flags of cargo's build commands. rust-analyzer appends them to its check command; they mean
/// nothing to the analysis (it reads every target's sources, whatever the features) and are
/// passed on to the command of `--with-cargo`.
#[derive(Debug, Default, clap::Args)]
#[command(
    next_help_heading = "Cargo flags (accepted for rust-analyzer, passed on to --with-cargo)"
)]
pub struct CargoFlags {
    /// Check all targets
    #[arg(long)]
    pub all_targets: bool,
    /// Check only the library
    #[arg(long)]
    pub lib: bool,
    /// Check all binaries
    #[arg(long)]
    pub bins: bool,
    /// Check all examples
    #[arg(long)]
    pub examples: bool,
    /// Check all tests
    #[arg(long)]
    pub tests: bool,
    /// Check all benches
    #[arg(long)]
    pub benches: bool,
    /// Do not stop at the first failing crate
    #[arg(long)]
    pub keep_going: bool,
    /// Activate all features
    #[arg(long)]
    pub all_features: bool,
    /// Features to activate
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Do not activate the `default` feature
    #[arg(long)]
    pub no_default_features: bool,
    /// Build for the target triple
    #[arg(long, value_name = "TRIPLE")]
    pub target: Vec<String>,
    /// Directory for all generated artifacts
    #[arg(long, value_name = "DIRECTORY")]
    pub target_dir: Option<PathBuf>,
    /// Require Cargo.lock to be up to date
    #[arg(long)]
    pub locked: bool,
    /// Run without accessing the network
    #[arg(long)]
    pub offline: bool,
    /// Both `--locked` and `--offline`
    #[arg(long)]
    pub frozen: bool,
}

impl CargoFlags {
    /// The flags as cargo takes them.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let switches = [
            (self.all_targets, "--all-targets"),
            (self.lib, "--lib"),
            (self.bins, "--bins"),
            (self.examples, "--examples"),
            (self.tests, "--tests"),
            (self.benches, "--benches"),
            (self.keep_going, "--keep-going"),
            (self.all_features, "--all-features"),
            (self.no_default_features, "--no-default-features"),
            (self.locked, "--locked"),
            (self.offline, "--offline"),
            (self.frozen, "--frozen"),
        ];
        args.extend(
            switches
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, flag)| flag.to_string()),
        );
        for features in &self.features {
            args.extend(["--features".to_string(), features.clone()]);
        }
        for target in &self.target {
            args.extend(["--target".to_string(), target.clone()]);
        }
        if let Some(dir) = &self.target_dir {
            args.extend([
                "--target-dir".to_string(),
                dir.to_string_lossy().into_owned(),
            ]);
        }
        args
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl Args {
    /// Parses the command line (`args` includes the program name). Called as a cargo subcommand,
    /// cargo passes the subcommand's name first (`cargo-cancel-check cancel-check ...`): it is
    /// dropped here.
    pub fn from_command_line<I, T>(args: I) -> Result<Args, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        if args.get(1).is_some_and(|word| word == "cancel-check") {
            args.remove(1);
        }
        let matches = Args::command()
            .version(version())
            .try_get_matches_from(args)?;
        let mut parsed = Args::from_arg_matches(&matches)?;
        parsed.lint_levels = lint_levels_in_order(&matches);
        Ok(parsed)
    }
}

impl Args {
    /// The command as completions and the manual page describe it: named after the binary.
    pub fn command_for_docs() -> clap::Command {
        Args::command()
            .name(BINARY)
            .bin_name(BINARY)
            .version(version())
    }
}

fn lint_levels_in_order(matches: &ArgMatches) -> Vec<(Level, String)> {
    let mut flags: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [
        ("warn", Level::Warn),
        ("allow", Level::Allow),
        ("deny", Level::Deny),
    ] {
        let (Some(values), Some(indices)) =
            (matches.get_many::<String>(id), matches.indices_of(id))
        else {
            continue;
        };
        flags.extend(
            indices
                .zip(values)
                .map(|(index, name)| (index, level, name.clone())),
        );
    }
    flags.sort_by_key(|(index, _, _)| *index);
    flags
        .into_iter()
        .map(|(_, level, name)| (level, name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn lint_flags_keep_command_line_order() {
        let args = Args::from_command_line([
            "cargo-cancel-check",
            "-D",
            "a",
            "-W",
            "b",
            "-A",
            "a",
            "--deny=c",
        ])
        .unwrap();
        assert_eq!(
            args.lint_levels,
            vec![
                (Level::Deny, "a".to_string()),
                (Level::Warn, "b".to_string()),
                (Level::Allow, "a".to_string()),
                (Level::Deny, "c".to_string()),
            ]
        );
    }

    #[test]
    fn the_cargo_subcommand_word_is_dropped() {
        let args = Args::from_command_line(["cargo-cancel-check", "cancel-check", "src"]).unwrap();
        assert_eq!(args.paths, vec![PathBuf::from("src")]);
    }

    #[test]
    fn the_flags_rust_analyzer_appends_are_accepted() {
        let args = Args::from_command_line([
            "cargo-cancel-check",
            "--with-cargo",
            "clippy",
            "--workspace",
            "--message-format=json-diagnostic-rendered-ansi",
            "--manifest-path",
            "/ws/Cargo.toml",
            "--keep-going",
            "--all-targets",
            "-p",
            "path+file:///ws/crates/a#0.1.0",
            "--features",
            "x,y",
            "--no-default-features",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--target-dir",
            "/ws/target/ra",
        ])
        .unwrap();
        assert_eq!(args.with_cargo, Some(CargoCommand::Clippy));
        assert_eq!(args.packages, ["path+file:///ws/crates/a#0.1.0"]);
        assert_eq!(
            args.cargo.to_args(),
            [
                "--all-targets",
                "--keep-going",
                "--no-default-features",
                "--features",
                "x,y",
                "--target",
                "x86_64-unknown-linux-gnu",
                "--target-dir",
                "/ws/target/ra"
            ]
        );
    }

    #[test]
    fn rust_analyzer_message_format_is_accepted() {
        let args = Args::from_command_line([
            "cargo-cancel-check",
            "--message-format=json-diagnostic-rendered-ansi",
        ])
        .unwrap();
        assert_eq!(
            args.message_format,
            MessageFormat::JsonDiagnosticRenderedAnsi
        );
        let args = Args::from_command_line(["cargo-cancel-check", "--format", "short"]).unwrap();
        assert_eq!(args.message_format, MessageFormat::Short);
    }
}
