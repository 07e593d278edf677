//! The `explain` and `lints` subcommands, and looking lints up by name.

use std::io::{self, Write};

use anyhow::{bail, Result};
use cancel_check_lints::{closest_lint, lint_by_name, Lint, LINTS};

/// `cargo cancel-check explain <lint>`: the lint's markdown documentation.
pub fn explain(name: &str, out: &mut dyn Write) -> Result<()> {
    // Accept the JSON code as well (`cancel_check::<lint>`), as editors show it.
    let name = name.strip_prefix("cancel_check::").unwrap_or(name);
    let Some(lint) = find_lint(name) else {
        bail!("{}", unknown_lint_message(name));
    };
    writeln!(out, "# {}\n", lint.name)?;
    if lint.default_level_in_tests == lint.default_level {
        writeln!(out, "Default level: `{}`\n", lint.default_level)?;
    } else {
        writeln!(
            out,
            "Default level: `{}` (`{}` in test code)\n",
            lint.default_level, lint.default_level_in_tests
        )?;
    }
    write!(out, "{}", lint.docs())?;
    out.flush()?;
    Ok(())
}

/// `cargo cancel-check lints`: every lint with its default level and summary, in aligned columns.
pub fn list_lints(out: &mut dyn Write) -> io::Result<()> {
    let width = LINTS.iter().map(|lint| lint.name.len()).max().unwrap_or(0);
    for lint in LINTS {
        let line = format!(
            "{:width$}  {:5}  {}",
            lint.name,
            lint.default_level.as_str(),
            lint.summary()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()
}

/// Looks a lint up; `-` is accepted for `_`, as rustc does.
pub fn find_lint(name: &str) -> Option<&'static Lint> {
    lint_by_name(&name.replace('-', "_"))
}

/// `unknown lint `x``, with the closest name when one is close.
pub fn unknown_lint_message(name: &str) -> String {
    let mut message = format!("unknown lint `{name}`");
    if let Some(close) = closest_lint(name) {
        message.push_str(&format!("\n  help: did you mean `{close}`?"));
    }
    message
}

/// The names of every lint, for error messages.
pub fn known_lints() -> String {
    LINTS
        .iter()
        .map(|lint| lint.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_a_suggestion() {
        let message = unknown_lint_message("select_arm_not_cancelsafe");
        assert!(
            message.contains("did you mean `select_arm_not_cancel_safe`?"),
            "{message}"
        );
    }

    #[test]
    fn dashes_are_accepted() {
        assert_eq!(
            find_lint("parse-error").map(|lint| lint.name),
            Some("parse_error")
        );
    }
}
