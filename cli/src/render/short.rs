//! `--message-format short`: one line per finding, `path:line:col: level[lint]: message`. Labels
//! and messages are escaped: a line per finding, whatever the checkout's file names hold.

use std::io::{self, Write};

use crate::analyze::Analysis;
use crate::escape::printable;

pub fn render(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &analysis.diagnostics {
        let primary = &diagnostic.primary;
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            printable(&primary.file),
            primary.span.line,
            primary.span.column,
            diagnostic.level.diagnostic_word(),
            diagnostic.lint.name,
            printable(&diagnostic.message)
        )?;
    }
    out.flush()
}
