//! Mining the docs of dependencies: a crate's own `# Cancel safety` sections extend the
//! knowledge base for exactly the versions in use.
//!
//! `cargo metadata --offline --locked` (with dependencies) lists every package of the resolved
//! graph; it never touches the network and never writes `Cargo.lock`. It runs through
//! [`crate::process`], outside the checkout, with the checkout's `[source]` replacement passed
//! on. Each package outside the workspace that has a library is mined ([`mine_source`]) and the
//! result is cached as JSON under `<target dir>/cancel-check/deps/` (not with `--no-cache`).
//! The graph itself (what mining needs of `cargo metadata`, which costs more than reading every
//! cached package) is cached under `<target dir>/cancel-check/graphs/`, keyed by `Cargo.lock`,
//! the manifests of the workspace's path packages, the `[source]` replacement, `CARGO_HOME` and
//! the tool version: a change to any of them asks cargo again.
//! None of this can fail a run: a reason not to mine becomes one note (with what to do about
//! it), and the built-in knowledge is used as it is.
//!
//! Only packages whose sources are in cargo's own caches (`$CARGO_HOME/registry`,
//! `$CARGO_HOME/git`) or inside the workspace (a path dependency, a vendored copy) are read: a
//! path dependency elsewhere on the disk is skipped, as the checkout could name any folder.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{anyhow, Context as _, Result};
use cancel_check_lints::knowledge::mine::{may_state_cancel_safety, mine_source};
use cancel_check_lints::knowledge::{ApiEntry, Knowledge, Origin};
use cargo_metadata::{Metadata, TargetKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use crate::escape::path_label;
use crate::{cache, process};

/// The stack of each worker thread: deeply nested files make the parser recurse deeply.
const WORKER_STACK_SIZE: usize = 64 << 20;

/// The cache folder under cargo's target directory.
const CACHE_DIR: &str = "cancel-check/deps";

/// The folder of the cached dependency graphs under cargo's target directory.
const GRAPH_DIR: &str = "cancel-check/graphs";

/// Which workspace's dependencies to mine.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// The workspace around the current directory, or around `--manifest-path`.
    Workspace(Option<&'a Path>),
    /// The workspace of the cargo package that contains these PATHs (none for a path outside
    /// every package, or for PATHs in several packages).
    Paths(&'a [PathBuf]),
}

/// What mining found, and what went wrong on the way (one line each, for stderr).
#[derive(Debug, Default)]
pub struct DependencyDocs {
    pub entries: Vec<ApiEntry>,
    /// Why the docs could not be mined at all, with what to do about it: one line, told once
    /// per run (as a note, or as the output format's own notice).
    pub not_mined: Option<String>,
    /// Other problems (the cache could not be written).
    pub warnings: Vec<String>,
    /// Packages mined now (cache misses) and read from the cache.
    pub mined: usize,
    pub cached: usize,
    /// What each package gave, and the packages left out and why, for `-v`.
    pub packages: Vec<String>,
    /// The dependency graph came from its cache.
    pub graph_cached: bool,
    /// A cache could not be written, and a warning says so (once).
    cache_warned: bool,
}

impl DependencyDocs {
    /// Records that a cache could not be written, once per run.
    fn not_cached(&mut self, error: &str) {
        if !self.cache_warned {
            self.cache_warned = true;
            self.warn(format!("dependency docs not cached: {error}"));
        }
    }

    /// Records a warning once (several packages may fail for the same reason).
    fn warn(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Records why the docs were not mined, with the advice that goes with the reason (the
    /// first reason only).
    fn not_mined(&mut self, reason: &anyhow::Error) {
        if self.not_mined.is_some() {
            return;
        }
        let reason = format!("{reason:#}");
        let advice = if reason.starts_with(LOCK_FILE_REASON) {
            "run `cargo fetch` (it writes Cargo.lock and downloads the dependencies), or pass \
             `--no-deps-docs` to skip mining"
        } else if reason.contains(OFFLINE_REASON) {
            "a locked dependency is missing from cargo's cache (often one for another platform): \
             run `cargo fetch` to download it, or pass `--no-deps-docs` to skip mining"
        } else {
            "pass `--no-deps-docs` to skip mining"
        };
        self.not_mined = Some(format!("dependency docs not mined: {reason}; {advice}"));
    }

    /// The built-in knowledge base with these entries merged in.
    pub fn knowledge(self) -> Knowledge {
        let mut knowledge = Knowledge::builtin().clone();
        knowledge.merge_mined(self.entries);
        knowledge
    }
}

/// Mines the dependencies of the workspace(s) in `scope` on up to `jobs` threads; `cache` reads
/// and writes the cache of mined docs.
pub fn dependency_docs(scope: Scope<'_>, jobs: usize, cache: bool) -> DependencyDocs {
    let mut docs = DependencyDocs::default();
    let manifests: Vec<Option<PathBuf>> = match scope {
        Scope::Workspace(manifest) => vec![manifest.map(Path::to_path_buf)],
        Scope::Paths(paths) => {
            let mut manifests: Vec<PathBuf> = paths
                .iter()
                .filter_map(|path| package_manifest(path))
                .collect();
            manifests.sort();
            manifests.dedup();
            // PATHs spread over several packages (a scan of many crates, say) are analysed
            // with the built-in knowledge: one `cargo metadata` per package would cost more than
            // the analysis and warn about every package without a lock file.
            if manifests.len() > 1 {
                return docs;
            }
            manifests.into_iter().map(Some).collect()
        }
    };
    let mut roots = HashSet::new();
    for manifest in manifests {
        let graph = match dependency_graph(manifest.as_deref(), cache, &mut docs) {
            Ok(graph) => graph,
            Err(reason) => {
                docs.not_mined(&reason);
                continue;
            }
        };
        if !roots.insert(graph.workspace_root.clone()) {
            continue;
        }
        if let Err(error) = mine_workspace(&graph, jobs, cache, &mut docs) {
            docs.not_mined(&error);
        }
    }
    docs
}

/// The manifest of the cargo package a PATH is in: the nearest `Cargo.toml` upward that has a
/// `[package]` table (a virtual workspace manifest is no package).
fn package_manifest(path: &Path) -> Option<PathBuf> {
    let absolute = fs::canonicalize(path).ok()?;
    let start = if absolute.is_dir() {
        absolute.as_path()
    } else {
        absolute.parent()?
    };
    let manifest = start
        .ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())?;
    let text = fs::read_to_string(&manifest).ok()?;
    text.lines()
        .any(|line| line.trim() == "[package]")
        .then_some(manifest)
}

/// What mining needs of the dependency graph of a workspace.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Graph {
    workspace_root: PathBuf,
    packages: Vec<GraphPackage>,
    /// Where the mined docs of each package are cached (not stored: the folder next to the
    /// graph's own cache file, or the one `cargo metadata` names).
    #[serde(skip)]
    cache_dir: PathBuf,
}

/// A package of the graph.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GraphPackage {
    id: String,
    name: String,
    version: String,
    manifest_path: PathBuf,
    /// A workspace member (never mined).
    member: bool,
    /// A path package (no registry or git source): its sources may change under the same id.
    local: bool,
    /// The name of its library target, if it has one.
    lib: Option<String>,
}

impl Graph {
    fn of(metadata: &Metadata) -> Graph {
        let members: HashSet<_> = metadata.workspace_members.iter().collect();
        let packages = metadata
            .packages
            .iter()
            .map(|package| GraphPackage {
                id: package.id.repr.clone(),
                name: package.name.to_string(),
                version: package.version.to_string(),
                manifest_path: package.manifest_path.clone().into_std_path_buf(),
                member: members.contains(&package.id),
                local: package.source.is_none(),
                lib: package
                    .targets
                    .iter()
                    .find(|target| {
                        target.kind.iter().any(|kind| {
                            matches!(kind, TargetKind::Lib | TargetKind::RLib | TargetKind::DyLib)
                        })
                    })
                    .map(|target| target.name.clone()),
            })
            .collect();
        Graph {
            workspace_root: metadata.workspace_root.clone().into_std_path_buf(),
            packages,
            cache_dir: metadata.target_directory.as_std_path().join(CACHE_DIR),
        }
    }

    /// The files whose bytes the graph depends on: `Cargo.lock`, the root manifest and the
    /// manifests of the path packages inside the workspace (others are not read).
    fn inputs(&self) -> Vec<PathBuf> {
        let mut inputs = vec![
            self.workspace_root.join("Cargo.lock"),
            self.workspace_root.join("Cargo.toml"),
        ];
        inputs.extend(
            self.packages
                .iter()
                .filter(|package| {
                    package.local && package.manifest_path.starts_with(&self.workspace_root)
                })
                .map(|package| package.manifest_path.clone()),
        );
        inputs.sort();
        inputs.dedup();
        inputs
    }
}

/// The cache file of a dependency graph.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GraphCache {
    /// The tool version, the manifest, `CARGO_HOME` and the `[source]` arguments.
    key: String,
    /// Each input file with the hash of its bytes.
    inputs: Vec<(PathBuf, String)>,
    graph: Graph,
}

