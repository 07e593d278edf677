//! Which files to analyse, and the cargo context (package and target), crate and module path
//! of each.
//!
//! Without PATHs the workspace comes from `cargo metadata --no-deps`: every target source tree of
//! every selected member, plus the files its crate root reaches through `mod` declarations
//! (`#[path]` ones too) elsewhere in the workspace. With PATHs the files are the ones given
//! (directories walked), and a file inside a cargo package gets that package's context when
//! `cargo metadata` can describe it (only asked for when the output reports it).
//!
//! Nothing outside the workspace root (or the PATHs given) is read: see [`crate::boundary`].
//! A file's module path follows the `mod` declarations from its crate root
//! ([`crate::modules`]); a file no declaration reaches gets the path its location implies.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::{env, fs};

use anyhow::{bail, Context as _, Result};
use cancel_check_lints::module_path;
use cargo_metadata::camino::Utf8PathBuf;
use cargo_metadata::{Metadata, Package, Target, TargetKind};
use walkdir::WalkDir;

use crate::boundary::Boundary;
use crate::escape::{path_label, printable};
use crate::modules::module_tree;
use crate::{process, stderr};

/// The cargo package and target a file belongs to (what the JSON output reports).
#[derive(Debug)]
pub struct PackageContext {
    pub package_id: String,
    pub manifest_path: Utf8PathBuf,
    /// The workspace root: JSON `file_name`s are relative to it.
    pub workspace_root: PathBuf,
    pub target: Target,
}

/// One file to analyse.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path label shown in diagnostics: relative to the workspace root, or as given.
    pub label: String,
    /// Where to read it.
    pub path: PathBuf,
    /// The name for JSON `file_name`: relative to the workspace root when the file has a package
    /// context (that is how rust-analyzer resolves it), else the label.
    pub json_name: String,
    pub context: Option<Arc<PackageContext>>,
    /// Set when walking the directory tree already failed at this path.
    pub walk_error: Option<String>,
    /// The crate it belongs to, as a Rust identifier.
    pub crate_name: String,
    /// Its module path in the crate.
    pub module: Vec<String>,
}

/// `--manifest-path`, `-p`, `--workspace`, `--exclude`.
#[derive(Debug, Default)]
pub struct PackageSelection<'a> {
    pub manifest_path: Option<&'a Path>,
    pub packages: &'a [String],
    pub workspace: bool,
    pub exclude: &'a [String],
}

/// The files of the selected members of the workspace around the current directory (or around
/// `--manifest-path`), with labels relative to the workspace root.
pub fn workspace_files(selection: &PackageSelection<'_>) -> Result<Vec<SourceFile>> {
    let manifest = match selection.manifest_path {
        Some(manifest) => process::absolute_manifest(manifest)?,
        None => {
            process::find_manifest(Path::new(".")).context("could not read the cargo workspace")?
        }
    };
    let metadata =
        process::metadata(&manifest, false, &[]).context("could not read the cargo workspace")?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let boundary = Boundary::workspace(&root);
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut outside = Vec::new();
    for package in select_packages(&metadata, selection)? {
        let sources: Vec<PathBuf> = package
            .targets
            .iter()
            .map(|t| t.src_path.clone().into())
            .collect();
        let dirs = TargetDirs::new(sources.clone());
        // The targets that reach each file, with its module path in each.
        let mut reached: BTreeMap<PathBuf, Vec<(usize, Vec<String>)>> = BTreeMap::new();
        for (index, source) in sources.iter().enumerate() {
            for file in module_tree(source, &boundary, &mut outside) {
                reached
                    .entry(file.path)
                    .or_default()
                    .push((index, file.module));
            }
        }
        let mut tree = package_tree(package, &boundary, &mut outside);
        for path in reached.keys() {
            tree.entry(path.clone()).or_insert(None);
        }
        let mut contexts: HashMap<usize, Arc<PackageContext>> = HashMap::new();
        for (path, walk_error) in tree {
            if !boundary.allows(&path) {
                outside.push(path);
                continue;
            }
            if !seen.insert(path.clone()) {
                continue;
            }
            let by_location = best_target(&package.targets, &dirs, &path);
            let (index, module) = match reached.get(&path) {
                // The target its location suggests when that target's tree reaches it, else
                // the best-ranked target (libraries first) that reaches it.
                Some(targets) => {
                    let (index, module) = targets
                        .iter()
                        .find(|(index, _)| Some(*index) == by_location)
                        .or_else(|| {
                            targets.iter().max_by_key(|(index, _)| {
                                (
                                    kind_rank(&package.targets[*index]),
                                    std::cmp::Reverse(*index),
                                )
                            })
                        })
                        .expect("a reached file has a target");
                    (*index, Some(module.clone()))
                }
                None => match by_location {
                    Some(index) => (index, None),
                    None => continue,
                },
            };
            let context = contexts
                .entry(index)
                .or_insert_with(|| Arc::new(PackageContext::new(root.clone(), package, index)))
                .clone();
            let module = module.unwrap_or_else(|| module_by_location(&context.target, &path));
            let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            files.push(SourceFile {
                label: path_label(&relative),
                json_name: json_name(&relative),
                crate_name: identifier(&context.target.name),
                module,
                path,
                context: Some(context),
                walk_error,
            });
        }
    }
    note_outside(&boundary, &root, outside);
    files.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(files)
}

