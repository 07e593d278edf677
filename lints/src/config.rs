//! Settings the analysis takes as data (the binary reads them from the command line and files).
//!
//! Lint levels come in layers, the later winning: the lint's default, the workspace
//! configuration, the configuration of the package a file belongs to, and the command line
//! (`-A/-W/-D`). The `warnings` group (`-D warnings`, `-A warnings`) applies last, to whatever is
//! at warn level then. In test code the lint's default in tests replaces its default, and the
//! `lints-in-tests` levels of the workspace and the package come just below the command line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::lint::{Level, Lint};

/// Lint levels set by one layer of configuration.
pub type Levels = BTreeMap<&'static str, Level>;

/// No levels.
static EMPTY: Levels = BTreeMap::new();

/// Lint levels and other settings for one run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The workspace configuration.
    workspace: Levels,
    /// Package configurations, by the path label of each file they cover.
    files: HashMap<String, Arc<Levels>>,
    /// The command line: wins over every configuration file.
    forced: Levels,
    /// The workspace's levels for test code (`lints-in-tests`).
    tests_workspace: Levels,
    /// Package levels for test code, by the path label of each file they cover.
    tests_files: HashMap<String, Arc<Levels>>,
    /// `-D warnings` / `-A warnings` / `-W warnings`: what warn-level findings become.
    pub warnings: Option<Level>,
    /// Types whose values are `!Send` besides the known ones (`my_crate::Handle`).
    pub not_send_types: Vec<String>,
    /// Types whose `lock()`/`read()`/`write()` return a guard directly, like `parking_lot`'s.
    pub lock_types: Vec<String>,
    /// The path labels of the files whose package allows rustc's own `async_fn_in_trait` lint
    /// (`async_fn_in_trait = "allow"` in `[lints.rust]`, or inherited from
    /// `[workspace.lints.rust]`): their authors answered the `Send` question for trait methods.
    async_fn_in_trait_allowed: HashSet<String>,
}

impl Config {
    /// Sets the level of a lint for this run, over every configuration file (the command line;
    /// later calls win, as with rustc's `-A/-W/-D`).
    pub fn set_level(&mut self, lint: &'static Lint, level: Level) {
        self.forced.insert(lint.name, level);
    }

    /// Sets the workspace-wide configured level of a lint.
    pub fn set_configured_level(&mut self, lint: &'static Lint, level: Level) {
        self.workspace.insert(lint.name, level);
    }

    /// Sets the levels of a package's configuration for the files with these path labels.
    pub fn set_file_levels(&mut self, labels: impl IntoIterator<Item = String>, levels: Levels) {
        let levels = Arc::new(levels);
        for label in labels {
            self.files.insert(label, levels.clone());
        }
    }

    /// Records that the files with these path labels belong to a package that allows rustc's
    /// `async_fn_in_trait` lint.
    pub fn set_async_fn_in_trait_allowed(&mut self, labels: impl IntoIterator<Item = String>) {
        self.async_fn_in_trait_allowed.extend(labels);
    }

    /// Whether the file with this path label belongs to a package that allows rustc's
    /// `async_fn_in_trait` lint.
    pub fn async_fn_in_trait_allowed(&self, path: &str) -> bool {
        self.async_fn_in_trait_allowed.contains(path)
    }

    /// Sets the workspace-wide configured level of a lint in test code.
    pub fn set_configured_test_level(&mut self, lint: &'static Lint, level: Level) {
        self.tests_workspace.insert(lint.name, level);
    }

    /// Sets the test-code levels of a package's configuration for the files with these labels.
    pub fn set_file_test_levels(
        &mut self,
        labels: impl IntoIterator<Item = String>,
        levels: Levels,
    ) {
        let levels = Arc::new(levels);
        for label in labels {
            self.tests_files.insert(label, levels.clone());
        }
    }

    /// The effective level of a lint, without regard to a package's configuration.
    pub fn level(&self, lint: &Lint) -> Level {
        self.resolve(lint, None, None)
    }

    /// The effective level of a lint in the file with this path label.
    pub fn level_in(&self, lint: &Lint, path: &str) -> Level {
        self.level_at(lint, path, false)
    }

    /// The effective level of a lint in the file with this path label, in test code or not.
    pub fn level_at(&self, lint: &Lint, path: &str, in_test: bool) -> Level {
        let package = self.files.get(path).map(|levels| &**levels);
        let tests = in_test.then(|| {
            self.tests_files
                .get(path)
                .map(|levels| &**levels)
                .unwrap_or(&EMPTY)
        });
        self.resolve(lint, package, tests)
    }