/// The dependency graph of the workspace of `manifest` (or of the current directory): from its
/// cache when `Cargo.lock` and the manifests are unchanged, else from `cargo metadata` (then
/// cached).
fn dependency_graph(
    manifest: Option<&Path>,
    cache: bool,
    docs: &mut DependencyDocs,
) -> Result<Graph> {
    let manifest = match manifest {
        Some(manifest) => process::absolute_manifest(manifest)?,
        None => process::find_manifest(Path::new("."))?,
    };
    let sources = source_config(&manifest)?;
    let key = graph_key(&manifest, &sources);
    let cache_file = cache.then(|| graph_cache_file(&manifest)).flatten();
    if let Some(graph) = cache_file
        .as_ref()
        .and_then(|(file, root)| read_graph(file, root, &key))
    {
        docs.graph_cached = true;
        return Ok(graph);
    }
    let metadata = dependency_metadata(&manifest, &sources)?;
    let graph = Graph::of(&metadata);
    if cache {
        // Written where the next run looks: next to the mined docs, under the target directory
        // cargo names (the folder found from `Cargo.lock` is only where a run looks first).
        let file = graph.cache_dir.parent().map(|dir| {
            dir.parent()
                .unwrap_or(dir)
                .join(GRAPH_DIR)
                .join(graph_file_name(&manifest))
        });
        let usable = file
            .as_deref()
            .and_then(Path::parent)
            .is_some_and(|dir| cache::usable_dir(dir, &graph.workspace_root));
        if let (Some(file), true) = (file, usable) {
            if let Err(error) = write_graph(&file, key, &graph) {
                docs.not_cached(&format!("{error:#}"));
            }
        }
    }
    Ok(graph)
}

