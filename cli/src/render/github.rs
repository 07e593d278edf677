//! `--message-format github`: GitHub Actions workflow commands (to be written).

use std::io::{self, Write};

use crate::analyze::Analysis;

pub fn render(_analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    out.flush()
}
