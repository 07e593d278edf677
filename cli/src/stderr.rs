//! Every line the binary writes to stderr goes through this module: a warning must never fail a
//! run (`eprintln!` panics when stderr is closed or full, which exits 101), and nothing from the
//! checkout may reach the terminal raw.
//!
//! How much is written depends on the run's [`Verbosity`] (`-q`, `-v`), set once by
//! [`crate::run`] before anything is printed: errors always ([`line`]), warnings and notes unless
//! `-q` ([`notice`]), what the tool did and why only with `-v` ([`verbose`]).

use std::fmt::Display;
use std::io::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::escape::printable_lines;

/// How much the run says on stderr besides its errors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    /// Errors, warnings and notes.
    #[default]
    Normal,
    /// `-v`: also what was found, mined and skipped, and how long each phase took.
    Verbose,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets the verbosity of this process's stderr lines.
pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

/// The verbosity set for this run.
pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// Writes `text` and a newline to stderr, whatever the verbosity (errors, and what a
/// subcommand reports), with control characters escaped (line feeds and tabs kept: values that
/// must stay on one line are escaped where they are formatted). A failed write is ignored.
pub fn line(text: impl Display) {
    let text = text.to_string();
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", printable_lines(&text));
    let _ = stderr.flush();
}

/// A warning or a note (`text` carries its `warning: ` or `note: `): not written with `-q`.
pub fn notice(text: impl Display) {
    if verbosity() >= Verbosity::Normal {
        line(text);
    }
}

/// What the tool is doing, for `-v`: written as `info: <text>`, and only then.
pub fn verbose(text: impl Display) {
    if verbosity() >= Verbosity::Verbose {
        line(format!("info: {text}"));
    }
}

/// Whether `-v` lines are written (to skip building them otherwise).
pub fn is_verbose() -> bool {
    verbosity() >= Verbosity::Verbose
}