/// What, besides its input files, a cached graph is valid for.
fn graph_key(manifest: &Path, sources: &[String]) -> String {
    let cargo_home = std::env::var_os("CARGO_HOME").unwrap_or_default();
    let mut key = format!(
        "{}\0{}\0{}",
        env!("CARGO_PKG_VERSION"),
        manifest.display(),
        Path::new(&cargo_home).display()
    );
    for argument in sources {
        key.push('\0');
        key.push_str(argument);
    }
    key
}

fn graph_file_name(manifest: &Path) -> String {
    format!(
        "graph-{:016x}.json",
        fnv1a(manifest.to_string_lossy().as_bytes())
    )
}

/// Where a run looks for the cached graph of `manifest`, and the workspace root it expects: the
/// folder of the nearest `Cargo.lock` above the manifest (cargo writes it at the root), and the
/// graph under `CARGO_TARGET_DIR` or that root's `target/`.
fn graph_cache_file(manifest: &Path) -> Option<(PathBuf, PathBuf)> {
    let root = manifest
        .parent()?
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())?
        .to_path_buf();
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => std::env::current_dir().ok()?.join(dir),
        None => root.join("target"),
    };
    Some((target.join(GRAPH_DIR).join(graph_file_name(manifest)), root))
}

/// The cached graph, when it was stored under this key for this workspace root and none of its
/// input files changed.
fn read_graph(file: &Path, root: &Path, key: &str) -> Option<Graph> {
    if !cache::usable_dir(file.parent()?, root) {
        return None;
    }
    let bytes = cache::read_regular(file, cache::MAX_CACHE_BYTES)?;
    let cached: GraphCache = serde_json::from_slice(&bytes).ok()?;
    if cached.key != key || cached.graph.workspace_root != root {
        return None;
    }
    let mut graph = cached.graph;
    let unchanged = graph
        .inputs()
        .iter()
        .map(|path| (path.clone(), input_hash(path)))
        .eq(cached.inputs);
    if !unchanged {
        return None;
    }
    // The mined docs sit next to the graphs: `<target dir>/cancel-check/deps`.
    graph.cache_dir = file.parent()?.parent()?.join("deps");
    Some(graph)
}

