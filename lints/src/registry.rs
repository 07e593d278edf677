//! The list of lints and their checks. A test (`tests/registry.rs`) checks that every rule file
//! is registered, that names are unique and match their files, that every lint has a fixture
//! folder and documentation with the required headings, and that the documented examples behave.

use crate::lint::Lint;
use crate::model::FileModel;
use crate::rules::{self, LintContext};

/// A rule's check: it reads the file's model (and the workspace through the context) and
/// reports through the context.
pub(crate) type Check = fn(&mut LintContext<'_>, &FileModel);

/// Registers the lints, each by its rule module's name: `checked` lints have a `check` function
/// the driver runs on every file; `driver` lints are reported by the driver itself (suppressions,
/// parse errors). Catalogue order is the order written here.
macro_rules! register {
    (checked: [$($checked:ident),* $(,)?], driver: [$($driver:ident),* $(,)?] $(,)?) => {
        /// The checks the driver runs on every file.
        pub(crate) static CHECKS: &[Check] = &[$(rules::$checked::check,)*];
        /// Every lint, in catalogue order.
        pub static LINTS: &[&Lint] = &[$(rules::$checked::LINT,)* $(rules::$driver::LINT,)*];
    };
}

register! {
    checked: [
        select_arm_not_cancel_safe,
        timeout_not_cancel_safe,
        select_timer_reset,
        try_join_not_cancel_safe,
        abandoned_blocking_work,
        buffer_held_across_await,
        futurelock,
        undocumented_cancel_safety,
        block_on_in_async,
        detached_spawn,
        missing_send_bound,
        lock_held_across_await,
        non_send_held_across_await,
    ],
    driver: [unused_allow, unknown_lint, parse_error],
}

/// Looks a lint up by its name.
pub fn lint_by_name(name: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.name == name)
}

/// The known lint closest to a misspelt name (`-` read as `_`), when one is close enough.
pub fn closest_lint(name: &str) -> Option<&'static str> {
    let name = name.replace('-', "_");
    LINTS
        .iter()
        .map(|lint| (strsim::jaro(&name, lint.name), lint.name))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// The lints reference (docs/lints.md), generated from the lint declarations.
pub fn lints_markdown() -> String {
    let mut out = String::from(
        "# Lints\n\n<!-- Generated from lints/src/rules/*.rs by \
         `UPDATE_EXPECT=1 cargo test -p cancel-check-lints --test registry`. Do not edit. -->\n\n\
         | lint | default | what it does |\n|---|---|---|\n",
    );
    for lint in LINTS {
        let level = if lint.default_level_in_tests == lint.default_level {
            lint.default_level.to_string()
        } else {
            format!(
                "{} ({} in tests)",
                lint.default_level, lint.default_level_in_tests
            )
        };
        out.push_str(&format!(
            "| [`{name}`](#{name}) | {level} | {summary} |\n",
            name = lint.name,
            summary = lint.summary().replace('|', "\\|"),
        ));
    }
    for lint in LINTS {
        let in_tests = if lint.default_level_in_tests == lint.default_level {
            String::new()
        } else {
            format!(
                " In test code it is `{}` (see `lints-in-tests` in configuration.md).",
                lint.default_level_in_tests
            )
        };
        out.push_str(&format!(
            "\n## {name}\n\nDefault level: `{level}`.{in_tests} Change it for a run with `-A {name}`, \
             `-W {name}` or `-D {name}`; print this page with `cargo cancel-check explain {name}`.\n\n{docs}",
            name = lint.name,
            level = lint.default_level,
            docs = lint.docs(),
        ));
    }
    out
}
