//! Every process the tool starts is built here, and nothing in the analysed checkout can choose
//! one of them.
//!
//! The checkout is untrusted. Cargo reads `.cargo/config.toml` (and `.cargo/config`) from its
//! working directory upward, and the rustup proxy reads `rust-toolchain.toml` /
//! `rust-toolchain` (and `rustup override`s) for its working directory. Started inside the
//! checkout, either lets the checkout pick programs: `[build] rustc`, `rustc-wrapper` and
//! `rustc-workspace-wrapper` (cargo runs them for its `rustc -vV` and `--print=cfg` target
//! probes, which `cargo metadata` with dependencies does), `[env]` (an `LD_PRELOAD` loaded into
//! every child of cargo), `[alias]`, `[target.*] runner`/`linker`, and a toolchain `path` whose
//! `bin/cargo` the proxy runs instead of cargo.
//!
//! So the cargo of [`metadata`] and [`host_triple`] runs in a trusted directory outside the
//! checkout ([`neutral_dir`]: `CARGO_HOME` when it exists, else the home directory, else `/`),
//! always with an absolute `--manifest-path` that this tool found itself ([`find_manifest`]),
//! always `--offline`. Checked with cargo 1.95 and rustup 1.29: cargo does not read
//! configuration relative to `--manifest-path`, only relative to its working directory (plus
//! `$CARGO_HOME/config.toml`), and the proxy resolves the toolchain for its working directory
//! (or `RUSTUP_TOOLCHAIN`), never for the manifest. A wrapper, a fake `rustc`, an `[env]
//! LD_PRELOAD` and a toolchain `path` that run for a plain `cargo metadata` in the checkout run
//! for none of these commands; `cli/tests/trust.rs` shows both halves for each vector.
//!
//! What the user legitimately needs from the checkout's configuration is passed explicitly, as
//! `--config` arguments read by this tool ([`source_config`]): the `[source.*]` tables (vendored
//! or replaced sources) and `registries.<name>.index`. Nothing else: no `[build]`, `[env]`,
//! `[target]`, `[alias]`, `[net]` or `credential-provider`. The cost is that toolchain pinning
//! by `rust-toolchain.toml` and `rustup override` for the checkout's directory do not apply to
//! these `cargo metadata` calls (`RUSTUP_TOOLCHAIN`, which the proxy sets when it runs
//! `cargo cancel-check`, still does), nor do the checkout's other configuration keys.
//!
//! Which cargo: `CARGO` when set (cargo sets it when it runs this binary as a subcommand), else
//! `cargo` on `PATH`. Running `cargo cancel-check` inside an untrusted checkout is unsafe before
//! this binary even starts (a repository `[alias] cancel-check = "build"`, or a toolchain
//! override choosing cargo): on untrusted code, run the `cargo-cancel-check` binary directly.
//!
//! The one exception is [`checkout_cargo`]: `--with-cargo check|clippy` is the user's explicit
//! request to build the checkout, so it runs in the user's directory with the checkout's
//! configuration, build scripts and proc macros, as `cargo check` would. Never use it on
//! untrusted code.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context as _, Result};
use cargo_metadata::{Metadata, MetadataCommand};

/// A `.cargo/config.toml` larger than this is not read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The cargo to run: `CARGO` when set, else `cargo` on `PATH`.
fn cargo_program() -> OsString {
    std::env::var_os("CARGO")
        .filter(|cargo| !cargo.is_empty())
        .unwrap_or_else(|| OsString::from("cargo"))
}

/// A directory outside the checkout to start cargo in: `CARGO_HOME` when it exists, else the
/// home directory, else `/`. A candidate inside the checkout around `untrusted` (a `CARGO_HOME`
/// inside the project, as some CI caches set it) is passed over; the checkout is taken to be
/// the outermost folder above `untrusted` that has a `Cargo.toml`.
pub fn neutral_dir(untrusted: &Path) -> PathBuf {
    let untrusted = untrusted
        .ancestors()
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .last()
        .unwrap_or(untrusted);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|home| !home.is_empty())
        .map(PathBuf::from);
    let cargo_home = std::env::var_os("CARGO_HOME")
        .filter(|dir| !dir.is_empty())
        .map(|dir| cwd.join(dir))
        .or_else(|| home.as_ref().map(|home| home.join(".cargo")));
    let untrusted = fs::canonicalize(untrusted).unwrap_or_else(|_| untrusted.to_path_buf());
    [cargo_home, home]
        .into_iter()
        .flatten()
        .filter_map(|dir| fs::canonicalize(dir).ok())
        .find(|dir| dir.is_dir() && !dir.starts_with(&untrusted))
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// The manifest cargo would use for `start`: the nearest `Cargo.toml` in it or above it, as an
/// absolute path.
pub fn find_manifest(start: &Path) -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    let start = if start == Path::new(".") {
        cwd
    } else {
        cwd.join(start)
    };
    start
        .ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
        .ok_or_else(|| {
            anyhow!(
                "could not find `Cargo.toml` in `{}` or any parent directory",
                start.display()
            )
        })
}

