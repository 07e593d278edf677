// Length: about 640 lines of code and 170 of unit tests; every key of the configuration is read
// and validated here, so that its errors are worded alike.
//! The project's configuration (SPEC §7): `cancel-check.toml` (or `.cancel-check.toml`, not
//! both) at the workspace root, or
//! `[workspace.metadata.cancel-check]` in the root `Cargo.toml`, and
//! `[package.metadata.cancel-check]` in each package's `Cargo.toml` (package settings override
//! workspace ones for the package's files). Never the `[lints]` table for our own settings: cargo
//! hands unknown lint tools to rustc, which then fails the user's build. From `[lints.rust]` (and
//! `[workspace.lints.rust]`, which a package inherits with `[lints] workspace = true`) only
//! rustc's own level of `async_fn_in_trait` is read: allowing it is the author's answer to the
//! question `missing_send_bound` asks.
//!
//! An unknown key, an unknown lint or a value of the wrong type is an error (exit 2) that names
//! the file, the key and what is accepted.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use cancel_check_lints::config::Levels;
use cancel_check_lints::knowledge::{ApiEntry, ApiKind, Effect, Origin, Verdict};
use cancel_check_lints::registry::ALL;
use cancel_check_lints::{closest_lint_or_group, Group, Level};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use toml::{Table, Value};

use crate::escape::{path_label, printable};
use crate::explain::Named;

/// The name of the stand-alone configuration file.
pub const CONFIG_FILE: &str = "cancel-check.toml";
/// Its hidden spelling, as ruff reads `.ruff.toml`: the same file, for those who keep tool
/// configuration out of sight. Having both is an error.
pub const HIDDEN_CONFIG_FILE: &str = ".cancel-check.toml";

/// The stand-alone configuration file in `dir`: `cancel-check.toml` or `.cancel-check.toml`,
/// or an error when both exist.
pub fn standalone_file(dir: &Path) -> Result<Option<PathBuf>> {
    let plain = dir.join(CONFIG_FILE);
    let hidden = dir.join(HIDDEN_CONFIG_FILE);
    match (plain.is_file(), hidden.is_file()) {
        (true, true) => bail!(
            "both `{}` and `{}` exist; keep one (they hold the same settings)",
            path_label(&plain),
            path_label(&hidden)
        ),
        (true, false) => Ok(Some(plain)),
        (false, true) => Ok(Some(hidden)),
        (false, false) => Ok(None),
    }
}

/// The keys of a configuration table.
const KEYS: &str = "`exclude`, `not-send-types`, `lock-types`, `lints`, `lints-in-tests`, `api`";
/// The keys of an `[[api]]` entry.
const API_KEYS: &str = "`path`, `kind`, `verdict`, `cancel-safe`, `loses`, `fix`, `note`, `source`, `effect`, `args`, `lost-only-with`, `resource-intact`, `listen-then-check`";

/// The settings of one configuration table.
#[derive(Debug, Default)]
pub struct Settings {
    pub levels: Levels,
    /// Levels for test code (`lints-in-tests`).
    pub test_levels: Levels,
    pub exclude: Vec<String>,
    pub not_send_types: Vec<String>,
    pub lock_types: Vec<String>,
    pub api: Vec<ApiEntry>,
}

/// A package's settings and the folder they apply to.
#[derive(Debug)]
pub struct PackageSettings {
    pub dir: PathBuf,
    pub settings: Settings,
}

/// The whole configuration of a workspace.
#[derive(Debug, Default)]
pub struct ProjectConfig {
    /// The workspace root (exclude globs are relative to it).
    pub root: PathBuf,
    /// Where the workspace settings come from, if anywhere.
    pub source: Option<PathBuf>,
    pub workspace: Settings,
    pub packages: Vec<PackageSettings>,
    /// Problems that do not stop the run.
    pub warnings: Vec<String>,
    /// The folder of every package manifest read, and whether the package allows rustc's
    /// `async_fn_in_trait` lint.
    pub rustc_async_fn_in_trait: Vec<(PathBuf, bool)>,
}

