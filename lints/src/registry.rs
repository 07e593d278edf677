//! The list of lints, their groups and their checks. A test (`tests/registry.rs`) checks that
//! every rule file is registered, that names are unique and match their files, that every lint
//! has a fixture folder and documentation with the required headings, that the documented
//! examples behave, and that every group is non-empty and holds exactly the lints that name it.

use crate::lint::{Level, Lint};
use crate::model::FileModel;
use crate::rules::{self, LintContext};

/// A rule's check: it reads the file's model (and the workspace through the context) and
/// reports through the context.
pub(crate) type Check = fn(&mut LintContext<'_>, &FileModel);

/// A named set of lints, usable wherever a lint name is: `-W cancel_safety`, `-A all`,
/// `deadlock = "deny"` in the configuration's `lints` table. The SARIF output tags each rule with
/// its groups.
#[derive(Debug)]
pub struct Group {
    /// snake_case, like lint names (and never a lint's name).
    pub name: &'static str,
    /// What its lints are about, for `cargo cancel-check lints` and docs/lints.md.
    pub summary: &'static str,
}

impl Group {
    /// The group's lints, in catalogue order. `all` is every lint that is on by default (as
    /// `clippy::all`); a topic group holds the lints that name it in the registry.
    pub fn lints(&self) -> impl Iterator<Item = &'static Lint> + '_ {
        LINTS.iter().copied().filter(move |lint| {
            if self.name == ALL.name {
                lint.default_level != Level::Allow
            } else {
                groups_of(lint).iter().any(|group| group.name == self.name)
            }
        })
    }
}

/// Declares the groups: a static for each, and `GROUPS` in listing order.
macro_rules! groups {
    ($($NAME:ident = $name:literal: $summary:literal,)*) => {
        $(
            #[doc = concat!("The `", $name, "` group: ", $summary, ".")]
            pub static $NAME: Group = Group { name: $name, summary: $summary };
        )*
        /// Every group, `all` first.
        pub static GROUPS: &[&Group] = &[$(&$NAME,)*];
    };
}

groups! {
    ALL = "all": "every lint that is on by default",
    CORRECTNESS = "correctness": "code that loses data, deadlocks or stalls the runtime",
    CANCEL_SAFETY = "cancel_safety": "futures that lose data or work when a race drops them",
    DEADLOCK = "deadlock": "locks and queues that can stop a task for good",
    BLOCKING = "blocking": "blocking work in async code, or raced where cancellation cannot stop it",
    SEND = "send": "futures that cannot move between threads, or do not promise they can",
    DOCUMENTATION = "documentation": "cancel safety that public docs do not state",
    STRUCTURED_CONCURRENCY = "structured_concurrency": "tasks that nothing waits for",
    SUPPRESSIONS = "suppressions": "suppressions that name unknown lints or suppress nothing",
}

/// Registers the lints, each by its rule module's name and with the topic groups it belongs to:
/// `checked` lints have a `check` function the driver runs on every file; `driver` lints are
/// reported by the driver itself (suppressions, parse errors). Catalogue order is the order
/// written here.
macro_rules! register {
    (
        checked: [$($checked:ident in [$($checked_group:ident),*]),* $(,)?],
        driver: [$($driver:ident in [$($driver_group:ident),*]),* $(,)?] $(,)?
    ) => {
        /// The checks the driver runs on every file.
        pub(crate) static CHECKS: &[Check] = &[$(rules::$checked::check,)*];
        /// Every lint, in catalogue order.
        pub static LINTS: &[&Lint] = &[$(rules::$checked::LINT,)* $(rules::$driver::LINT,)*];
        /// The topic groups of each lint of `LINTS`, in the same order.
        static LINT_GROUPS: &[&[&Group]] = &[
            $(&[$(&$checked_group),*],)*
            $(&[$(&$driver_group),*],)*
        ];
    };
}

register! {
    checked: [
        select_arm_not_cancel_safe in [CORRECTNESS, CANCEL_SAFETY],
        timeout_not_cancel_safe in [CORRECTNESS, CANCEL_SAFETY],
        select_timer_reset in [CORRECTNESS, CANCEL_SAFETY],
        try_join_not_cancel_safe in [CORRECTNESS, CANCEL_SAFETY],
        abandoned_blocking_work in [CORRECTNESS, CANCEL_SAFETY, BLOCKING],
        buffer_held_across_await in [CORRECTNESS, CANCEL_SAFETY],
        futurelock in [CORRECTNESS, DEADLOCK],
        undocumented_cancel_safety in [DOCUMENTATION],
        block_on_in_async in [CORRECTNESS, BLOCKING],
        detached_spawn in [STRUCTURED_CONCURRENCY],
        missing_send_bound in [SEND],
        lock_held_across_await in [CORRECTNESS, DEADLOCK],
        non_send_held_across_await in [SEND],
    ],
    driver: [
        unused_allow in [SUPPRESSIONS],
        unknown_lint in [SUPPRESSIONS],
        parse_error in [],
    ],
}

/// The topic groups a lint belongs to (never `all`), in the order the registry gives them.
pub fn groups_of(lint: &Lint) -> &'static [&'static Group] {
    LINTS
        .iter()
        .position(|known| known.name == lint.name)
        .map_or(&[], |index| LINT_GROUPS[index])
}