/// One note on stderr for each file the boundary kept out (named relative to `base`).
fn note_outside(boundary: &Boundary, base: &Path, mut outside: Vec<PathBuf>) {
    outside.sort();
    outside.dedup();
    for path in outside {
        stderr::notice(boundary.note(path.strip_prefix(base).unwrap_or(&path)));
    }
}

/// Where a file given as a PATH goes: its cargo context (when the output reports it), the name
/// JSON gives it, its crate and its module path.
#[derive(Clone, Debug)]
pub struct Placement {
    pub context: Option<Arc<PackageContext>>,
    pub json_name: String,
    pub crate_name: String,
    pub module: Vec<String>,
}

/// The placements of the files given as PATHs (by path as given), worked out on a thread of
/// their own: finding package contexts runs `cargo metadata` once per workspace met, and
/// following module trees reads crate roots, so both run while the files are read and parsed.
pub struct Placing(Option<JoinHandle<HashMap<PathBuf, Placement>>>);

impl Placing {
    /// Nothing to wait for: the files are placed already.
    pub fn done() -> Placing {
        Placing(None)
    }

    /// Waits for the placements. A thread that failed places nothing: the files keep the crate
    /// and module their location gives, without a cargo context.
    pub fn wait(self) -> HashMap<PathBuf, Placement> {
        self.0
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    }
}

/// Gives each file its placement, if it has one.
pub fn apply_placements(files: &mut [SourceFile], placements: &HashMap<PathBuf, Placement>) {
    for file in files {
        if let Some(placement) = placements.get(&file.path) {
            file.context.clone_from(&placement.context);
            file.json_name.clone_from(&placement.json_name);
            file.crate_name.clone_from(&placement.crate_name);
            file.module.clone_from(&placement.module);
        }
    }
}

