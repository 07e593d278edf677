//! The module tree of a crate: the files its root reaches through `mod` declarations, and the
//! module path of each, following the Rust Reference ("Modules", "The path attribute"):
//!
//! - `mod x;` in a mod-rs file (a crate root, a `mod.rs`, or a file loaded through `#[path]`)
//!   in folder `D` is `D/x.rs` or `D/x/mod.rs`; in a non-mod-rs file `D/f.rs` it is `D/f/x.rs`
//!   or `D/f/x/mod.rs`.
//! - `#[path = "p"] mod x;` outside inline blocks is `D/p`, relative to the folder of the
//!   declaring file, whatever its kind.
//! - Inside inline blocks `mod a { mod b { .. } }`, the blocks add folders: `D/a/b/` for a
//!   mod-rs file, `D/f/a/b/` for a non-mod-rs file `D/f.rs`. An inline block with a `#[path =
//!   "p"]` of its own makes its folder `p` (relative to the current one), as rustc does.
//!
//! The library lists a text's declarations ([`module_decls`]); this module does the file system
//! work, reading only what the [`Boundary`] allows.

use std::collections::HashSet;
use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use cancel_check_lints::module_decls::module_decls;

use crate::boundary::Boundary;

/// A file larger than this (64 MiB) is not read for its declarations.
const MAX_SCANNED_BYTES: u64 = 64 << 20;

/// A file the tree reaches, and its module path in the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub path: PathBuf,
    pub module: Vec<String>,
}

/// Where a file's submodules are: its folder, and for a non-mod-rs file the name that its
/// submodules' folder adds.
struct Place {
    path: PathBuf,
    module: Vec<String>,
    dir: PathBuf,
    relative: Option<String>,
}

/// The files reached from the crate root `root` (itself first), in the order they are found.
/// A declared file outside the boundary is not read: it is added to `outside` (once).
pub fn module_tree(root: &Path, boundary: &Boundary, outside: &mut Vec<PathBuf>) -> Vec<Reached> {
    let mut reached = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut queue = vec![Place {
        path: root.to_path_buf(),
        module: Vec::new(),
        dir: root.parent().map(Path::to_path_buf).unwrap_or_default(),
        relative: None,
    }];
    while let Some(place) = queue.pop() {
        let key = fs::canonicalize(&place.path).unwrap_or_else(|_| place.path.clone());
        if !seen.insert(key) {
            continue;
        }
        if !boundary.allows(&place.path) {
            if !outside.contains(&place.path) {
                outside.push(place.path.clone());
            }
            continue;
        }
        let Some(text) = read_text(&place.path) else {
            continue;
        };
        let mut children = Vec::new();
        for decl in module_decls(&text).into_iter().filter(|decl| !decl.inline) {
            let mut dir = place.dir.clone();
            let mut relative = place.relative.clone();
            let mut module = place.module.clone();
            for parent in &decl.parents {
                match &parent.path {
                    Some(path) => dir = normalise(&dir.join(path)),
                    None => {
                        if let Some(name) = relative.take() {
                            dir.push(name);
                        }
                        dir.push(&parent.name);
                    }
                }
                relative = None;
                module.push(parent.name.clone());
            }
            module.push(decl.name.clone());
            let child = match &decl.path {
                Some(path) => {
                    let path = normalise(&dir.join(path));
                    Place {
                        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                        path,
                        module,
                        relative: None,
                    }
                }
                None => {
                    if let Some(name) = relative.take() {
                        dir.push(name);
                    }
                    let file = dir.join(format!("{}.rs", decl.name));
                    let mod_rs = dir.join(&decl.name).join("mod.rs");
                    if file.is_file() {
                        Place {
                            path: file,
                            module,
                            dir,
                            relative: Some(decl.name.clone()),
                        }
                    } else if mod_rs.is_file() {
                        Place {
                            dir: dir.join(&decl.name),
                            path: mod_rs,
                            module,
                            relative: None,
                        }
                    } else {
                        continue;
                    }
                }
            };
            children.push(child);
        }
        reached.push(Reached {
            path: place.path,
            module: place.module,
        });
        // Depth first, in declaration order.
        queue.extend(children.into_iter().rev());
    }
    reached
}

