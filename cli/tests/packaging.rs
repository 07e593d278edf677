//! What users install: every crate that is published has the metadata crates.io shows, packages
//! its sources, data files and licence texts, and depends on its sibling crates by version too;
//! everything else says `publish = false`. No placeholder link is left in the repository, and
//! the cargo-binstall metadata points at release archives of the canonical repository.
//!
//! `.ci/run` also runs the full `cargo package` (which builds each packaged crate against the
//! others); these tests are the quick part: `cargo metadata` and `cargo package --list`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_cancel_check::links;
use cargo_metadata::{DependencyKind, MetadataCommand, Package};

/// The crates users install or depend on.
const PUBLISHED: [&str; 4] = [
    "cargo-cancel-check",
    "cancel-check-lints",
    "cancel-check",
    "cancel-check-macros",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn workspace_packages() -> Vec<Package> {
    MetadataCommand::new()
        .manifest_path(repo_root().join("Cargo.toml"))
        .no_deps()
        .other_options(vec!["--offline".to_string()])
        .exec()
        .unwrap()
        .packages
}

fn is_published(package: &Package) -> bool {
    // `publish = false` is an empty list of registries.
    !matches!(&package.publish, Some(registries) if registries.is_empty())
}

#[test]
fn published_crates_have_the_metadata_crates_io_shows() {
    let packages = workspace_packages();
    let published: BTreeSet<&str> = packages
        .iter()
        .filter(|package| is_published(package))
        .map(|package| package.name.as_str())
        .collect();
    assert_eq!(published, BTreeSet::from(PUBLISHED));

    for package in packages.iter().filter(|package| is_published(package)) {
        let name = package.name.as_str();
        assert_eq!(
            package.license.as_deref(),
            Some("MIT OR Apache-2.0"),
            "{name}"
        );
        assert!(
            package
                .description
                .as_deref()
                .is_some_and(|text| text.len() > 20),
            "{name}: description"
        );
        assert_eq!(
            package.repository.as_deref(),
            Some(links::REPOSITORY),
            "{name}"
        );
        let readme = package.readme().expect("a readme");
        assert!(readme.is_file(), "{name}: {readme} is missing");
        assert!(
            (1..=5).contains(&package.keywords.len()),
            "{name}: crates.io takes 1 to 5 keywords"
        );
        for keyword in &package.keywords {
            assert!(
                keyword.len() <= 20
                    && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
                    && keyword
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{name}: keyword `{keyword}` is not one crates.io accepts"
            );
        }
        assert!(
            (1..=5).contains(&package.categories.len()),
            "{name}: categories"
        );
        // A path dependency needs a version too, or `cargo publish` refuses it (dev-dependencies
        // are dropped from the published manifest, so they may be path-only).
        for dependency in &package.dependencies {
            if dependency.path.is_some() && dependency.kind != DependencyKind::Development {
                assert_ne!(
                    dependency.req.to_string(),
                    "*",
                    "{name}: the path dependency `{}` has no version",
                    dependency.name
                );
            }
        }
    }
}

#[test]
fn example_projects_are_not_for_publishing() {
    let fixtures = repo_root().join("test-fixtures");
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&fixtures) {
        let entry = entry.unwrap();
        if entry.file_name() != "Cargo.toml" {
            continue;
        }
        let manifest: toml::Table = fs::read_to_string(entry.path()).unwrap().parse().unwrap();
        let Some(package) = manifest.get("package") else {
            continue; // a virtual workspace manifest
        };
        seen += 1;
        assert_eq!(
            package.get("publish").and_then(toml::Value::as_bool),
            Some(false),
            "{} must say `publish = false`",
            entry.path().display()
        );
    }
    assert!(seen >= 4, "found {seen} example packages");
}

/// The files `cargo package` puts in a crate, relative to the crate root.
fn packaged_files(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "package",
            "--list",
            "--locked",
            "--offline",
            "--allow-dirty",
            "-p",
        ])
        .arg(package)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo package --list -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn each_crate_packages_its_licences_readme_and_everything_its_sources_include() {
    for package in workspace_packages()
        .iter()
        .filter(|package| is_published(package))
    {
        let name = package.name.as_str();
        let root = package.manifest_path.parent().unwrap().as_std_path();
        let files = packaged_files(name);
        for file in ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
            assert!(files.contains(file), "{name} does not package {file}");
        }
        // Every file a source includes at compile time (the knowledge base of the lints crate,
        // for one) must be in the package, or the published crate does not build.
        let mut included = 0;
        for entry in walkdir::WalkDir::new(root.join("src")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap();
            for literal in included_paths(&text) {
                included += 1;
                let path = normalise(&entry.path().parent().unwrap().join(literal));
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or_else(|_| panic!("{name} includes {literal}, outside the crate"));
                let relative = relative.to_string_lossy().replace('\\', "/");
                assert!(
                    files.contains(&relative),
                    "{name} includes {relative} but does not package it"
                );
            }
        }
        if name == "cancel-check-lints" {
            assert!(files.contains("src/knowledge/apis.toml"));
            assert!(included >= 1, "the knowledge base is include_str!'d");
        }
    }
}