impl ProjectConfig {
    /// Reads the configuration of the workspace at `root` whose package manifests are
    /// `manifests` (the root's own manifest may be among them).
    pub fn load(root: &Path, manifests: &[PathBuf]) -> Result<ProjectConfig> {
        let mut config = ProjectConfig {
            root: root.to_path_buf(),
            ..ProjectConfig::default()
        };
        let root_manifest = root.join("Cargo.toml");
        let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let outside = std::cell::RefCell::new(Vec::new());
        let read = |path: &Path| -> Result<Option<Table>> {
            // A configuration file is the checkout's, but it must be in the workspace: a
            // symlink to a file elsewhere is not read (its parse error would quote it).
            if fs::canonicalize(path).is_ok_and(|resolved| !resolved.starts_with(&canonical_root)) {
                outside.borrow_mut().push(format!(
                    "`{}` resolves outside the workspace; it is not read",
                    path_label(path.strip_prefix(root).unwrap_or(path))
                ));
                return Ok(None);
            }
            read_toml(path)
        };
        let root_table = read(&root_manifest)?;
        let from_metadata = root_table
            .as_ref()
            .and_then(|table| nested(table, &["workspace", "metadata", "cancel-check"]));
        if let Some(standalone) = standalone_file(root)? {
            let table = read(&standalone)?.unwrap_or_default();
            config.workspace = Settings::parse(&table, &standalone, "")?;
            config.source = Some(standalone.clone());
            if from_metadata.is_some() {
                config.warnings.push(format!(
                    "`{}` is used; `[workspace.metadata.cancel-check]` in `{}` is ignored",
                    standalone.display(),
                    root_manifest.display()
                ));
            }
        } else if let Some(table) = from_metadata {
            let table = as_table(table, &root_manifest, "workspace.metadata.cancel-check")?;
            config.workspace =
                Settings::parse(table, &root_manifest, "workspace.metadata.cancel-check.")?;
            config.source = Some(root_manifest.clone());
        }
        let workspace_allows = root_table
            .as_ref()
            .and_then(|table| nested(table, &["workspace", "lints", "rust", "async_fn_in_trait"]))
            .is_some_and(allows_lint);
        for manifest in manifests {
            let Some(table) = read(manifest)? else {
                continue;
            };
            let dir = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
            let inherits = nested(&table, &["lints", "workspace"])
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let allows = if inherits {
                workspace_allows
            } else {
                nested(&table, &["lints", "rust", "async_fn_in_trait"]).is_some_and(allows_lint)
            };
            config.rustc_async_fn_in_trait.push((dir, allows));
            let Some(package) = nested(&table, &["package", "metadata", "cancel-check"]) else {
                continue;
            };
            let package = as_table(package, manifest, "package.metadata.cancel-check")?;
            let settings = Settings::parse(package, manifest, "package.metadata.cancel-check.")?;
            let dir = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
            config.packages.push(PackageSettings { dir, settings });
        }
        config.warnings.extend(outside.into_inner());
        Ok(config)
    }

    /// Every `[[api]]` entry, workspace and packages.
    pub fn api_entries(&self) -> impl Iterator<Item = &ApiEntry> {
        std::iter::once(&self.workspace)
            .chain(self.packages.iter().map(|package| &package.settings))
            .flat_map(|settings| settings.api.iter())
    }

    /// The extra `!Send` and lock types, from every table.
    pub fn types(&self) -> (Vec<String>, Vec<String>) {
        let all = || {
            std::iter::once(&self.workspace)
                .chain(self.packages.iter().map(|package| &package.settings))
        };
        let not_send = all().flat_map(|s| s.not_send_types.clone()).collect();
        let locks = all().flat_map(|s| s.lock_types.clone()).collect();
        (not_send, locks)
    }

    /// The exclusion matcher: workspace globs relative to the root, package globs relative to
    /// their package.
    pub fn excluder(&self) -> Result<Excluder> {
        let (set, patterns) = globs(&self.workspace.exclude)?;
        let mut sets = vec![(self.root.clone(), set, patterns)];
        for package in &self.packages {
            let (set, patterns) = globs(&package.settings.exclude)?;
            sets.push((package.dir.clone(), set, patterns));
        }
        Ok(Excluder { sets })
    }