/// The files named on the command line; directories are walked for `*.rs`, and a named file that
/// does not end in `.rs` is skipped with a warning on stderr. A file that resolves outside the
/// PATHs given (a symlink in a walked folder) is skipped.
///
/// The files come back with the crate and module their location gives; their placement (see
/// [`Placing`]) follows: with `package_context`, each file inside a cargo package gets that
/// package's context (this runs `cargo metadata` once per workspace met, up to `jobs` at a
/// time, so it is only asked for when the output uses it), and the files a crate root among
/// them reaches through `mod` declarations get their module paths.
pub fn path_files(
    paths: &[PathBuf],
    package_context: bool,
    jobs: usize,
) -> Result<(Vec<SourceFile>, Placing)> {
    let cwd = env::current_dir().context("could not read the current directory")?;
    for given in paths {
        match fs::metadata(given) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                bail!("path `{}` does not exist", path_label(given))
            }
            Err(error) => bail!("could not read path `{}`: {error}", path_label(given)),
        }
    }
    let boundary = Boundary::paths(paths);
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut absolutes = Vec::new();
    let mut outside = Vec::new();
    let mut lib_names = HashMap::new();
    let mut push = |path: PathBuf, walk_error: Option<String>| {
        let resolved = fs::canonicalize(&path).ok();
        if resolved
            .as_ref()
            .is_some_and(|resolved| !boundary.allows_resolved(resolved))
        {
            outside.push(path);
            return;
        }
        let absolute = resolved.unwrap_or_else(|| cwd.join(&path));
        if !seen.insert(absolute.clone()) {
            return;
        }
        let (crate_name, module) = crate_and_module(None, &path, &mut lib_names);
        absolutes.push(absolute);
        files.push(SourceFile {
            label: path_label(&path),
            json_name: json_name(&path),
            path,
            context: None,
            walk_error,
            crate_name,
            module,
        });
    };
    for given in paths {
        if fs::metadata(given).is_ok_and(|metadata| metadata.is_dir()) {
            for (path, walk_error) in walk_rs_files(given, false) {
                push(path, walk_error);
            }
        } else if given.extension().is_some_and(|ext| ext == "rs") {
            push(given.clone(), None);
        } else {
            // Decided by the name, before reading: a template (`x.rs.tera`) or notes are not
            // Rust, and parsing them as Rust would only report a parse error.
            eprintln!(
                "warning: `{}` is not a Rust file (only `.rs` files are analysed); skipped",
                given.display()
            );
        }
    }
    note_outside(&boundary, Path::new(""), outside);
    let mut placed = files.clone();
    let handle = thread::Builder::new()
        .name("cancel-check-placing".to_string())
        .spawn(move || {
            let contexts = if package_context {
                ContextFinder::default().find_all(&absolutes, jobs)
            } else {
                vec![None; absolutes.len()]
            };
            for ((file, absolute), context) in placed.iter_mut().zip(&absolutes).zip(contexts) {
                if let Some(relative) = context
                    .as_ref()
                    .and_then(|context| absolute.strip_prefix(&context.workspace_root).ok())
                {
                    file.json_name = json_name(relative);
                }
                (file.crate_name, file.module) =
                    crate_and_module(context.as_deref(), &file.path, &mut lib_names);
                file.context = context;
            }
            follow_module_trees(&mut placed, &boundary);
            placed
                .into_iter()
                .map(|file| {
                    let placement = Placement {
                        context: file.context,
                        json_name: file.json_name,
                        crate_name: file.crate_name,
                        module: file.module,
                    };
                    (file.path, placement)
                })
                .collect()
        })
        .context("could not start a thread")?;
    Ok((files, Placing(Some(handle))))
}

/// For a run on PATHs: the module paths of the files that a crate root among them reaches
/// through `mod` declarations (only files inside the PATHs are read).
fn follow_module_trees(files: &mut [SourceFile], boundary: &Boundary) {
    let canonical = |path: &Path| fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let index: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .map(|(at, file)| (canonical(&file.path), at))
        .collect();
    let roots: Vec<(usize, PathBuf)> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| file.module.is_empty() && is_crate_root(file))
        .map(|(at, file)| (at, file.path.clone()))
        .collect();
    let mut assigned = HashSet::new();
    for (root_at, root) in roots {
        let crate_name = files[root_at].crate_name.clone();
        for reached in module_tree(&root, boundary, &mut Vec::new()) {
            let Some(&at) = index.get(&canonical(&reached.path)) else {
                continue;
            };
            if files[at].crate_name == crate_name && assigned.insert(at) {
                files[at].module = reached.module;
            }
        }
    }
}

/// Whether a file is the root of its crate: its target's source file, or (without a cargo
/// context) a `lib.rs`/`main.rs` right in a `src` folder.
fn is_crate_root(file: &SourceFile) -> bool {
    match &file.context {
        Some(context) => fs::canonicalize(&file.path)
            .ok()
            .zip(fs::canonicalize(context.target.src_path.as_std_path()).ok())
            .is_some_and(|(a, b)| a == b),
        None => {
            let in_src = file
                .path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|name| name == "src");
            in_src
                && file
                    .path
                    .file_name()
                    .is_some_and(|name| name == "lib.rs" || name == "main.rs")
        }
    }
}