/// A `--manifest-path` as given on the command line, made absolute (cargo runs elsewhere).
pub fn absolute_manifest(manifest: &Path) -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    Ok(cwd.join(manifest))
}

/// Why `cargo metadata` failed: its stderr.
#[derive(Debug)]
pub struct CargoFailed {
    pub stderr: String,
}

impl std::fmt::Display for CargoFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`cargo metadata` failed:")?;
        // Each line is quoted, so none of cargo's lines (which may quote the checkout's
        // manifests) can pass for a line of ours or a CI workflow command.
        for line in self.stderr.trim_end().lines() {
            write!(f, "\n  > {}", crate::escape::printable(line))?;
        }
        Ok(())
    }
}

impl std::error::Error for CargoFailed {}

/// Runs `cargo metadata --format-version 1 --offline` on `manifest` (absolute) in the neutral
/// directory, with `--no-deps` unless `deps`, and `extra` arguments (`--locked`,
/// `--filter-platform`, `--config`).
pub fn metadata(manifest: &Path, deps: bool, extra: &[String]) -> Result<Metadata> {
    if !manifest.is_absolute() {
        bail!("internal error: `{}` is not absolute", manifest.display());
    }
    let untrusted = manifest.parent().unwrap_or(manifest);
    let mut metadata = MetadataCommand::new();
    metadata
        .cargo_path(cargo_program())
        .current_dir(neutral_dir(untrusted))
        .manifest_path(manifest);
    if !deps {
        metadata.no_deps();
    }
    let mut options = vec!["--offline".to_string()];
    options.extend(extra.iter().cloned());
    metadata.other_options(options);
    let mut command = metadata.cargo_command();
    command.stdin(Stdio::null());
    let output = command
        .output()
        .context("could not run `cargo metadata` (is cargo installed?)")?;
    if !output.status.success() {
        return Err(CargoFailed {
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
        .into());
    }
    let stdout =
        std::str::from_utf8(&output.stdout).context("`cargo metadata` printed non-UTF-8")?;
    let json = stdout
        .lines()
        .find(|line| line.starts_with('{'))
        .ok_or_else(|| anyhow!("`cargo metadata` printed no JSON"))?;
    MetadataCommand::parse(json).context("could not read the output of `cargo metadata`")
}

/// The host's target triple: the `host:` line of `cargo -vV`, run in the neutral directory.
pub fn host_triple(untrusted: &Path) -> Option<String> {
    let output = Command::new(cargo_program())
        .arg("-vV")
        .current_dir(neutral_dir(untrusted))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_string())
}

/// `cargo <subcommand>` for `--with-cargo`, in the user's directory: the user asked to build
/// the checkout, with its configuration, build scripts and proc macros. Never on untrusted code.
pub fn checkout_cargo(subcommand: &str) -> Command {
    let mut command = Command::new(cargo_program());
    command.arg(subcommand);
    command
}

/// The `--config` arguments that carry the checkout's `[source.*]` tables and
/// `registries.<name>.index` to a cargo started elsewhere: read from `.cargo/config.toml` (or
/// `.cargo/config`, which cargo prefers when both exist) in `start` and each folder above it up
/// to `workspace_root`, the deeper file winning as in cargo. Relative `directory` and
/// `local-registry` paths are made absolute against the folder that holds `.cargo`. Files that
/// are not regular, are larger than 1 MiB, resolve outside the workspace or do not parse are
/// skipped.
pub fn source_config(start: &Path, workspace_root: &Path) -> Vec<String> {
    let Ok(root) = fs::canonicalize(workspace_root) else {
        return Vec::new();
    };
    let start = fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let dirs: Vec<&Path> = start
        .ancestors()
        .take_while(|dir| dir.starts_with(&root))
        .collect();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    // Outermost first, so that deeper files overwrite.
    for dir in dirs.into_iter().rev() {
        let Some(table) = read_config(dir, &root) else {
            continue;
        };
        collect_sources(&table, dir, &mut values);
    }
    values
        .into_iter()
        .flat_map(|(key, value)| ["--config".to_string(), format!("{key}={value}")])
        .collect()
}

