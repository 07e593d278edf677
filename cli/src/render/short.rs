//! `--message-format short`: one line per finding, `path:line:col: level[lint]: message`.

use std::io::{self, Write};

use crate::analyze::Analysis;

pub fn render(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &analysis.diagnostics {
        let primary = &diagnostic.primary;
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            primary.file,
            primary.span.line,
            primary.span.column,
            diagnostic.level.diagnostic_word(),
            diagnostic.lint.name,
            diagnostic.message
        )?;
    }
    out.flush()
}
