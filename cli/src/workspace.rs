//! Which files to analyse, and the cargo context (package and target) of each.
//!
//! Without PATHs the workspace comes from `cargo metadata --no-deps`: every target source tree of
//! every selected member. With PATHs the files are the ones given (directories walked), and a file
//! inside a cargo package gets that package's context when `cargo metadata` can describe it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::{env, fs};

use anyhow::{bail, Context as _, Result};
use cargo_metadata::camino::Utf8PathBuf;
use cargo_metadata::{Metadata, MetadataCommand, Package, Target, TargetKind};
use walkdir::WalkDir;

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
#[derive(Debug)]
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
    let metadata =
        cargo_metadata(selection.manifest_path).context("could not read the cargo workspace")?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for package in select_packages(&metadata, selection)? {
        let sources: Vec<PathBuf> = package
            .targets
            .iter()
            .map(|t| t.src_path.clone().into())
            .collect();
        let mut contexts: HashMap<usize, Arc<PackageContext>> = HashMap::new();
        for (path, walk_error) in package_tree(package) {
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(index) = best_target(&package.targets, &sources, &path) else {
                continue;
            };
            let context = contexts
                .entry(index)
                .or_insert_with(|| Arc::new(PackageContext::new(root.clone(), package, index)))
                .clone();
            let label = path
                .strip_prefix(&root)
                .map_or_else(|_| label_of(&path), label_of);
            files.push(SourceFile {
                json_name: label.clone(),
                label,
                path,
                context: Some(context),
                walk_error,
            });
        }
    }
    files.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(files)
}

/// The files named on the command line; directories are walked for `*.rs`, and a named file that
/// does not end in `.rs` is skipped with a warning on stderr. With
/// `package_context`, each file inside a cargo package gets that package's context (this runs
/// `cargo metadata` once per workspace met, so it is only asked for when the output uses it).
pub fn path_files(paths: &[PathBuf], package_context: bool) -> Result<Vec<SourceFile>> {
    let cwd = env::current_dir().context("could not read the current directory")?;
    let mut finder = ContextFinder::default();
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut push = |path: PathBuf, walk_error: Option<String>| {
        let absolute = fs::canonicalize(&path).unwrap_or_else(|_| cwd.join(&path));
        if !seen.insert(absolute.clone()) {
            return;
        }
        let label = label_of(&path);
        let context = if package_context {
            finder.find(&absolute)
        } else {
            None
        };
        let json_name = context
            .as_ref()
            .and_then(|context| absolute.strip_prefix(&context.workspace_root).ok())
            .map_or_else(|| label.clone(), label_of);
        files.push(SourceFile {
            label,
            path,
            json_name,
            context,
            walk_error,
        });
    };
    for given in paths {
        let metadata = match fs::metadata(given) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                bail!("path `{}` does not exist", given.display())
            }
            Err(error) => bail!("could not read path `{}`: {error}", given.display()),
        };
        if metadata.is_dir() {
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
    Ok(files)
}