/// The members to analyse: all of them unless `-p` names some, minus `--exclude`.
fn select_packages<'m>(
    metadata: &'m Metadata,
    selection: &PackageSelection<'_>,
) -> Result<Vec<&'m Package>> {
    let members = metadata.workspace_packages();
    // `--manifest-path` naming a member that is not the workspace root selects that member, as
    // in cargo; the root manifest (or none) selects every member.
    let named_member = selection.manifest_path.and_then(|manifest| {
        let manifest = fs::canonicalize(manifest).ok()?;
        let root_manifest = fs::canonicalize(metadata.workspace_root.join("Cargo.toml")).ok()?;
        (manifest != root_manifest).then_some(())?;
        members.iter().copied().find(|package| {
            fs::canonicalize(package.manifest_path.as_std_path())
                .ok()
                .as_ref()
                == Some(&manifest)
        })
    });
    let mut selected: Vec<&Package> = if selection.workspace {
        members.clone()
    } else if let (true, Some(member)) = (selection.packages.is_empty(), named_member) {
        vec![member]
    } else if selection.packages.is_empty() {
        members.clone()
    } else {
        let mut selected = Vec::new();
        for spec in selection.packages {
            let matched: Vec<&Package> = members
                .iter()
                .copied()
                .filter(|p| matches_spec(p, spec))
                .collect();
            if matched.is_empty() {
                let names: Vec<&str> = members.iter().map(|p| p.name.as_str()).collect();
                bail!(
                    "package `{spec}` is not a member of the workspace (members: {})",
                    names.join(", ")
                );
            }
            selected.extend(matched);
        }
        selected
    };
    for spec in selection.exclude {
        if !members.iter().any(|p| matches_spec(p, spec)) {
            stderr::notice(format!(
                "warning: excluded package `{}` is not a member of the workspace",
                printable(spec)
            ));
        }
    }
    selected.retain(|p| !selection.exclude.iter().any(|spec| matches_spec(p, spec)));
    let mut ids = HashSet::new();
    selected.retain(|p| ids.insert(&p.id));
    Ok(selected)
}

/// A package id specification as `-p` takes it: a name, `name@version`, a package id, or a
/// full spec such as rust-analyzer passes (`path+file:///ws/crates/a#0.1.0`,
/// `file:///ws/crates/a#a@0.1.0`).
fn matches_spec(package: &Package, spec: &str) -> bool {
    if spec == package.name.as_str()
        || spec == format!("{}@{}", package.name, package.version)
        || spec == package.id.repr
    {
        return true;
    }
    let Some((url, fragment)) = spec.split_once('#').or(Some((spec, ""))) else {
        return false;
    };
    let Some(path) = url
        .trim_start_matches("path+")
        .strip_prefix("file://")
        .map(Path::new)
    else {
        return false;
    };
    let dir_matches = package
        .manifest_path
        .parent()
        .is_some_and(|dir| dir.as_std_path() == path);
    let version = package.version.to_string();
    let fragment_matches = match fragment.split_once('@') {
        Some((name, fragment_version)) => {
            name == package.name.as_str() && fragment_version == version
        }
        None => fragment.is_empty() || fragment == version || fragment == package.name.as_str(),
    };
    dir_matches && fragment_matches
}

/// Every `*.rs` file of a package's target source trees: the directory of each target's
/// `src_path` (nested packages excluded), and a build script's own file.
fn package_tree(
    package: &Package,
    boundary: &Boundary,
    outside: &mut Vec<PathBuf>,
) -> BTreeMap<PathBuf, Option<String>> {
    let mut files = BTreeMap::new();
    let mut walked = BTreeSet::new();
    for target in &package.targets {
        let source = target.src_path.as_std_path();
        // A build script sits at the package root, which is not its source tree: only its own
        // file is analysed. A target whose directory is missing gets a read error for its file.
        // A directory outside the workspace (`[[bin]] path = "../../x.rs"`) is not walked.
        let dir = source
            .parent()
            .filter(|dir| !target.is_custom_build() && dir.is_dir());
        if let Some(dir) = dir.filter(|dir| walked.insert(dir.to_path_buf())) {
            if boundary.allows(dir) {
                files.extend(walk_rs_files(dir, true));
            }
        }
        if boundary.allows(source) {
            files.entry(source.to_path_buf()).or_insert(None);
        } else {
            outside.push(source.to_path_buf());
        }
    }
    files
}