fn write_graph(file: &Path, key: String, graph: &Graph) -> Result<()> {
    let inputs = graph
        .inputs()
        .into_iter()
        .map(|path| {
            let hash = input_hash(&path);
            (path, hash)
        })
        .collect();
    let cached = GraphCache {
        key,
        inputs,
        graph: Graph {
            workspace_root: graph.workspace_root.clone(),
            packages: graph
                .packages
                .iter()
                .map(|package| GraphPackage {
                    id: package.id.clone(),
                    name: package.name.clone(),
                    version: package.version.clone(),
                    manifest_path: package.manifest_path.clone(),
                    member: package.member,
                    local: package.local,
                    lib: package.lib.clone(),
                })
                .collect(),
            cache_dir: PathBuf::new(),
        },
    };
    let json = serde_json::to_vec(&cached)?;
    cache::write_atomic(file, &json)
        .with_context(|| format!("could not write `{}`", path_label(file)))
}

/// The hash of a file's bytes (of at most 16 MiB), or that it could not be read.
fn input_hash(path: &Path) -> String {
    cache::read_regular(path, 16 << 20).map_or_else(
        || "missing".to_string(),
        |bytes| cache::content_hash(&bytes),
    )
}

/// `cargo metadata --format-version 1 --offline --locked`, with dependencies, on `manifest`
/// (absolute), with the checkout's `[source]` arguments. Offline, cargo needs the sources of
/// every package of the graph, for every platform; when some are missing (dependencies of other
/// platforms are, unless something downloaded them), the graph is asked again for the host
/// platform only (`--filter-platform`).
fn dependency_metadata(manifest: &Path, sources: &[String]) -> Result<Metadata> {
    let start = manifest.parent().unwrap_or(manifest).to_path_buf();
    let mut options = vec!["--locked".to_string()];
    options.extend(sources.iter().cloned());
    let run = |platform: Option<&str>| {
        let mut options = options.clone();
        if let Some(platform) = platform {
            options.extend(["--filter-platform".to_string(), platform.to_string()]);
        }
        process::metadata(manifest, true, &options).map_err(|error| {
            match error.downcast_ref::<process::CargoFailed>() {
                Some(failed) => anyhow!(cargo_reason(&failed.stderr)),
                None => error,
            }
        })
    };
    let error = match run(None) {
        Ok(metadata) => return Ok(metadata),
        Err(error) => error,
    };
    if error.to_string().starts_with(LOCK_FILE_REASON) {
        return Err(error);
    }
    process::host_triple(&start)
        .and_then(|host| run(Some(&host)).ok())
        .ok_or(error)
}

