//! The list of lints and their checks. A test (`tests/registry.rs`) checks that every rule file
//! is registered, that names are unique and match their files, that every lint has a fixture
//! folder and documentation with the required headings, and that the documented examples behave.

use crate::lint::Lint;
use crate::model::FileModel;
use crate::rules::{self, LintContext};

/// A registered check (`None` for lints emitted by the driver, like `parse_error`).
pub(crate) struct Registered {
    pub check: Option<fn(&mut LintContext<'_>, &FileModel)>,
}

macro_rules! register {
    ($($module:ident :: $LINT:ident => $check:expr),* $(,)?) => {
        pub(crate) static REGISTERED: &[Registered] = &[
            $(Registered { check: $check },)*
        ];
        /// Every lint, in catalogue order.
        pub static LINTS: &[&Lint] = &[$(&rules::$module::$LINT,)*];
    };
}

register! {
    select_arm_not_cancel_safe::SELECT_ARM_NOT_CANCEL_SAFE => Some(rules::select_arm_not_cancel_safe::check),
    timeout_not_cancel_safe::TIMEOUT_NOT_CANCEL_SAFE => Some(rules::timeout_not_cancel_safe::check),
    select_timer_reset::SELECT_TIMER_RESET => Some(rules::select_timer_reset::check),
    try_join_not_cancel_safe::TRY_JOIN_NOT_CANCEL_SAFE => Some(rules::try_join_not_cancel_safe::check),
    abandoned_blocking_work::ABANDONED_BLOCKING_WORK => Some(rules::abandoned_blocking_work::check),
    buffer_held_across_await::BUFFER_HELD_ACROSS_AWAIT => Some(rules::buffer_held_across_await::check),
    futurelock::FUTURELOCK => Some(rules::futurelock::check),
    undocumented_cancel_safety::UNDOCUMENTED_CANCEL_SAFETY => Some(rules::undocumented_cancel_safety::check),
    block_on_in_async::BLOCK_ON_IN_ASYNC => Some(rules::block_on_in_async::check),
    detached_spawn::DETACHED_SPAWN => Some(rules::detached_spawn::check),
    missing_send_bound::MISSING_SEND_BOUND => Some(rules::missing_send_bound::check),
    lock_held_across_await::LOCK_HELD_ACROSS_AWAIT => Some(rules::lock_held_across_await::check),
    non_send_held_across_await::NON_SEND_HELD_ACROSS_AWAIT => Some(rules::non_send_held_across_await::check),
    unused_allow::UNUSED_ALLOW => None,
    unknown_lint::UNKNOWN_LINT => None,
    parse_error::PARSE_ERROR => None,
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
        out.push_str(&format!(
            "| [`{name}`](#{name}) | {level} | {summary} |\n",
            name = lint.name,
            level = lint.default_level,
            summary = lint.summary().replace('|', "\\|"),
        ));
    }
    for lint in LINTS {
        out.push_str(&format!(
            "\n## {name}\n\nDefault level: `{level}`. Change it for a run with `-A {name}`, `-W {name}` \
             or `-D {name}`; print this page with `cargo cancel-check explain {name}`.\n\n{docs}",
            name = lint.name,
            level = lint.default_level,
            docs = lint.docs(),
        ));
    }
    out
}