/// Walks a directory for `*.rs` files, in file-name order, skipping `target/`, hidden folders and
/// (for target trees) nested packages. Entries that cannot be read come back with the error.
fn walk_rs_files(root: &Path, skip_nested_packages: bool) -> Vec<(PathBuf, Option<String>)> {
    let walker = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_skipped_dir(entry, skip_nested_packages));
    let mut files = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_file()
                    || (entry.path_is_symlink() && entry.path().is_file());
                if is_file && entry.path().extension().is_some_and(|ext| ext == "rs") {
                    files.push((entry.into_path(), None));
                }
            }
            Err(error) => {
                let path = error.path().unwrap_or(root).to_path_buf();
                let message = error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string);
                files.push((path, Some(format!("could not read directory: {message}"))));
            }
        }
    }
    files
}

fn is_skipped_dir(entry: &walkdir::DirEntry, skip_nested_packages: bool) -> bool {
    if !entry.file_type().is_dir() {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    let why = if name.starts_with('.') {
        "a hidden folder"
    } else if name == "target" {
        "a `target` folder"
    } else if skip_nested_packages && entry.path().join("Cargo.toml").is_file() {
        "another package"
    } else {
        return false;
    };
    stderr::verbose(format!(
        "skipped folder `{}`: {why}",
        path_label(entry.path())
    ));
    true
}

/// A package's target source files, indexed by file and by folder, as [`best_target`] matches
/// a file against them (built once per package, not per file: a package may have hundreds of
/// test targets).
struct TargetDirs {
    /// Source file -> the targets it is the root of.
    by_source: HashMap<PathBuf, Vec<usize>>,
    /// Source folder -> the targets whose root is in it.
    by_dir: HashMap<PathBuf, Vec<usize>>,
}

impl TargetDirs {
    fn new(sources: Vec<PathBuf>) -> TargetDirs {
        let mut by_source: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        let mut by_dir: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        for (index, source) in sources.into_iter().enumerate() {
            if let Some(dir) = source.parent() {
                by_dir.entry(dir.to_path_buf()).or_default().push(index);
            }
            by_source.entry(source).or_default().push(index);
        }
        TargetDirs { by_source, by_dir }
    }
}

/// The target a file belongs to: the one whose root file it is, else the one with the deepest
/// source directory containing it, preferring a library, then a binary. Build scripts own only
/// their own file. A file outside every target tree goes to the library (or the first target).
fn best_target(targets: &[Target], dirs: &TargetDirs, file: &Path) -> Option<usize> {
    let depth = |dir: Option<&Path>| dir.map_or(0, |dir| dir.components().count());
    let exact = dirs
        .by_source
        .get(file)
        .into_iter()
        .flatten()
        .map(|&index| {
            let depth = depth(file.parent());
            (true, depth, index)
        });
    let containing = file.ancestors().skip(1).flat_map(|dir| {
        let depth = depth(Some(dir));
        dirs.by_dir
            .get(dir)
            .into_iter()
            .flatten()
            .filter(|&&index| targets.get(index).is_some_and(|t| !t.is_custom_build()))
            .map(move |&index| (false, depth, index))
    });
    let ranked = exact.chain(containing).filter_map(|(exact, depth, index)| {
        let target = targets.get(index)?;
        Some((
            (exact, depth, kind_rank(target), std::cmp::Reverse(index)),
            index,
        ))
    });
    ranked
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, index)| index)
        .or_else(|| targets.iter().position(|t| kind_rank(t) == 3))
        .or(if targets.is_empty() { None } else { Some(0) })
}