/// The `--config` arguments of the checkout's `[source]` replacement (see
/// [`process::source_config`]), read from the folders between the current directory (or, when
/// it is outside the workspace, the manifest's folder) and the workspace root. Finding the root
/// costs a `cargo metadata --no-deps`, so it is only asked for when some folder above has a
/// cargo configuration file at all.
fn source_config(manifest: &Path) -> Result<Vec<String>> {
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    let manifest_dir = manifest.parent().unwrap_or(manifest);
    let has_config = [cwd.as_path(), manifest_dir].iter().any(|start| {
        start.ancestors().any(|dir| {
            dir.join(".cargo/config.toml").exists() || dir.join(".cargo/config").exists()
        })
    });
    if !has_config {
        return Ok(Vec::new());
    }
    let metadata = process::metadata(manifest, false, &[]).map_err(|error| {
        match error.downcast_ref::<process::CargoFailed>() {
            Some(failed) => anyhow!(cargo_reason(&failed.stderr)),
            None => error,
        }
    })?;
    let root = metadata.workspace_root.as_std_path();
    let canonical = |path: &Path| fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if canonical(&cwd).starts_with(canonical(root)) {
        cwd.as_path()
    } else {
        manifest_dir
    };
    Ok(process::source_config(start, root))
}

/// Why mining is skipped in a workspace without an up-to-date `Cargo.lock`.
const LOCK_FILE_REASON: &str =
    "Cargo.lock is missing or out of date, and cancel-check does not write it";

/// How a failure of `cargo metadata --offline` starts: `cargo fetch` may help.
const OFFLINE_REASON: &str = "`cargo metadata --offline` failed: ";

/// One line that says why `cargo metadata` failed. Offline, cargo needs every locked package in
/// its cache, for every platform: a package nothing on this machine downloaded yet fails it as
/// `no matching package named ...` (`ntapi`, a Windows-only dependency of old `mio`, for a
/// tokio 1.8 application on Linux), or as a download `--offline` forbids.
fn cargo_reason(stderr: &str) -> String {
    if stderr.contains("--locked") {
        return LOCK_FILE_REASON.to_string();
    }
    let line = stderr
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("error: "))
        .or_else(|| stderr.lines().map(str::trim).find(|line| !line.is_empty()))
        .unwrap_or("no reason given");
    format!("{OFFLINE_REASON}{line}")
}

/// A package to mine: where its sources are and what its entries are called.
struct Dependency<'g> {
    package: &'g GraphPackage,
    dir: PathBuf,
    /// The library's name as code uses it (`fixture_dep`).
    lib: String,
    /// Its cache file (none with `--no-cache`).
    cache: Option<PathBuf>,
}

/// The cache file of one package.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CacheFile {
    tool_version: String,
    package_id: String,
    /// For a package whose sources may change (a path dependency): the file names, sizes and
    /// modification times the entries were mined from.
    #[serde(default)]
    fingerprint: Option<String>,
    entries: Vec<ApiEntry>,
}

/// Mines (or reads from the cache) every package of the graph that is not a member and whose
/// sources are in cargo's caches or inside the workspace.
fn mine_workspace(
    graph: &Graph,
    jobs: usize,
    cache: bool,
    docs: &mut DependencyDocs,
) -> Result<()> {
    let root = graph.workspace_root.as_path();
    let cache_dir = &graph.cache_dir;
    let cache = cache && cache::usable_dir(cache_dir, root);
    let readable = ReadableSources::new(root);
    let mut outside = Vec::new();
    let mut dependencies: Vec<Dependency<'_>> = graph
        .packages
        .iter()
        .filter(|package| !package.member)
        .filter(|package| {
            let allowed = package
                .manifest_path
                .parent()
                .is_some_and(|dir| readable.allows(dir));
            if !allowed {
                outside.push(format!(
                    "{} {}: not read (its sources are outside cargo's caches and the workspace)",
                    package.name, package.version
                ));
            }
            allowed
        })
        .filter_map(|package| {
            let lib = package.lib.as_ref()?;
            let dir = package.manifest_path.parent()?.to_path_buf();
            Some(Dependency {
                package,
                dir,
                lib: lib.replace('-', "_"),
                cache: cache.then(|| cache_dir.join(cache_name(package))),
            })
        })
        .collect();
    dependencies.sort_by(|a, b| a.package.id.cmp(&b.package.id));
    outside.sort();
    docs.packages.append(&mut outside);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.min(dependencies.len()).max(1))
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|index| format!("cancel-check-deps-{index}"))
        .build()
        .context("could not start the worker threads")?;
    let results: Vec<(Vec<ApiEntry>, bool, Option<String>)> = pool.install(|| {
        dependencies
            .par_iter()
            .map(|dependency| mine_dependency(dependency))
            .collect()
    });
    let mut write_failed = false;
    for (dependency, (mut entries, from_cache, write_error)) in dependencies.iter().zip(results) {
        if from_cache {
            docs.cached += 1;
        } else {
            docs.mined += 1;
        }
        docs.packages.push(format!(
            "{} {}: {} entr{}{}",
            dependency.package.name,
            dependency.package.version,
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" },
            if from_cache { " (from the cache)" } else { "" }
        ));
        if let Some(error) = write_error.filter(|_| !write_failed) {
            write_failed = true;
            docs.not_cached(&error);
        }
        docs.entries.append(&mut entries);
    }
    Ok(())
}