    /// Whether the package whose folder holds `path` (the innermost one read) allows rustc's
    /// `async_fn_in_trait` lint.
    pub fn allows_async_fn_in_trait(&self, path: &Path) -> bool {
        self.rustc_async_fn_in_trait
            .iter()
            .filter(|(dir, _)| path.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .is_some_and(|(_, allows)| *allows)
    }

    /// The package whose folder holds `path` (the innermost one).
    pub fn package_of(&self, path: &Path) -> Option<&PackageSettings> {
        self.packages
            .iter()
            .filter(|package| path.starts_with(&package.dir))
            .max_by_key(|package| package.dir.components().count())
    }
}

/// Decides which files are excluded by `exclude` globs.
#[derive(Debug)]
pub struct Excluder {
    /// Each table's base folder, glob set and, for each glob of the set, its pattern.
    sets: Vec<(PathBuf, GlobSet, Vec<String>)>,
}

impl Excluder {
    /// Whether the file at this absolute path is excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        self.excluded_by(path).is_some()
    }

    /// The `exclude` pattern that excludes the file at this absolute path, if any.
    pub fn excluded_by(&self, path: &Path) -> Option<&str> {
        self.sets.iter().find_map(|(base, set, patterns)| {
            let relative = path.strip_prefix(base).ok()?;
            let first = *set.matches(relative).first()?;
            Some(patterns[first].as_str())
        })
    }
}

fn globs(patterns: &[String]) -> Result<(GlobSet, Vec<String>)> {
    let mut builder = GlobSetBuilder::new();
    let mut of_glob = Vec::new();
    for pattern in patterns {
        let glob: Glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| anyhow!("invalid `exclude` glob `{pattern}`: {error}"))?;
        builder.add(glob);
        of_glob.push(pattern.clone());
        // `generated/**` also names the folder itself; `generated` names what is inside it.
        if !pattern.contains('*') {
            builder.add(Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))?);
            of_glob.push(pattern.clone());
        }
    }
    Ok((builder.build()?, of_glob))
}

impl Settings {
    /// Reads one configuration table; `prefix` is how its keys are named in messages
    /// (`workspace.metadata.cancel-check.`, or nothing in `cancel-check.toml`).
    pub fn parse(table: &Table, file: &Path, prefix: &str) -> Result<Settings> {
        let mut settings = Settings::default();
        let file = file.display();
        for (key, value) in table {
            // Keys and values from the file are escaped in messages: they reach stderr.
            let name = format!("{prefix}{}", printable(key));
            match key.as_str() {
                "exclude" => settings.exclude = strings(value, &file, &name)?,
                "not-send-types" => settings.not_send_types = strings(value, &file, &name)?,
                "lock-types" => settings.lock_types = strings(value, &file, &name)?,
                "lints" | "lints-in-tests" => {
                    let lints = as_table_named(value, &file, &name)?;
                    let levels = lint_levels(lints, &file, &name)?;
                    if key == "lints" {
                        settings.levels = levels;
                    } else {
                        settings.test_levels = levels;
                    }
                }
                "api" => {
                    let Value::Array(entries) = value else {
                        bail!(
                            "{file}: `{name}` must be an array of tables (`[[{name}]]`), found {}",
                            describe(value)
                        );
                    };
                    for (index, entry) in entries.iter().enumerate() {
                        let entry_name = format!("{name}[{index}]");
                        let table = as_table_named(entry, &file, &entry_name)?;
                        settings
                            .api
                            .push(api_entry(table, &file.to_string(), &entry_name)?);
                    }
                }
                _ => bail!("{file}: unknown key `{name}`; accepted keys: {KEYS}"),
            }
        }
        Ok(settings)
    }
}

