//! Every line the binary writes to stderr goes through [`line`]: a warning must never fail a run
//! (`eprintln!` panics when stderr is closed or full, which exits 101), and nothing from the
//! checkout may reach the terminal raw.

use std::fmt::Display;
use std::io::Write as _;

use crate::escape::printable_lines;

/// Writes `text` and a newline to stderr, with control characters escaped (line feeds and tabs
/// kept: values that must stay on one line are escaped where they are formatted). A failed
/// write is ignored.
pub fn line(text: impl Display) {
    let text = text.to_string();
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", printable_lines(&text));
    let _ = stderr.flush();
}