fn kind_rank(target: &Target) -> u8 {
    let is = |kind: &TargetKind| target.kind.contains(kind);
    if is(&TargetKind::CustomBuild) {
        0
    } else if is(&TargetKind::Bin) {
        2
    } else if is(&TargetKind::Example) || is(&TargetKind::Test) || is(&TargetKind::Bench) {
        1
    } else {
        // lib, rlib, dylib, cdylib, staticlib, proc-macro
        3
    }
}

impl PackageContext {
    fn new(workspace_root: PathBuf, package: &Package, target: usize) -> PackageContext {
        PackageContext {
            package_id: package.id.repr.clone(),
            manifest_path: package.manifest_path.clone(),
            workspace_root,
            target: package.targets[target].clone(),
        }
    }
}

/// Finds the package context of files given as PATHs: the nearest `Cargo.toml` upward, described
/// by `cargo metadata` (run once per workspace). Any failure means "no context", silently.
#[derive(Default)]
struct ContextFinder {
    nearest_manifest: HashMap<PathBuf, Option<PathBuf>>,
    workspaces: Vec<LoadedWorkspace>,
    failed: HashSet<PathBuf>,
    contexts: HashMap<(usize, usize, usize), Arc<PackageContext>>,
}

struct LoadedWorkspace {
    metadata: Metadata,
    root: PathBuf,
    /// Canonical manifest path → (package index, its targets as a file is matched to them).
    packages: HashMap<PathBuf, (usize, TargetDirs)>,
}

impl ContextFinder {
    /// The context of each file (absolute paths): `cargo metadata` runs for the first package
    /// met, then, for the packages no loaded workspace holds, up to `jobs` at a time (at least
    /// two: cargo mostly waits on the file system).
    fn find_all(&mut self, files: &[PathBuf], jobs: usize) -> Vec<Option<Arc<PackageContext>>> {
        let manifests: Vec<Option<PathBuf>> = files
            .iter()
            .map(|file| file.parent().and_then(|dir| self.manifest_for(dir)))
            .collect();
        let mut pending: Vec<PathBuf> = Vec::new();
        for manifest in manifests.iter().flatten() {
            if !pending.contains(manifest) {
                pending.push(manifest.clone());
            }
        }
        let concurrency = jobs.clamp(2, 8);
        while !pending.is_empty() {
            pending.retain(|manifest| !self.knows(manifest));
            // One workspace first: PATHs inside one workspace need one `cargo metadata`.
            let take = if self.workspaces.is_empty() && self.failed.is_empty() {
                1
            } else {
                concurrency
            };
            let batch: Vec<PathBuf> = pending.drain(..take.min(pending.len())).collect();
            let loaded: Vec<Option<Metadata>> = thread::scope(|scope| {
                let running: Vec<_> = batch
                    .iter()
                    .map(|manifest| scope.spawn(|| process::metadata(manifest, false, &[]).ok()))
                    .collect();
                running
                    .into_iter()
                    .map(|handle| handle.join().ok().flatten())
                    .collect()
            });
            for (manifest, metadata) in batch.iter().zip(loaded) {
                self.add(manifest, metadata);
            }
        }
        files
            .iter()
            .zip(&manifests)
            .map(|(file, manifest)| self.find(file, manifest.as_deref()?))
            .collect()
    }

    /// Whether a manifest's workspace is loaded, or could not be.
    fn knows(&self, manifest: &Path) -> bool {
        self.failed.contains(manifest)
            || self
                .workspaces
                .iter()
                .any(|workspace| workspace.packages.contains_key(manifest))
    }

    fn find(&mut self, file: &Path, manifest: &Path) -> Option<Arc<PackageContext>> {
        let workspace_index = self
            .workspaces
            .iter()
            .position(|w| w.packages.contains_key(manifest))?;
        let workspace = &self.workspaces[workspace_index];
        let (package_index, targets) = workspace.packages.get(manifest)?;
        let package = &workspace.metadata.packages[*package_index];
        let target = best_target(&package.targets, targets, file)?;
        let context = self
            .contexts
            .entry((workspace_index, *package_index, target))
            .or_insert_with(|| {
                Arc::new(PackageContext::new(workspace.root.clone(), package, target))
            });
        Some(context.clone())
    }