/// A `lints` table: lint and group names (as on the command line: any case, `-` for `_`, with
/// or without `cancel_check::`) to levels. A table is unordered, so specificity decides: `all`
/// first, then the topic groups, then the lints named themselves. Two topic groups that give
/// one lint different levels are an error, unless the table also names that lint.
fn lint_levels(table: &Table, file: &impl std::fmt::Display, name: &str) -> Result<Levels> {
    let mut all = None;
    let mut groups: Vec<(&'static Group, Level, &str)> = Vec::new();
    let mut lints: BTreeMap<&'static str, (Level, &str)> = BTreeMap::new();
    let mut seen: BTreeMap<&'static str, &str> = BTreeMap::new();
    for (key, value) in table {
        let named = Named::find(key).ok_or_else(|| {
            let hint = closest_lint_or_group(key)
                .map(|close| format!(" (did you mean `{close}`?)"))
                .unwrap_or_default();
            anyhow!(
                "{file}: unknown lint `{}` in `{name}`{hint}; run `cargo cancel-check lints` for the lints and groups",
                printable(key)
            )
        })?;
        let canonical = match named {
            Named::Lint(lint) => lint.name,
            Named::Group(group) => group.name,
        };
        if let Some(earlier) = seen.insert(canonical, key) {
            bail!(
                "{file}: `{name}.{}` and `{name}.{}` both name `{canonical}`; keep one",
                printable(earlier),
                printable(key)
            );
        }
        let level = value.as_str().and_then(Level::parse).ok_or_else(|| {
            anyhow!(
                "{file}: `{name}.{}` must be \"allow\", \"warn\" or \"deny\", found {}",
                printable(key),
                describe(value)
            )
        })?;
        match named {
            Named::Lint(lint) => {
                lints.insert(lint.name, (level, key));
            }
            Named::Group(group) if group.name == ALL.name => all = Some(level),
            Named::Group(group) => groups.push((group, level, key)),
        }
    }
    let mut levels = Levels::new();
    if let Some(level) = all {
        for lint in ALL.lints() {
            levels.insert(lint.name, level);
        }
    }
    let mut from_group: BTreeMap<&'static str, (Level, &str)> = BTreeMap::new();
    for (group, level, key) in &groups {
        for lint in group.lints() {
            if let Some((other, other_key)) = from_group.insert(lint.name, (*level, key)) {
                if other != *level && !lints.contains_key(lint.name) {
                    bail!(
                        "{file}: `{name}.{}` and `{name}.{}` set `{}` to different levels; \
                         set `{}` itself to say which",
                        printable(other_key),
                        printable(key),
                        lint.name,
                        lint.name
                    );
                }
            }
        }
    }
    for (lint, (level, _)) in from_group {
        levels.insert(lint, level);
    }
    for (lint, (level, _)) in lints {
        levels.insert(lint, level);
    }
    Ok(levels)
}

/// One `[[api]]` entry: the fields of the built-in data file, plus `cancel-safe = true/false`
/// as a short form of the verdict.
fn api_entry(table: &Table, file: &str, name: &str) -> Result<ApiEntry> {
    let text = |key: &str| -> Result<Option<String>> {
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => bail!(
                "{file}: `{name}.{key}` must be a string, found {}",
                describe(other)
            ),
        }
    };
    for key in table.keys() {
        let known = matches!(
            key.as_str(),
            "path"
                | "kind"
                | "verdict"
                | "cancel-safe"
                | "loses"
                | "fix"
                | "note"
                | "source"
                | "effect"
                | "args"
                | "lost-only-with"
                | "lost_only_with"
                | "resource-intact"
                | "resource_intact"
                | "listen-then-check"
                | "listen_then_check"
        );
        if !known {
            bail!(
                "{file}: unknown key `{name}.{}`; accepted keys: {API_KEYS}",
                printable(key)
            );
        }
    }
    let Some(path) = text("path")? else {
        bail!(
            "{file}: `{name}` has no `path` (the API's full path, as `my_crate::Conn::read_frame`)"
        );
    };
    let kind = match text("kind")?.as_deref() {
        None | Some("method") => ApiKind::Method,
        Some("fn") => ApiKind::Fn,
        Some("assoc") => ApiKind::Assoc,
        Some(other) => bail!(
            "{file}: `{name}.kind` must be \"method\", \"fn\" or \"assoc\", found \"{}\"",
            printable(other)
        ),
    };
    let verdict = match (text("verdict")?, table.get("cancel-safe")) {
        (Some(_), Some(_)) => {
            bail!("{file}: `{name}` has both `verdict` and `cancel-safe`; keep one")
        }
        (Some(verdict), None) => parse_verdict(&verdict).ok_or_else(|| {
            anyhow!(
                "{file}: `{name}.verdict` must be one of \"safe\", \"conditional\", \"data_loss\", \"message_lost\", \"queue_position_lost\", \"partial_progress_kept\", found \"{}\"",
                printable(&verdict)
            )
        })?,
        (None, Some(Value::Boolean(true))) => Verdict::Safe,
        (None, Some(Value::Boolean(false))) => Verdict::DataLoss,
        (None, Some(other)) => bail!(
            "{file}: `{name}.cancel-safe` must be true or false, found {}",
            describe(other)
        ),
        (None, None) => bail!("{file}: `{name}` needs `cancel-safe = true|false` or a `verdict`"),
    };
    let effect = match text("effect")?.as_deref() {
        None => None,
        Some("fs_write") => Some(Effect::FsWrite),
        Some("fs_read") => Some(Effect::FsRead),
        Some("blocking") => Some(Effect::Blocking),
        Some(other) => bail!(
            "{file}: `{name}.effect` must be \"fs_write\", \"fs_read\" or \"blocking\", found \"{}\"",
            printable(other)
        ),
    };
    let args = match table.get("args") {
        None => None,
        Some(Value::Integer(n)) if *n >= 0 => Some(*n as usize),
        Some(other) => bail!(
            "{file}: `{name}.args` must be a non-negative integer, found {}",
            describe(other)
        ),
    };
    let flag = |keys: [&str; 2]| -> Result<bool> {
        match keys.iter().find_map(|key| table.get(*key)) {
            None => Ok(false),
            Some(Value::Boolean(value)) => Ok(*value),
            Some(other) => bail!(
                "{file}: `{name}.{}` must be true or false, found {}",
                keys[0],
                describe(other)
            ),
        }
    };
    let resource_intact = flag(["resource-intact", "resource_intact"])?;
    let listen_then_check = flag(["listen-then-check", "listen_then_check"])?;
    let lost_only_with = match text("lost-only-with")? {
        Some(method) => Some(method),
        None => text("lost_only_with")?,
    };
    let loses = text("loses")?;
    if verdict.loses_progress() && loses.is_none() {
        bail!("{file}: `{name}` is not cancel safe but does not say what is lost: add `loses = \"...\"`");
    }
    Ok(ApiEntry {
        path,
        kind,
        verdict,
        loses,
        fix: text("fix")?,
        source: text("source")?.unwrap_or_else(|| format!("{file}, `{name}`")),
        note: text("note")?,
        effect,
        lost_only_with,
        resource_intact,
        listen_then_check,
        args,
        origin: Origin::Config,
    })
}

