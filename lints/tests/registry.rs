//! The registry checks itself: every rule file is registered under its own name, every lint has
//! fixtures and documentation with the required headings, the documented examples behave, and
//! the groups hold exactly the lints that name them.

use std::collections::BTreeSet;
use std::path::Path;

use cancel_check_lints::registry::{all_groups_of, canonical_name, groups_of};
use cancel_check_lints::{
    analyze_file, find_group, find_lint, lint_by_name, Config, Level, GROUPS, LINTS,
};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn every_rule_file_is_registered_under_its_name() {
    let rules = root().join("lints/src/rules");
    let mut stems = BTreeSet::new();
    for entry in std::fs::read_dir(&rules).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if stem == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            lint_by_name(&stem).is_some(),
            "rules/{stem}.rs is not registered in registry.rs"
        );
        let declaration = format!("pub {}, \"{stem}\"", stem.to_uppercase());
        assert!(
            text.contains(&declaration),
            "rules/{stem}.rs must declare `{declaration}`"
        );
        stems.insert(stem);
    }
    let names: BTreeSet<String> = LINTS.iter().map(|lint| lint.name.to_string()).collect();
    assert_eq!(names, stems, "registered lints and rule files differ");
    assert_eq!(names.len(), LINTS.len(), "lint names are not unique");
}

#[test]
fn names_follow_the_convention() {
    for lint in LINTS {
        let name = lint.name;
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !name.starts_with('_')
                && !name.ends_with('_'),
            "`{name}` is not snake_case"
        );
        assert!(
            !name.starts_with("no_") && !name.starts_with("check_"),
            "`{name}` must name the bad pattern"
        );
    }
}

#[test]
fn every_lint_has_documentation_with_the_required_headings() {
    for lint in LINTS {
        for heading in [
            "What it does",
            "Why is this bad?",
            "Known problems",
            "Example",
        ] {
            let section = lint.section(heading).unwrap_or_default();
            assert!(
                !section.is_empty(),
                "`{}` docs lack a non-empty `### {heading}`",
                lint.name
            );
        }
        let (bad, good) = lint.example_blocks();
        assert!(bad.is_some(), "`{}` has no example code block", lint.name);
        assert!(
            good.is_some(),
            "`{}` has no `Use instead:` code block",
            lint.name
        );
        assert!(!lint.summary().is_empty());
    }
}

#[test]
fn documented_examples_trigger_and_fixes_do_not() {
    for lint in LINTS {
        let mut config = Config::default();
        config.set_level(lint, Level::Warn);
        let (bad, good) = lint.example_blocks();
        let fires = |code: &str| {
            analyze_file("example.rs", code, &config)
                .iter()
                .any(|diagnostic| diagnostic.lint.name == lint.name)
        };
        assert!(
            fires(&bad.unwrap()),
            "the `Example` of `{}` does not trigger it",
            lint.name
        );
        assert!(
            !fires(&good.unwrap()),
            "the `Use instead:` of `{}` triggers it",
            lint.name
        );
    }
}

#[test]
fn every_lint_has_positive_and_negative_fixtures() {
    for lint in LINTS {
        let folder = root().join("test-fixtures").join(lint.name);
        let entries = std::fs::read_dir(&folder).unwrap_or_else(|_| {
            panic!(
                "`{}` has no fixture folder test-fixtures/{}/",
                lint.name, lint.name
            )
        });
        let texts: Vec<String> = entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .map(|path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned())
            .collect();
        let marker = format!(" {}", lint.name);
        assert!(
            texts.iter().any(|text| text
                .lines()
                .any(|line| line.contains("//~") && line.contains(&marker))),
            "`{}` has no positive fixture (a `//~ {}` marker)",
            lint.name,
            lint.name
        );
        assert!(
            texts.iter().any(|text| text.contains("//@ check-pass")),
            "`{}` has no negative fixture (a file with `//@ check-pass`)",
            lint.name
        );
    }
}

#[test]
fn lints_reference_is_fresh() {
    let path = root().join("docs/lints.md");
    let generated = cancel_check_lints::registry::lints_markdown();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/lints.md is stale: run `UPDATE_EXPECT=1 cargo test -p cancel-check-lints --test registry`"
    );
}

/// The README's table of lints lists exactly the registered lints, in catalogue order, each with
/// its default level, so that the two cannot drift apart.
#[test]
fn the_readme_lists_every_lint_with_its_default_level() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rows: Vec<(String, String)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // `| `name` | level | what |`: cells[0] is the empty text before the first bar.
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let level = cells.get(2)?;
            lint_by_name(name).map(|_| (name.to_string(), level.to_string()))
        })
        .collect();
    let expected: Vec<(String, String)> = LINTS
        .iter()
        .map(|lint| (lint.name.to_string(), lint.default_level.to_string()))
        .collect();
    assert_eq!(
        rows, expected,
        "README.md's lint table must list every lint in catalogue order with its default level"
    );
}