/// The cargo configuration file of `dir`, parsed.
fn read_config(dir: &Path, root: &Path) -> Option<toml::Table> {
    let legacy = dir.join(".cargo/config");
    let path = if legacy.is_file() {
        legacy
    } else {
        dir.join(".cargo/config.toml")
    };
    let canonical = fs::canonicalize(&path).ok()?;
    if !canonical.starts_with(root) {
        return None;
    }
    let metadata = fs::symlink_metadata(&canonical).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_CONFIG_BYTES {
        return None;
    }
    let mut text = String::new();
    fs::File::open(&canonical)
        .ok()?
        .take(MAX_CONFIG_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    text.parse().ok()
}

/// The keys of a `[source.<name>]` table that are passed on.
const SOURCE_KEYS: &[&str] = &[
    "replace-with",
    "directory",
    "local-registry",
    "registry",
    "git",
    "branch",
    "tag",
    "rev",
];

/// Adds the passed-on keys of one configuration file (in folder `dir`) to `values`, as
/// `--config` keys and TOML values.
fn collect_sources(table: &toml::Table, dir: &Path, values: &mut BTreeMap<String, String>) {
    let string = |value: &str| toml::Value::String(value.to_string()).to_string();
    if let Some(sources) = table.get("source").and_then(toml::Value::as_table) {
        for (name, source) in sources {
            let Some(source) = source.as_table() else {
                continue;
            };
            for key in SOURCE_KEYS {
                let Some(value) = source.get(*key).and_then(toml::Value::as_str) else {
                    continue;
                };
                let value = if matches!(*key, "directory" | "local-registry") {
                    dir.join(value).to_string_lossy().into_owned()
                } else {
                    value.to_string()
                };
                values.insert(format!("source.{}.{key}", toml_key(name)), string(&value));
            }
        }
    }
    if let Some(registries) = table.get("registries").and_then(toml::Value::as_table) {
        for (name, registry) in registries {
            if let Some(index) = registry.get("index").and_then(toml::Value::as_str) {
                values.insert(
                    format!("registries.{}.index", toml_key(name)),
                    string(index),
                );
            }
        }
    }
}

/// A TOML key: bare when it can be, else quoted.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if bare {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_and_registry_indexes_pass_and_relative_paths_become_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let member = root.join("crates/app");
        fs::create_dir_all(member.join(".cargo")).unwrap();
        fs::create_dir_all(root.join(".cargo")).unwrap();
        fs::write(
            root.join(".cargo/config.toml"),
            r#"
[build]
rustc-wrapper = "./evil.sh"
[env]
LD_PRELOAD = "evil.so"
[alias]
b = "build"
[net]
offline = false
[registry]
credential-provider = "evil"
[registries.my-reg]
index = "sparse+https://registry.test/index/"
credential-provider = "evil"
[source.crates-io]
replace-with = "outer"
[source.outer]
directory = "vendor"
"#,
        )
        .unwrap();
        fs::write(
            member.join(".cargo/config.toml"),
            "[source.crates-io]\nreplace-with = \"inner.one\"\n[source.\"inner.one\"]\nlocal-registry = \"../reg\"\n",
        )
        .unwrap();
        let args = source_config(&member, &root);
        let values: Vec<&String> = args.iter().skip(1).step_by(2).collect();
        assert!(args.iter().step_by(2).all(|flag| flag == "--config"));
        assert_eq!(
            values,
            [
                &"registries.my-reg.index=\"sparse+https://registry.test/index/\"".to_string(),
                &format!(
                    "source.\"inner.one\".local-registry=\"{}\"",
                    member.join("../reg").display()
                ),
                &"source.crates-io.replace-with=\"inner.one\"".to_string(),
                &format!(
                    "source.outer.directory=\"{}\"",
                    root.join("vendor").display()
                ),
            ]
        );
    }

    #[test]
    fn configuration_above_the_workspace_root_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let outer = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(outer.join(".cargo")).unwrap();
        fs::write(
            outer.join(".cargo/config.toml"),
            "[source.x]\ndirectory = \"v\"\n",
        )
        .unwrap();
        let root = outer.join("ws");
        fs::create_dir_all(&root).unwrap();
        assert!(source_config(&root, &root).is_empty());
    }
}
