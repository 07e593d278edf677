//! Settings the analysis takes as data (the binary reads them from the command line and files).
//!
//! Lint levels come in layers, the later winning: the lint's default, the workspace
//! configuration, the configuration of the package a file belongs to, and the command line
//! (`-A/-W/-D`). The `warnings` group (`-D warnings`, `-A warnings`) applies last, to whatever is
//! at warn level then.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::lint::{Level, Lint};

/// Lint levels set by one layer of configuration.
pub type Levels = BTreeMap<&'static str, Level>;

/// Lint levels and other settings for one run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The workspace configuration.
    workspace: Levels,
    /// Package configurations, by the path label of each file they cover.
    files: HashMap<String, Arc<Levels>>,
    /// The command line: wins over every configuration file.
    forced: Levels,
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

    /// The effective level of a lint, without regard to a package's configuration.
    pub fn level(&self, lint: &Lint) -> Level {
        self.resolve(lint, None)
    }

    /// The effective level of a lint in the file with this path label.
    pub fn level_in(&self, lint: &Lint, path: &str) -> Level {
        self.resolve(lint, self.files.get(path).map(|levels| &**levels))
    }

    /// A finding at its effective level in its file, or `None` when its lint is allowed there.
    pub(crate) fn report(
        &self,
        mut diagnostic: crate::diagnostic::Diagnostic,
    ) -> Option<crate::diagnostic::Diagnostic> {
        let level = self.level_in(diagnostic.lint, &diagnostic.primary.file);
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
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.workspace,
            files,
            self.forced,
            self.warnings,
            self.not_send_types,
            self.lock_types,
            allowed
        )
    }

    fn resolve(&self, lint: &Lint, package: Option<&Levels>) -> Level {
        let level = self
            .forced
            .get(lint.name)
            .or_else(|| package.and_then(|levels| levels.get(lint.name)))
            .or_else(|| self.workspace.get(lint.name))
            .copied()
            .unwrap_or(lint.default_level);
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
}
