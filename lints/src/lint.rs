//! Lint declarations: a name, a default level and the documentation, captured from the doc
//! comment as clippy's `declare_clippy_lint!` does. That one string feeds `explain`, docs/lints.md
//! and the SARIF rule help.

use std::fmt;

/// How seriously a finding is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

impl Level {
    /// Parses `allow`, `warn` or `deny` (as written in config files and on the command line).
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    /// The config spelling: `allow`, `warn`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// The diagnostic spelling: `warning` or `error` (`allow` for completeness).
    pub fn diagnostic_word(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Deny => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One lint: the single key used by rule files, fixtures, docs, SARIF and JSON.
#[derive(Debug)]
pub struct Lint {
    /// snake_case name, e.g. `select_arm_not_cancel_safe`.
    pub name: &'static str,
    /// The level used unless config or the command line say otherwise.
    pub default_level: Level,
    /// The level used in test code unless config or the command line say otherwise (see
    /// `model::test_code`): a timer raced on purpose, or a watchdog `timeout` whose expiry
    /// fails the test, loses nothing there.
    pub default_level_in_tests: Level,
    /// The declaration's doc comment as captured (each line keeps the space after `///`).
    pub raw_docs: &'static str,
}

impl Lint {
    /// The markdown documentation, with the space after each `///` removed.
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.raw_docs.len());
        for line in self.raw_docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The first sentence of "What it does", for `lints` listings and SARIF short descriptions.
    pub fn summary(&self) -> String {
        let body = self.section("What it does").unwrap_or_default();
        let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
        match text.find(". ") {
            Some(end) => text[..=end].trim_end().to_string(),
            None => text,
        }
    }

    /// The markdown under a `### <heading>` of the docs (up to the next `###`), trimmed.
    pub fn section(&self, heading: &str) -> Option<String> {
        let docs = self.docs();
        let marker = format!("### {heading}");
        let start = docs.find(&marker)? + marker.len();
        let rest = &docs[start..];
        let end = rest.find("\n### ").unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }

    /// Rust code blocks under `### Example`: the first is the bad code, the one after
    /// `Use instead:` is the fix. Lines starting with `# ` are hidden helpers, kept for analysis.
    pub fn example_blocks(&self) -> (Option<String>, Option<String>) {
        let Some(example) = self.section("Example") else {
            return (None, None);
        };
        let (bad, good) = match example.find("Use instead:") {
            Some(at) => (&example[..at], Some(&example[at..])),
            None => (&example[..], None),
        };
        (first_code_block(bad), good.and_then(first_code_block))
    }
}

fn first_code_block(markdown: &str) -> Option<String> {
    let start = markdown.find("```")?;
    let after_fence = &markdown[start + 3..];
    let body_start = after_fence.find('\n')? + 1;
    let body = &after_fence[body_start..];
    let end = body.find("```")?;
    let code = body[..end]
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    Some(code)
}

/// Declares a lint with its documentation, clippy style, and optionally another default level
/// in test code (`tests: Allow`):
///
/// ```ignore
/// declare_lint! {
///     /// ### What it does
///     /// ...
///     pub SELECT_ARM_NOT_CANCEL_SAFE, "select_arm_not_cancel_safe", Warn
/// }
/// ```
macro_rules! declare_lint {
    ($(#[doc = $doc:literal])* pub $NAME:ident, $name:literal, $level:ident) => {
        $crate::lint::declare_lint! {
            $(#[doc = $doc])* pub $NAME, $name, $level, tests: $level
        }
    };
    ($(#[doc = $doc:literal])* pub $NAME:ident, $name:literal, $level:ident, tests: $in_tests:ident) => {
        #[doc = concat!("The `", $name, "` lint. See its documentation with `cargo cancel-check explain ", $name, "`.")]
        pub static $NAME: $crate::lint::Lint = $crate::lint::Lint {
            name: $name,
            default_level: $crate::lint::Level::$level,
            default_level_in_tests: $crate::lint::Level::$in_tests,
            raw_docs: concat!($($doc, "\n"),*),
        };
        /// This module's lint, under the name the registry uses for every rule module.
        pub(crate) static LINT: &$crate::lint::Lint = &$NAME;
    };
}
pub(crate) use declare_lint;
