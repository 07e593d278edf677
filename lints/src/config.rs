//! Settings the analysis takes as data (the binary reads them from the command line and files).

use std::collections::BTreeMap;

use crate::lint::{Level, Lint};

/// Lint levels and other settings for one run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    levels: BTreeMap<&'static str, Level>,
    /// `-D warnings`: every finding at warn level is raised to deny.
    pub warnings_are_errors: bool,
}

impl Config {
    /// Sets the level of a lint for this run (later calls win, as with rustc's `-A/-W/-D`).
    pub fn set_level(&mut self, lint: &'static Lint, level: Level) {
        self.levels.insert(lint.name, level);
    }

    /// The effective level of a lint.
    pub fn level(&self, lint: &Lint) -> Level {
        let level = self
            .levels
            .get(lint.name)
            .copied()
            .unwrap_or(lint.default_level);
        if self.warnings_are_errors && level == Level::Warn {
            Level::Deny
        } else {
            level
        }
    }
}