fn parse_verdict(text: &str) -> Option<Verdict> {
    Some(match text {
        "safe" => Verdict::Safe,
        "conditional" => Verdict::Conditional,
        "data_loss" => Verdict::DataLoss,
        "message_lost" => Verdict::MessageLost,
        "queue_position_lost" => Verdict::QueuePositionLost,
        "partial_progress_kept" => Verdict::PartialProgressKept,
        _ => return None,
    })
}

fn strings(value: &Value, file: &impl std::fmt::Display, name: &str) -> Result<Vec<String>> {
    let wrong = || {
        anyhow!(
            "{file}: `{name}` must be an array of strings, found {}",
            describe(value)
        )
    };
    let Value::Array(items) = value else {
        return Err(wrong());
    };
    items
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(wrong))
        .collect()
}

fn as_table_named<'v>(
    value: &'v Value,
    file: &impl std::fmt::Display,
    name: &str,
) -> Result<&'v Table> {
    value.as_table().ok_or_else(|| {
        anyhow!(
            "{file}: `{name}` must be a table, found {}",
            describe(value)
        )
    })
}

fn as_table<'v>(value: &'v Value, file: &Path, name: &str) -> Result<&'v Table> {
    as_table_named(value, &file.display(), name)
}

/// How a TOML value is described in messages: its type, and the value when short.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the string \"{text}\""),
        Value::Integer(n) => format!("the integer {n}"),
        Value::Float(n) => format!("the float {n}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(_) => "a datetime".to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

/// A rustc lint level in cargo's `[lints.rust]` that allows the lint: `"allow"` (or `"expect"`),
/// as a string or as `{ level = "allow", priority = .. }`.
fn allows_lint(value: &Value) -> bool {
    let level = match value {
        Value::String(level) => Some(level.as_str()),
        Value::Table(table) => table.get("level").and_then(Value::as_str),
        _ => None,
    };
    matches!(level, Some("allow" | "expect"))
}

fn nested<'t>(table: &'t Table, keys: &[&str]) -> Option<&'t Value> {
    let (first, rest) = keys.split_first()?;
    let value = table.get(*first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        nested(value.as_table()?, rest)
    }
}