// ---- groups ----

#[test]
fn every_group_is_non_empty_and_named_like_a_lint_but_not_as_one() {
    let mut names = BTreeSet::new();
    for group in GROUPS {
        assert!(
            group.lints().next().is_some(),
            "group `{}` has no lint",
            group.name
        );
        assert!(
            group
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "group `{}` is not snake_case",
            group.name
        );
        assert!(
            lint_by_name(group.name).is_none() && group.name != "warnings",
            "group `{}` has the name of a lint",
            group.name
        );
        assert!(
            !group.summary.is_empty(),
            "group `{}` has no summary",
            group.name
        );
        assert!(
            names.insert(group.name),
            "group `{}` is declared twice",
            group.name
        );
    }
    assert_eq!(GROUPS[0].name, "all", "`all` comes first");
}

#[test]
fn every_lint_is_in_exactly_the_groups_it_declares() {
    for lint in LINTS {
        let declared: BTreeSet<&str> = all_groups_of(lint).map(|group| group.name).collect();
        let holding: BTreeSet<&str> = GROUPS
            .iter()
            .filter(|group| group.lints().any(|member| member.name == lint.name))
            .map(|group| group.name)
            .collect();
        assert_eq!(declared, holding, "the groups of `{}`", lint.name);
        assert!(
            !groups_of(lint).iter().any(|group| group.name == "all"),
            "`{}` names `all`, which is derived from the default level",
            lint.name
        );
        let topics: Vec<&str> = groups_of(lint).iter().map(|group| group.name).collect();
        let unique: BTreeSet<&str> = topics.iter().copied().collect();
        assert_eq!(
            topics.len(),
            unique.len(),
            "`{}` names a group twice",
            lint.name
        );
    }
}

#[test]
fn all_is_every_lint_that_is_on_by_default() {
    let all: Vec<&str> = find_group("all")
        .unwrap()
        .lints()
        .map(|lint| lint.name)
        .collect();
    let on: Vec<&str> = LINTS
        .iter()
        .filter(|lint| lint.default_level != Level::Allow)
        .map(|lint| lint.name)
        .collect();
    assert_eq!(all, on);
    assert!(!all.contains(&"detached_spawn"));
    assert!(all.contains(&"select_arm_not_cancel_safe"));
}

#[test]
fn the_topic_groups_hold_what_their_names_say() {
    let members = |name: &str| -> Vec<&str> {
        find_group(name)
            .unwrap()
            .lints()
            .map(|lint| lint.name)
            .collect()
    };
    assert_eq!(
        members("deadlock"),
        ["futurelock", "lock_held_across_await"]
    );
    assert_eq!(
        members("send"),
        ["missing_send_bound", "non_send_held_across_await"]
    );
    assert_eq!(members("suppressions"), ["unused_allow", "unknown_lint"]);
    assert_eq!(members("documentation"), ["undocumented_cancel_safety"]);
    assert!(members("cancel_safety").contains(&"select_arm_not_cancel_safe"));
    // Documentation is not a bug: denying the bugs must not deny undocumented functions.
    assert!(!members("cancel_safety").contains(&"undocumented_cancel_safety"));
    assert!(!members("correctness").contains(&"undocumented_cancel_safety"));
}

// ---- names as users write them ----

#[test]
fn names_are_found_with_the_tool_prefix_in_any_case_with_dashes() {
    for written in [
        "select_arm_not_cancel_safe",
        "cancel_check::select_arm_not_cancel_safe",
        "Cancel_Check::Select_Arm_Not_Cancel_Safe",
        "select-arm-not-cancel-safe",
        "cancel-check::SELECT-ARM-NOT-CANCEL-SAFE",
    ] {
        assert_eq!(
            find_lint(written).map(|lint| lint.name),
            Some("select_arm_not_cancel_safe"),
            "{written}"
        );
    }
    assert_eq!(canonical_name(" Cancel_Check::Deadlock "), "deadlock");
    assert_eq!(
        find_group("cancel-safety").map(|group| group.name),
        Some("cancel_safety")
    );
    assert_eq!(
        find_group("cancel_check::ALL").map(|group| group.name),
        Some("all")
    );
    assert!(find_lint("cancel_check::").is_none());
    assert!(find_lint("clippy::select_arm_not_cancel_safe").is_none());
    assert!(find_group("select_arm_not_cancel_safe").is_none());
}