    fn manifest_for(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.nearest_manifest.get(dir) {
            return found.clone();
        }
        let found = dir
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.is_file());
        self.nearest_manifest
            .insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Records what `cargo metadata` said for `manifest` (nothing: it failed).
    fn add(&mut self, manifest: &Path, metadata: Option<Metadata>) {
        let Some(metadata) = metadata else {
            self.failed.insert(manifest.to_path_buf());
            return;
        };
        let canonical = |path: &Path| fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let members: HashSet<_> = metadata.workspace_members.iter().collect();
        let packages = metadata
            .packages
            .iter()
            .enumerate()
            .filter(|(_, package)| members.contains(&package.id))
            .map(|(index, package)| {
                let sources: Vec<PathBuf> = package
                    .targets
                    .iter()
                    .map(|t| canonical(t.src_path.as_std_path()))
                    .collect();
                (
                    canonical(package.manifest_path.as_std_path()),
                    (index, TargetDirs::new(sources)),
                )
            })
            .collect();
        let root = canonical(metadata.workspace_root.as_std_path());
        let workspace = LoadedWorkspace {
            metadata,
            root,
            packages,
        };
        if !workspace.packages.contains_key(manifest) {
            // A virtual manifest: the file is in the workspace but in no package.
            self.failed.insert(manifest.to_path_buf());
        }
        self.workspaces.push(workspace);
    }
}

/// The name of a file for JSON `file_name`: the path as it is (JSON escapes what needs it, and
/// rust-analyzer needs the real name), `./` prefixes dropped.
fn json_name(path: &Path) -> String {
    let trimmed: PathBuf = path
        .components()
        .skip_while(|c| matches!(c, Component::CurDir))
        .collect();
    if trimmed.as_os_str().is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        trimmed.to_string_lossy().into_owned()
    }
}

/// A file's module path from its location under its target's source folder
/// (`src/net/conn.rs` is `net::conn`), for files no `mod` declaration reaches.
fn module_by_location(target: &Target, path: &Path) -> Vec<String> {
    target
        .src_path
        .parent()
        .and_then(|root| path.strip_prefix(root.as_std_path()).ok())
        .map(|relative| module_path(&relative.to_string_lossy()))
        .unwrap_or_default()
}

/// The crate a file belongs to and its module path in it, from its location: from its cargo
/// target when known, else from the nearest `src` folder above it (`my-crate/src/net/conn.rs`
/// is `net::conn` of `my_crate`, named as the `Cargo.toml` next to `src` names its library:
/// `[lib] name`, else `[package] name`, so that other crates' `use my_lib::..` reach it), else
/// the file on its own. `lib_names` keeps the names read, per package folder.
fn crate_and_module(
    context: Option<&PackageContext>,
    path: &Path,
    lib_names: &mut HashMap<PathBuf, Option<String>>,
) -> (String, Vec<String>) {
    if let Some(context) = context {
        let root = context
            .target
            .src_path
            .parent()
            .map(|dir| dir.as_std_path());
        let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let root = root.map(|root| fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()));
        if let Some(relative) =
            root.and_then(|root| absolute.strip_prefix(&root).ok().map(Path::to_path_buf))
        {
            return (
                identifier(&context.target.name),
                module_path(&relative.to_string_lossy()),
            );
        }
    }
    let components: Vec<_> = path.components().collect();
    if let Some(src) = components
        .iter()
        .rposition(|component| component.as_os_str() == "src")
    {
        let package: PathBuf = components[..src].iter().collect();
        let from_manifest = lib_names
            .entry(package.clone())
            .or_insert_with(|| manifest_lib_name(&package.join("Cargo.toml")))
            .clone();
        let crate_name = from_manifest.unwrap_or_else(|| {
            src.checked_sub(1)
                .map(|index| components[index].as_os_str().to_string_lossy().to_string())
                .unwrap_or_else(|| "crate".to_string())
        });
        let relative: PathBuf = components[src + 1..].iter().collect();
        return (
            identifier(&crate_name),
            module_path(&relative.to_string_lossy()),
        );
    }
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().to_string())
        .unwrap_or_default();
    ("crate".to_string(), vec![identifier(&stem)])
}