/// Reads and parses a TOML file; `None` when it does not exist.
fn read_toml(path: &Path) -> Result<Option<Table>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(error).with_context(|| format!("could not read `{}`", path.display()))
        }
    };
    let table: Table = text
        .parse()
        .map_err(|error| anyhow!("{}: invalid TOML: {error}", path.display()))?;
    Ok(Some(table))
}

/// The workspace root for a run on PATHs, found from `start` (the current directory) as cargo
/// would: the nearest `Cargo.toml` above, then the nearest `Cargo.toml` above that with a
/// `[workspace]` table; a folder with `cancel-check.toml` (or `.cancel-check.toml`) on the way
/// also counts as a root.
pub fn discover_root(start: &Path) -> Option<PathBuf> {
    let mut nearest = None;
    for dir in start.ancestors() {
        let standalone = dir.join(CONFIG_FILE).is_file() || dir.join(HIDDEN_CONFIG_FILE).is_file();
        if standalone && nearest.is_none() {
            return Some(dir.to_path_buf());
        }
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let is_workspace = fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| text.parse::<Table>().ok())
            .is_some_and(|table| table.contains_key("workspace"));
        if is_workspace {
            return Some(dir.to_path_buf());
        }
        nearest.get_or_insert_with(|| dir.to_path_buf());
    }
    nearest
}