/// `a/b/../c` as `a/c`: a `#[path]` with `..` names the file by its plain path, which is what
/// its label shows. (Only a symlinked folder before the `..` could make the two differ; the
/// boundary check resolves whatever is read.)
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A regular file's text (lossy), when it is small enough to scan.
fn read_text(path: &Path) -> Option<String> {
    let metadata = fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_SCANNED_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(MAX_SCANNED_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)], root: &str) -> (Vec<(String, String)>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        let ws = base.join("ws");
        for (path, text) in files {
            let path = base.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let mut outside = Vec::new();
        let reached = module_tree(&ws.join(root), &Boundary::workspace(&ws), &mut outside);
        let relative = |path: &Path| {
            path.strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        };
        (
            reached
                .iter()
                .map(|r| (relative(&r.path), r.module.join("::")))
                .collect(),
            outside.iter().map(|p| relative(p)).collect(),
        )
    }

    #[test]
    fn the_reference_s_path_rules() {
        let (reached, outside) = tree(
            &[
                (
                    "ws/src/lib.rs",
                    "mod a;\nmod m;\n#[path = \"other/c.rs\"] mod c;\nmod inline { mod i; #[path = \"p.rs\"] mod p; }\n#[path = \"dir\"] mod d { mod e; }\n#[path = \"../../out.rs\"] mod leak;\n",
                ),
                // A non-mod-rs file: its submodules are in `a/`.
                ("ws/src/a.rs", "mod b;\n#[path = \"sibling.rs\"] mod s;\nmod blk { #[path = \"deep.rs\"] mod deep; }\n"),
                ("ws/src/a/b.rs", ""),
                ("ws/src/sibling.rs", ""),
                ("ws/src/a/blk/deep.rs", ""),
                // A mod-rs file.
                ("ws/src/m/mod.rs", "mod n;\n"),
                ("ws/src/m/n.rs", ""),
                // A `#[path]` file counts as mod-rs: its submodules are its siblings.
                ("ws/src/other/c.rs", "mod sub;\n"),
                ("ws/src/other/sub.rs", ""),
                ("ws/src/inline/i.rs", ""),
                ("ws/src/inline/p.rs", ""),
                ("ws/src/dir/e.rs", ""),
                ("out.rs", "TOKEN=secret"),
            ],
            "src/lib.rs",
        );
        let expected = [
            ("ws/src/lib.rs", ""),
            ("ws/src/a.rs", "a"),
            ("ws/src/a/b.rs", "a::b"),
            ("ws/src/sibling.rs", "a::s"),
            ("ws/src/a/blk/deep.rs", "a::blk::deep"),
            ("ws/src/m/mod.rs", "m"),
            ("ws/src/m/n.rs", "m::n"),
            ("ws/src/other/c.rs", "c"),
            ("ws/src/other/sub.rs", "c::sub"),
            ("ws/src/inline/i.rs", "inline::i"),
            ("ws/src/inline/p.rs", "inline::p"),
            ("ws/src/dir/e.rs", "d::e"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, m)| (p.to_string(), m.to_string()))
            .collect();
        assert_eq!(reached, expected);
        assert_eq!(outside, ["out.rs"]);
    }

    #[test]
    fn a_cycle_of_path_modules_ends() {
        let (reached, _) = tree(
            &[
                ("ws/src/lib.rs", "#[path = \"lib.rs\"] mod again;\nmod a;\n"),
                ("ws/src/a.rs", "#[path = \"../lib.rs\"] mod up;\n"),
            ],
            "src/lib.rs",
        );
        assert_eq!(reached.len(), 2, "{reached:?}");
    }
}