/// The library name a manifest gives its package: `[lib] name`, else `[package] name`. The
/// manifest is the one next to the `src` folder of a given PATH; it is read as data, never
/// printed, a symlink is not followed, and one that does not parse (or is over 1 MiB) gives
/// nothing.
fn manifest_lib_name(manifest: &Path) -> Option<String> {
    let metadata = fs::symlink_metadata(manifest).ok()?;
    if !metadata.is_file() || metadata.len() > 1 << 20 {
        return None;
    }
    let text = fs::read_to_string(manifest).ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    let name = |table: &str| {
        value
            .get(table)
            .and_then(|table| table.get("name"))
            .and_then(|name| name.as_str())
            .map(str::to_string)
    };
    name("lib").or_else(|| name("package"))
}

/// A crate or file name as a Rust identifier (`my-crate` -> `my_crate`).
fn identifier(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranking [`best_target`] implements, target by target.
    fn reference_best_target(
        targets: &[Target],
        sources: &[PathBuf],
        file: &Path,
    ) -> Option<usize> {
        targets
            .iter()
            .zip(sources)
            .enumerate()
            .filter_map(|(index, (target, source))| {
                let exact = source == file;
                let dir = source.parent()?;
                if !exact && (target.is_custom_build() || !file.starts_with(dir)) {
                    return None;
                }
                let rank = (exact, dir.components().count(), kind_rank(target));
                Some(((rank, std::cmp::Reverse(index)), index))
            })
            .max_by_key(|(rank, _)| *rank)
            .map(|(_, index)| index)
            .or_else(|| targets.iter().position(|t| kind_rank(t) == 3))
            .or(if targets.is_empty() { None } else { Some(0) })
    }

    fn target(kind: &str, src_path: &str) -> Target {
        serde_json::from_value(serde_json::json!({
            "kind": [kind], "crate_types": [if kind == "lib" { "lib" } else { "bin" }],
            "name": "t", "src_path": src_path, "edition": "2021",
            "doc": true, "doctest": false, "test": true
        }))
        .unwrap()
    }

    #[test]
    fn the_indexed_target_ranking_agrees_with_the_one_by_one_ranking() {
        let targets = vec![
            target("lib", "/p/src/lib.rs"),
            target("bin", "/p/src/main.rs"),
            target("bin", "/p/src/bin/tool.rs"),
            target("bin", "/p/src/bin/big/main.rs"),
            target("example", "/p/examples/demo.rs"),
            target("test", "/p/tests/it.rs"),
            target("test", "/p/tests/more.rs"),
            target("custom-build", "/p/build.rs"),
        ];
        let sources: Vec<PathBuf> = targets.iter().map(|t| t.src_path.clone().into()).collect();
        let dirs = TargetDirs::new(sources.clone());
        for file in [
            "/p/src/lib.rs",
            "/p/src/main.rs",
            "/p/src/net/conn.rs",
            "/p/src/bin/tool.rs",
            "/p/src/bin/helper.rs",
            "/p/src/bin/big/part.rs",
            "/p/examples/demo.rs",
            "/p/examples/util/mod.rs",
            "/p/tests/common/mod.rs",
            "/p/build.rs",
            "/p/build/gen.rs",
            "/elsewhere/x.rs",
        ] {
            let file = Path::new(file);
            assert_eq!(
                best_target(&targets, &dirs, file),
                reference_best_target(&targets, &sources, file),
                "{}",
                file.display()
            );
        }
        assert_eq!(
            best_target(&[], &TargetDirs::new(Vec::new()), Path::new("/x.rs")),
            None
        );
    }

    #[test]
    fn json_names_drop_the_current_dir_prefix() {
        assert_eq!(json_name(Path::new("./src/lib.rs")), "src/lib.rs");
        assert_eq!(json_name(Path::new("src/lib.rs")), "src/lib.rs");
        assert_eq!(json_name(Path::new("/abs/lib.rs")), "/abs/lib.rs");
    }
}