/// The package manifests under a root that may hold `[package.metadata.cancel-check]`, for a run
/// on PATHs: the manifest nearest to each file, up to the root.
pub fn manifests_for(root: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for file in files {
        let Some(dir) = file.parent() else { continue };
        let manifest = dir
            .ancestors()
            .take_while(|d| d.starts_with(root))
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.is_file());
        if let Some(manifest) = manifest {
            if !found.contains(&manifest) {
                found.push(manifest);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings> {
        let table: Table = text.parse().unwrap();
        Settings::parse(&table, Path::new("cancel-check.toml"), "")
    }

    #[test]
    fn every_setting_is_read() {
        let settings = parse(
            r#"
            exclude = ["generated/**"]
            not-send-types = ["my_crate::Handle"]
            lock-types = ["my_crate::SpinLock"]
            [lints]
            select_timer_reset = "allow"
            [lints-in-tests]
            abandoned_blocking_work = "warn"
            [[api]]
            path = "my_crate::Conn::read_frame"
            cancel-safe = false
            loses = "a partially read frame"
            fix = "use Conn::next_frame"
            "#,
        )
        .unwrap();
        assert_eq!(settings.exclude, ["generated/**"]);
        assert_eq!(settings.not_send_types, ["my_crate::Handle"]);
        assert_eq!(settings.lock_types, ["my_crate::SpinLock"]);
        assert_eq!(
            settings.levels.get("select_timer_reset"),
            Some(&Level::Allow)
        );
        assert_eq!(
            settings.test_levels.get("abandoned_blocking_work"),
            Some(&Level::Warn)
        );
        assert_eq!(settings.api[0].verdict, Verdict::DataLoss);
        assert_eq!(settings.api[0].origin, Origin::Config);
    }

    #[test]
    fn errors_name_the_file_the_key_and_what_is_accepted() {
        let error = parse("exlude = []").unwrap_err().to_string();
        assert_eq!(
            error,
            format!("cancel-check.toml: unknown key `exlude`; accepted keys: {KEYS}")
        );
        let error = parse("exclude = \"x\"").unwrap_err().to_string();
        assert_eq!(
            error,
            "cancel-check.toml: `exclude` must be an array of strings, found the string \"x\""
        );
        let error = parse("[lints]\nfuturelock = \"off\"")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "cancel-check.toml: `lints.futurelock` must be \"allow\", \"warn\" or \"deny\", found the string \"off\""
        );
        let error = parse("[lints]\nfuturelocks = \"allow\"")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown lint `futurelocks` in `lints` (did you mean `futurelock`?)"),
            "{error}"
        );
        let error = parse("[[api]]\npath = \"a::b\"\ncancel-safe = \"no\"")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "cancel-check.toml: `api[0].cancel-safe` must be true or false, found the string \"no\""
        );
    }

    #[test]
    fn lint_names_in_the_table_take_any_spelling_users_write() {
        let settings = parse(
            "[lints]\n\"cancel_check::select_arm_not_cancel_safe\" = \"deny\"\nSelect-Timer-Reset = \"allow\"",
        )
        .unwrap();
        assert_eq!(
            settings.levels.get("select_arm_not_cancel_safe"),
            Some(&Level::Deny)
        );
        assert_eq!(
            settings.levels.get("select_timer_reset"),
            Some(&Level::Allow)
        );
        let error = parse("[lints]\nfuturelock = \"deny\"\nFUTURELOCK = \"allow\"")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "cancel-check.toml: `lints.FUTURELOCK` and `lints.futurelock` both name `futurelock`; keep one"
        );
    }

    #[test]
    fn in_one_table_a_lint_beats_a_topic_group_which_beats_all() {
        let settings = parse(
            "[lints]\nall = \"allow\"\ndeadlock = \"deny\"\nlock_held_across_await = \"warn\"",
        )
        .unwrap();
        let level = |lint: &str| settings.levels.get(lint).copied();
        assert_eq!(level("select_arm_not_cancel_safe"), Some(Level::Allow));
        assert_eq!(level("futurelock"), Some(Level::Deny));
        assert_eq!(level("lock_held_across_await"), Some(Level::Warn));
        // `all` is the lints that are on by default: an allow-by-default lint keeps its default.
        assert_eq!(level("detached_spawn"), None);
    }

    #[test]
    fn two_topic_groups_that_disagree_about_a_lint_need_the_lint_itself() {
        let error = parse("[lints]\ncorrectness = \"deny\"\ndeadlock = \"warn\"")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "cancel-check.toml: `lints.correctness` and `lints.deadlock` set `futurelock` to \
             different levels; set `futurelock` itself to say which"
        );
        let settings = parse(
            "[lints]\ncorrectness = \"deny\"\ndeadlock = \"warn\"\nfuturelock = \"warn\"\nlock_held_across_await = \"deny\"",
        )
        .unwrap();
        assert_eq!(settings.levels.get("futurelock"), Some(&Level::Warn));
        assert_eq!(
            settings.levels.get("lock_held_across_await"),
            Some(&Level::Deny)
        );
        assert_eq!(settings.levels.get("block_on_in_async"), Some(&Level::Deny));
    }

    #[test]
    fn excludes_are_relative_to_their_base() {
        let config = ProjectConfig {
            root: PathBuf::from("/ws"),
            workspace: Settings {
                exclude: vec!["generated/**".into(), "src/bindings.rs".into()],
                ..Settings::default()
            },
            packages: vec![PackageSettings {
                dir: PathBuf::from("/ws/crates/a"),
                settings: Settings {
                    exclude: vec!["src/vendored".into()],
                    ..Settings::default()
                },
            }],
            ..ProjectConfig::default()
        };
        let excluder = config.excluder().unwrap();
        assert!(excluder.excludes(Path::new("/ws/generated/x/y.rs")));
        assert!(excluder.excludes(Path::new("/ws/src/bindings.rs")));
        assert!(!excluder.excludes(Path::new("/ws/src/lib.rs")));
        assert!(excluder.excludes(Path::new("/ws/crates/a/src/vendored/z.rs")));
        assert_eq!(
            excluder.excluded_by(Path::new("/ws/crates/a/src/vendored/z.rs")),
            Some("src/vendored")
        );
        assert_eq!(
            excluder.excluded_by(Path::new("/ws/generated/x/y.rs")),
            Some("generated/**")
        );
        assert!(!excluder.excludes(Path::new("/ws/crates/b/src/vendored/z.rs")));
    }
}