/// One package's entries: from its cache file when it is current, else mined (files in
/// parallel) and cached. Also says whether the cache was used, and why it could not be written.
fn mine_dependency(dependency: &Dependency<'_>) -> (Vec<ApiEntry>, bool, Option<String>) {
    let package = dependency.package;
    if !dependency.dir.is_dir() {
        // Sources cargo has not unpacked yet: nothing to mine, nothing to cache.
        return (Vec::new(), false, None);
    }
    // Registry and git sources never change under the same id; a path dependency may.
    let local_files = package.local.then(|| source_files(&dependency.dir));
    let fingerprint = local_files.as_deref().map(fingerprint);
    let origin = Origin::Mined {
        krate: package.name.to_string(),
        version: package.version.to_string(),
    };
    let cached = dependency
        .cache
        .as_deref()
        .and_then(|path| read_cache(path, package, fingerprint.as_deref()));
    if let Some(cached) = cached {
        let entries = cached
            .into_iter()
            .map(|entry| ApiEntry {
                origin: origin.clone(),
                ..entry
            })
            .collect();
        return (entries, true, None);
    }
    let name = package.name.to_string();
    let version = package.version.to_string();
    let mined_as = name.replace('-', "_");
    let files = local_files.unwrap_or_else(|| source_files(&dependency.dir));
    let mut entries: Vec<ApiEntry> = files
        .par_iter()
        .flat_map_iter(|file| {
            let Ok(text) = fs::read_to_string(file) else {
                return Vec::new();
            };
            if !may_state_cancel_safety(&text) {
                return Vec::new();
            }
            let relative = file.strip_prefix(&dependency.dir).unwrap_or(file);
            let relative = relative.to_string_lossy().replace('\\', "/");
            mine_source(&name, &version, &relative, &text)
        })
        .collect();
    if dependency.lib != mined_as {
        for entry in &mut entries {
            if let Some(rest) = entry.path.strip_prefix(&mined_as) {
                entry.path = format!("{}{rest}", dependency.lib);
            }
        }
    }
    let write_error = dependency.cache.as_deref().and_then(|path| {
        write_cache(path, package, fingerprint, &entries)
            .err()
            .map(|error| format!("{error:#}"))
    });
    (entries, false, write_error)
}

/// Every `*.rs` file of a package, in path order, skipping `target/`, hidden folders, `tests/`,
/// `benches/`, `examples/` and nested packages.
fn source_files(dir: &Path) -> Vec<PathBuf> {
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 || !entry.file_type().is_dir() {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(name.starts_with('.')
                || matches!(name.as_ref(), "target" | "tests" | "benches" | "examples")
                || entry.path().join("Cargo.toml").is_file())
        });
    walker
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "rs")
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The name of a package's cache file: `<name>-<version>-<hash of the package id>.json`.
fn cache_name(package: &GraphPackage) -> String {
    format!(
        "{}-{}-{:016x}.json",
        package.name,
        package.version,
        fnv1a(package.id.as_bytes())
    )
}