/// The string literals of `include_str!("..")` and `include_bytes!("..")` in a source.
fn included_paths(text: &str) -> Vec<&str> {
    let mut paths = Vec::new();
    for marker in ["include_str!(\"", "include_bytes!(\""] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            if let Some(end) = rest.find('"') {
                paths.push(&rest[..end]);
            }
        }
    }
    paths
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn licence_files_are_the_standard_texts_in_every_published_crate() {
    let root = repo_root();
    let mit = fs::read_to_string(root.join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License\n"));
    assert!(mit
        .contains("Permission is hereby granted, free of charge, to any person obtaining a copy"));
    assert!(mit.contains("THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND"));
    let apache = fs::read_to_string(root.join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License\n                           Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    assert!(apache.contains("APPENDIX: How to apply the Apache License to your work."));
    for crate_dir in ["cli", "lints", "runtime-shim", "runtime-shim/macros"] {
        for (file, text) in [("LICENSE-MIT", &mit), ("LICENSE-APACHE", &apache)] {
            let copy = fs::read_to_string(root.join(crate_dir).join(file)).unwrap();
            assert_eq!(&copy, text, "{crate_dir}/{file} differs from the root's");
        }
    }
}

#[test]
fn no_placeholder_link_is_left() {
    // Spelled in two parts, so that this file does not find itself.
    let placeholder = ["example", ".invalid"].concat();
    let root = repo_root();
    let mut checked = 0;
    let walk = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(name.starts_with('.') && name != ".pre-commit-hooks.yaml") && name != "target"
        });
    for entry in walk {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(text) = fs::read_to_string(entry.path()) else {
            continue; // not text
        };
        checked += 1;
        assert!(
            !text.contains(&placeholder),
            "{} still links to {placeholder}",
            entry.path().display()
        );
    }
    assert!(checked > 100, "checked {checked} files");
}

#[test]
fn binstall_metadata_points_at_release_archives_of_the_repository() {
    let manifest: toml::Table = fs::read_to_string(repo_root().join("cli/Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let version = env!("CARGO_PKG_VERSION");
    let expand = |template: &str, target: &str| {
        let binary_ext = if target.contains("windows") {
            ".exe"
        } else {
            ""
        };
        let expanded = template
            .replace("{ repo }", links::REPOSITORY)
            .replace("{ name }", "cargo-cancel-check")
            .replace("{ version }", version)
            .replace("{ target }", target)
            .replace("{ bin }", "cargo-cancel-check")
            .replace("{ binary-ext }", binary_ext);
        assert!(!expanded.contains('{'), "unknown placeholder in {template}");
        expanded
    };
    let linux = "x86_64-unknown-linux-gnu";
    assert_eq!(
        expand(binstall["pkg-url"].as_str().unwrap(), linux),
        format!(
            "{}/releases/download/v{version}/cargo-cancel-check-{linux}-v{version}.tar.gz",
            links::REPOSITORY
        )
    );
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    assert_eq!(
        expand(binstall["bin-dir"].as_str().unwrap(), linux),
        format!("cargo-cancel-check-{linux}-v{version}/cargo-cancel-check")
    );
    let windows = "x86_64-pc-windows-msvc";
    let overrides = &binstall["overrides"][windows];
    assert_eq!(overrides["pkg-fmt"].as_str(), Some("zip"));
    assert!(expand(overrides["pkg-url"].as_str().unwrap(), windows)
        .ends_with(&format!("/cargo-cancel-check-{windows}-v{version}.zip")));
}

#[test]
fn the_readme_installs_with_locked_and_the_changelog_has_this_version() {
    let root = repo_root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cargo install --path cli --locked"));
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        changelog.contains(&format!("\n## [{version}]")),
        "CHANGELOG.md has no section for {version}"
    );
    // The pre-commit snippets name the release tag of this version.
    for file in ["docs/ci.md", ".pre-commit-hooks.yaml"] {
        let text = fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains(&format!("rev: v{version}")), "{file}");
        assert!(
            text.contains(&format!("repo: {}", links::REPOSITORY)),
            "{file}"
        );
    }
}