    /// A finding at its effective level in its file, or `None` when its lint is allowed there.
    pub(crate) fn report(
        &self,
        diagnostic: crate::diagnostic::Diagnostic,
    ) -> Option<crate::diagnostic::Diagnostic> {
        self.report_at(diagnostic, false)
    }

    /// [`Config::report`] for a finding in test code (`in_test`) or not.
    pub(crate) fn report_at(
        &self,
        mut diagnostic: crate::diagnostic::Diagnostic,
        in_test: bool,
    ) -> Option<crate::diagnostic::Diagnostic> {
        let level = self.level_at(diagnostic.lint, &diagnostic.primary.file, in_test);
        if level == Level::Allow {
            return None;
        }
        diagnostic.level = level;
        Some(diagnostic)
    }

    /// A canonical text of every setting, for cache keys: equal configs give equal texts.
    pub fn fingerprint(&self) -> String {
        let mut files: Vec<(&String, &Arc<Levels>)> = self.files.iter().collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        let mut allowed: Vec<&String> = self.async_fn_in_trait_allowed.iter().collect();
        allowed.sort();
        let mut tests_files: Vec<(&String, &Arc<Levels>)> = self.tests_files.iter().collect();
        tests_files.sort_by(|a, b| a.0.cmp(b.0));
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.workspace,
            files,
            self.forced,
            self.warnings,
            self.not_send_types,
            self.lock_types,
            allowed,
            self.tests_workspace,
            tests_files
        )
    }

    /// `tests`: the package's test-code levels, for a finding in test code.
    fn resolve(&self, lint: &Lint, package: Option<&Levels>, tests: Option<&Levels>) -> Level {
        let in_test = tests.is_some();
        let level = self
            .forced
            .get(lint.name)
            .or_else(|| tests.and_then(|levels| levels.get(lint.name)))
            .or_else(|| {
                in_test
                    .then(|| self.tests_workspace.get(lint.name))
                    .flatten()
            })
            .or_else(|| package.and_then(|levels| levels.get(lint.name)))
            .or_else(|| self.workspace.get(lint.name))
            .copied()
            .unwrap_or(if in_test {
                lint.default_level_in_tests
            } else {
                lint.default_level
            });
        match (level, self.warnings) {
            (Level::Warn, Some(group)) => group,
            _ => level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::lint_by_name;

    #[test]
    fn the_command_line_beats_the_package_which_beats_the_workspace() {
        let lint = lint_by_name("select_timer_reset").unwrap();
        let mut config = Config::default();
        config.set_configured_level(lint, Level::Deny);
        config.set_file_levels(
            ["pkg/src/lib.rs".to_string()],
            Levels::from([(lint.name, Level::Allow)]),
        );
        assert_eq!(config.level_in(lint, "pkg/src/lib.rs"), Level::Allow);
        assert_eq!(config.level_in(lint, "other/src/lib.rs"), Level::Deny);
        config.set_level(lint, Level::Warn);
        assert_eq!(config.level_in(lint, "pkg/src/lib.rs"), Level::Warn);
        config.warnings = Some(Level::Deny);
        assert_eq!(config.level_in(lint, "pkg/src/lib.rs"), Level::Deny);
    }

    #[test]
    fn test_code_has_the_lint_s_test_default_and_its_own_configured_levels() {
        let timer = lint_by_name("select_timer_reset").unwrap();
        let lock = lint_by_name("lock_held_across_await").unwrap();
        let mut config = Config::default();
        let path = "pkg/src/lib.rs";
        assert_eq!(config.level_at(timer, path, false), Level::Warn);
        assert_eq!(config.level_at(timer, path, true), Level::Allow);
        assert_eq!(config.level_at(lock, path, true), Level::Warn);
        // An explicit level applies to test code too; a test-code level only there.
        config.set_configured_level(timer, Level::Deny);
        assert_eq!(config.level_at(timer, path, true), Level::Deny);
        config.set_configured_test_level(timer, Level::Allow);
        assert_eq!(config.level_at(timer, path, true), Level::Allow);
        assert_eq!(config.level_at(timer, path, false), Level::Deny);
        config.set_file_test_levels(
            [path.to_string()],
            Levels::from([(timer.name, Level::Warn)]),
        );
        assert_eq!(config.level_at(timer, path, true), Level::Warn);
        assert_eq!(
            config.level_at(timer, "other/src/lib.rs", true),
            Level::Allow
        );
        // The command line wins everywhere.
        config.set_level(timer, Level::Allow);
        assert_eq!(config.level_at(timer, path, true), Level::Allow);
    }
}
