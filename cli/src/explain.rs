//! The `explain` and `lints` subcommands, and looking lints and groups up by the names users
//! write (`select_arm_not_cancel_safe`, `cancel_check::Select-Arm-Not-Cancel-Safe`, `deadlock`).

use std::io::{self, Write};

use anyhow::{bail, Result};
use cancel_check_lints::registry::{canonical_name, ALL};
use cancel_check_lints::{
    closest_lint_or_group, find_group, find_lint, Group, Level, Lint, GROUPS, LINTS,
};

/// The pseudo-group of `-D warnings`: whatever is at warn level at the end.
pub const WARNINGS: &str = "warnings";

/// A lint or a group, as named on the command line or in a configuration table.
#[derive(Clone, Copy, Debug)]
pub enum Named {
    Lint(&'static Lint),
    Group(&'static Group),
}

impl Named {
    /// Looks a name up: a lint first, then a group (no group has a lint's name).
    pub fn find(name: &str) -> Option<Named> {
        find_lint(name)
            .map(Named::Lint)
            .or_else(|| find_group(name).map(Named::Group))
    }

    /// The lints it sets.
    pub fn lints(self) -> Vec<&'static Lint> {
        match self {
            Named::Lint(lint) => vec![lint],
            Named::Group(group) => group.lints().collect(),
        }
    }
}

/// `cargo cancel-check explain <lint-or-group>`: the lint's markdown documentation, or what a
/// group is about and its lints.
pub fn explain(name: &str, out: &mut dyn Write) -> Result<()> {
    match Named::find(name) {
        Some(Named::Lint(lint)) => {
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
        }
        Some(Named::Group(group)) => explain_group(group, out)?,
        None => bail!("{}", unknown_lint_message(name)),
    }
    out.flush()?;
    Ok(())
}

fn explain_group(group: &Group, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# {} (lint group)\n", group.name)?;
    writeln!(out, "{}.\n", capitalized(group.summary))?;
    for lint in group.lints() {
        writeln!(
            out,
            "- `{}` ({}): {}",
            lint.name,
            lint.default_level,
            lint.summary()
        )?;
    }
    writeln!(
        out,
        "\nSet them all with `-A {0}`, `-W {0}` or `-D {0}`, or with `{0} = \"warn\"` in the \
         configuration's `lints` table; a lint's own setting there wins over the group's.",
        group.name
    )
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `cargo cancel-check lints`: every lint with its default level and summary, then every group
/// with its lints, in aligned columns.
pub fn list_lints(out: &mut dyn Write) -> io::Result<()> {
    let width = LINTS
        .iter()
        .map(|lint| lint.name.len())
        .chain(GROUPS.iter().map(|group| group.name.len()))
        .max()
        .unwrap_or(0);
    for lint in LINTS {
        let line = format!(
            "{:width$}  {:5}  {}",
            lint.name,
            lint.default_level.as_str(),
            lint.summary()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\nLint groups (accepted wherever a lint name is; `{WARNINGS}` is every finding at warn level):"
    )?;
    for group in GROUPS {
        let members = if group.name == ALL.name {
            let off: Vec<&str> = LINTS
                .iter()
                .filter(|lint| lint.default_level == Level::Allow)
                .map(|lint| lint.name)
                .collect();
            format!("all but {}", off.join(", "))
        } else {
            group
                .lints()
                .map(|lint| lint.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "{:width$}  {}: {members}",
            group.name,
            capitalized(group.summary)
        )?;
    }
    out.flush()
}

/// `unknown lint `x``, with the closest lint or group when one is close, and where the list is.
pub fn unknown_lint_message(name: &str) -> String {
    let mut message = format!("unknown lint `{}`", crate::escape::printable(name));
    if let Some(close) = closest_lint_or_group(name) {
        message.push_str(&format!("\n  help: did you mean `{close}`?"));
    }
    message.push_str("\n  note: `cargo cancel-check lints` lists every lint and group");
    message
}

/// Whether a name is the `warnings` pseudo-group.
pub fn is_warnings(name: &str) -> bool {
    canonical_name(name) == WARNINGS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_a_suggestion_and_the_list() {
        let message = unknown_lint_message("select_arm_not_cancelsafe");
        assert!(
            message.contains("did you mean `select_arm_not_cancel_safe`?"),
            "{message}"
        );
        assert!(message.contains("`cargo cancel-check lints`"), "{message}");
        let message = unknown_lint_message("cancel_check::dedlock");
        assert!(message.contains("did you mean `deadlock`?"), "{message}");
    }

    #[test]
    fn lints_and_groups_are_found_as_users_write_them() {
        assert!(matches!(
            Named::find("Parse-Error"),
            Some(Named::Lint(lint)) if lint.name == "parse_error"
        ));
        assert!(matches!(
            Named::find("cancel_check::deadlock"),
            Some(Named::Group(group)) if group.name == "deadlock"
        ));
        assert!(Named::find("warnings").is_none());
        assert!(is_warnings("Warnings"));
    }
}