/// Runs `cargo metadata --no-deps --format-version 1 --offline`, which never touches the network.
fn cargo_metadata(manifest_path: Option<&Path>) -> Result<Metadata> {
    let mut command = MetadataCommand::new();
    command
        .no_deps()
        .other_options(vec!["--offline".to_string()]);
    if let Some(manifest_path) = manifest_path {
        command.manifest_path(manifest_path);
    }
    command.exec().map_err(|error| match error {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            anyhow::anyhow!("`cargo metadata` failed:\n{}", stderr.trim_end())
        }
        other => anyhow::Error::new(other),
    })
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
            eprintln!("warning: excluded package `{spec}` is not a member of the workspace");
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
fn package_tree(package: &Package) -> BTreeMap<PathBuf, Option<String>> {
    let mut files = BTreeMap::new();
    let mut walked = BTreeSet::new();
    for target in &package.targets {
        let source = target.src_path.as_std_path();
        // A build script sits at the package root, which is not its source tree: only its own
        // file is analysed. A target whose directory is missing gets a read error for its file.
        let dir = source
            .parent()
            .filter(|dir| !target.is_custom_build() && dir.is_dir());
        if let Some(dir) = dir.filter(|dir| walked.insert(dir.to_path_buf())) {
            files.extend(walk_rs_files(dir, true));
        }
        files.entry(source.to_path_buf()).or_insert(None);
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
    name.starts_with('.')
        || name == "target"
        || (skip_nested_packages && entry.path().join("Cargo.toml").is_file())
}

/// The target a file belongs to: the one whose root file it is, else the one with the deepest
/// source directory containing it, preferring a library, then a binary. Build scripts own only
/// their own file. A file outside every target tree goes to the library (or the first target).
fn best_target(targets: &[Target], sources: &[PathBuf], file: &Path) -> Option<usize> {
    let ranked = targets
        .iter()
        .zip(sources)
        .enumerate()
        .filter_map(|(index, (target, source))| {
            let exact = source == file;
            let dir = source.parent()?;
            if !exact && (target.is_custom_build() || !file.starts_with(dir)) {
                return None;
            }
            Some((
                (
                    exact,
                    dir.components().count(),
                    kind_rank(target),
                    std::cmp::Reverse(index),
                ),
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
    /// Canonical manifest path → (package index, canonical target source paths).
    packages: HashMap<PathBuf, (usize, Vec<PathBuf>)>,
}

impl ContextFinder {
    fn find(&mut self, file: &Path) -> Option<Arc<PackageContext>> {
        let manifest = self.manifest_for(file.parent()?)?;
        let workspace_index = self.workspace_for(&manifest)?;
        let workspace = &self.workspaces[workspace_index];
        let (package_index, sources) = workspace.packages.get(&manifest)?;
        let package = &workspace.metadata.packages[*package_index];
        let target = best_target(&package.targets, sources, file)?;
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

    fn workspace_for(&mut self, manifest: &Path) -> Option<usize> {
        if let Some(index) = self
            .workspaces
            .iter()
            .position(|w| w.packages.contains_key(manifest))
        {
            return Some(index);
        }
        if self.failed.contains(manifest) {
            return None;
        }
        let Ok(metadata) = cargo_metadata(Some(manifest)) else {
            self.failed.insert(manifest.to_path_buf());
            return None;
        };
        let canonical = |path: &Path| fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let members: HashSet<_> = metadata.workspace_members.iter().collect();
        let packages = metadata
            .packages
            .iter()
            .enumerate()
            .filter(|(_, package)| members.contains(&package.id))
            .map(|(index, package)| {
                let sources = package
                    .targets
                    .iter()
                    .map(|t| canonical(t.src_path.as_std_path()))
                    .collect();
                (
                    canonical(package.manifest_path.as_std_path()),
                    (index, sources),
                )
            })
            .collect();
        let root = canonical(metadata.workspace_root.as_std_path());
        self.workspaces.push(LoadedWorkspace {
            metadata,
            root,
            packages,
        });
        let index = self.workspaces.len() - 1;
        if self.workspaces[index].packages.contains_key(manifest) {
            Some(index)
        } else {
            // A virtual manifest: the file is in the workspace but in no package.
            self.failed.insert(manifest.to_path_buf());
            None
        }
    }
}

/// A path as a label: `./` prefixes dropped, so `./src/lib.rs` reads `src/lib.rs`.
fn label_of(path: &Path) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_drop_the_current_dir_prefix() {
        assert_eq!(label_of(Path::new("./src/lib.rs")), "src/lib.rs");
        assert_eq!(label_of(Path::new("src/lib.rs")), "src/lib.rs");
        assert_eq!(label_of(Path::new("/abs/lib.rs")), "/abs/lib.rs");
    }
}