/// The names, sizes and modification times of the files, hashed.
fn fingerprint(files: &[PathBuf]) -> String {
    let mut text = String::new();
    for file in files {
        let (len, modified) = fs::metadata(file).map_or((0, 0), |metadata| {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            (metadata.len(), modified)
        });
        text.push_str(&format!("{}\0{len}\0{modified}\n", file.display()));
    }
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// 64-bit FNV-1a: a hash that is the same in every build (cache file names outlive the binary).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cached entries, when the file exists and was written by this version of the tool for
/// this package (and, for a path dependency, these sources). Anything else is a miss.
fn read_cache(
    path: &Path,
    package: &GraphPackage,
    fingerprint: Option<&str>,
) -> Option<Vec<ApiEntry>> {
    let bytes = cache::read_regular(path, cache::MAX_CACHE_BYTES)?;
    let cache: CacheFile = serde_json::from_slice(&bytes).ok()?;
    let current = cache.tool_version == env!("CARGO_PKG_VERSION")
        && cache.package_id == package.id
        && cache.fingerprint.as_deref() == fingerprint;
    current.then_some(cache.entries)
}

/// Writes a cache file (through a unique temporary file, so a concurrent run never reads half
/// of it or writes the same temporary file).
fn write_cache(
    path: &Path,
    package: &GraphPackage,
    fingerprint: Option<String>,
    entries: &[ApiEntry],
) -> Result<()> {
    let cache = CacheFile {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        package_id: package.id.clone(),
        fingerprint,
        entries: entries.to_vec(),
    };
    let json = serde_json::to_string_pretty(&cache)?;
    cache::write_atomic(path, json.as_bytes())
        .with_context(|| format!("could not write `{}`", path_label(path)))
}

/// Where dependency sources may be read from: cargo's registry and git caches, and the
/// workspace.
struct ReadableSources {
    roots: Vec<PathBuf>,
}

impl ReadableSources {
    fn new(workspace_root: &Path) -> ReadableSources {
        let cwd = std::env::current_dir().unwrap_or_default();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .filter(|dir| !dir.is_empty())
            .map(|dir| cwd.join(dir))
            .or_else(|| {
                std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .map(|home| PathBuf::from(home).join(".cargo"))
            });
        let mut roots: Vec<PathBuf> = cargo_home
            .into_iter()
            .flat_map(|home| [home.join("registry"), home.join("git")])
            .collect();
        roots.push(workspace_root.to_path_buf());
        ReadableSources {
            roots: roots
                .into_iter()
                .filter_map(|root| fs::canonicalize(root).ok())
                .collect(),
        }
    }

    fn allows(&self, dir: &Path) -> bool {
        fs::canonicalize(dir).is_ok_and(|dir| self.roots.iter().any(|root| dir.starts_with(root)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn cargo_failures_read_as_one_line() {
        assert_eq!(
            cargo_reason("error: cannot create the lock file /x/Cargo.lock because --locked was passed to prevent this\nhelp: ..."),
            "Cargo.lock is missing or out of date, and cancel-check does not write it"
        );
        assert_eq!(
            cargo_reason("    Updating index\nerror: no matching package named `nope` found\n"),
            "`cargo metadata --offline` failed: no matching package named `nope` found"
        );
    }

    #[test]
    fn the_reason_not_to_mine_says_what_to_do_and_is_told_once() {
        let mut docs = DependencyDocs::default();
        docs.not_mined(&anyhow!(cargo_reason(
            "error: no matching package named `ntapi` found\nlocation searched: crates.io index\n"
        )));
        docs.not_mined(&anyhow!("a second reason"));
        assert_eq!(
            docs.not_mined.as_deref(),
            Some(
                "dependency docs not mined: `cargo metadata --offline` failed: no matching \
                 package named `ntapi` found; a locked dependency is missing from cargo's cache \
                 (often one for another platform): run `cargo fetch` to download it, or pass \
                 `--no-deps-docs` to skip mining"
            )
        );
    }
}