/// Every group a lint belongs to: `all` when it is on by default, then its topic groups.
pub fn all_groups_of(lint: &'static Lint) -> impl Iterator<Item = &'static Group> {
    let all = (lint.default_level != Level::Allow).then_some(&ALL);
    all.into_iter().chain(groups_of(lint).iter().copied())
}

/// Looks a lint up by its exact name.
pub fn lint_by_name(name: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.name == name)
}

/// A lint or group name as a user may write it, in canonical form: ASCII case folded, `-` read
/// as `_` (as rustc does) and the tool prefix `cancel_check::` dropped, so that
/// `cancel_check::Select-Arm-Not-Cancel-Safe` is `select_arm_not_cancel_safe`.
pub fn canonical_name(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase().replace('-', "_");
    match name.strip_prefix("cancel_check::") {
        Some(bare) => bare.to_string(),
        None => name,
    }
}

/// Looks a lint up by a name as a user may write it (see [`canonical_name`]).
pub fn find_lint(name: &str) -> Option<&'static Lint> {
    lint_by_name(&canonical_name(name))
}

/// Looks a group up by a name as a user may write it (see [`canonical_name`]).
pub fn find_group(name: &str) -> Option<&'static Group> {
    let name = canonical_name(name);
    GROUPS.iter().copied().find(|group| group.name == name)
}

/// The known lint closest to a misspelt name (in canonical form), when one is close enough.
pub fn closest_lint(name: &str) -> Option<&'static str> {
    closest(name, LINTS.iter().map(|lint| lint.name))
}

/// The known lint or group closest to a misspelt name, when one is close enough.
pub fn closest_lint_or_group(name: &str) -> Option<&'static str> {
    closest(
        name,
        LINTS
            .iter()
            .map(|lint| lint.name)
            .chain(GROUPS.iter().map(|group| group.name)),
    )
}

fn closest(name: &str, candidates: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let name = canonical_name(name);
    candidates
        .map(|candidate| (strsim::jaro(&name, candidate), candidate))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The lints reference (docs/lints.md), generated from the lint declarations and the groups.
pub fn lints_markdown() -> String {
    let mut out = String::from(
        "# Lints\n\n<!-- Generated from lints/src/rules/*.rs and lints/src/registry.rs by \
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
    out.push_str(
        "\n## Lint groups\n\nA group name works wherever a lint name does: `-A all`, \
         `-D cancel_safety`, `deadlock = \"deny\"` in the configuration's `lints` table. On the \
         command line the later flag wins; in one configuration table a lint's own setting beats \
         a topic group's, which beats `all` (see [configuration.md](configuration.md#precedence)).\n\n\
         | group | lints | what they are about |\n|---|---|---|\n",
    );
    for group in GROUPS {
        let link = |lint: &Lint| format!("[`{0}`](#{0})", lint.name);
        let lints = if group.name == ALL.name {
            let off: Vec<String> = LINTS
                .iter()
                .filter(|lint| lint.default_level == Level::Allow)
                .map(|lint| link(lint))
                .collect();
            format!("every lint but {}", off.join(", "))
        } else {
            group.lints().map(link).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {lints} | {} |\n",
            group.name, group.summary
        ));
    }
    for lint in LINTS {
        let groups: Vec<String> = all_groups_of(lint)
            .map(|group| format!("`{}`", group.name))
            .collect();
        let groups = match groups.len() {
            0 => String::new(),
            1 => format!(" Group: {}.", groups[0]),
            _ => format!(" Groups: {}.", groups.join(", ")),
        };
        let in_tests = if lint.default_level_in_tests == lint.default_level {
            String::new()
        } else {
            format!(
                " In test code it is `{}` (see `lints-in-tests` in configuration.md).",
                lint.default_level_in_tests
            )
        };
        out.push_str(&format!(
            "\n## {name}\n\nDefault level: `{level}`.{in_tests}{groups} Change it for a run with `-A {name}`, \
             `-W {name}` or `-D {name}`; print this page with `cargo cancel-check explain {name}`.\n\n{docs}",
            name = lint.name,
            level = lint.default_level,
            docs = lint.docs(),
        ));
    }
    out
}
