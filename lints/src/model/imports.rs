//! The file's `use` items: what each imported name stands for, and the glob imports.
//! Resolution is syntactic: enough to find `select!`, `timeout` and `sleep` under any import.

use foldhash::HashMap;

use syn::{UseTree, Visibility};

/// Names brought into scope by `use` items anywhere in the file.
#[derive(Debug, Default)]
pub struct Imports {
    /// Local name (or rename) -> full path.
    names: HashMap<String, String>,
    /// Prefixes of glob imports (`use tokio::time::*` gives `tokio::time`).
    globs: Vec<String>,
}

impl Imports {
    /// Records a `use` item.
    pub fn add_use(&mut self, tree: &UseTree, _vis: &Visibility) {
        self.add_tree(String::new(), tree);
    }

    fn add_tree(&mut self, prefix: String, tree: &UseTree) {
        let join = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}::{name}")
            }
        };
        match tree {
            UseTree::Path(path) => self.add_tree(join(&path.ident.to_string()), &path.tree),
            UseTree::Name(name) => {
                let ident = name.ident.to_string();
                if ident == "self" {
                    if let Some(last) = prefix.rsplit("::").next() {
                        self.names.insert(last.to_string(), normalise(&prefix));
                    }
                } else {
                    self.names.insert(ident.clone(), normalise(&join(&ident)));
                }
            }
            UseTree::Rename(rename) => {
                let target = rename.ident.to_string();
                let full = if target == "self" {
                    prefix.clone()
                } else {
                    join(&target)
                };
                self.names
                    .insert(rename.rename.to_string(), normalise(&full));
            }
            UseTree::Glob(_) => self.globs.push(normalise(&prefix)),
            UseTree::Group(group) => {
                for item in &group.items {
                    self.add_tree(prefix.clone(), item);
                }
            }
        }
    }

    /// The full path a path written in this file may stand for. The first segment is replaced
    /// by what it was imported as; `::`, `crate::` and well-known re-export crates are
    /// normalised (`futures_util` is `futures`).
    pub fn expand(&self, segments: &[String]) -> String {
        let Some(first) = segments.first() else {
            return String::new();
        };
        let head = self
            .names
            .get(first)
            .cloned()
            .unwrap_or_else(|| first.clone());
        let mut full = head;
        for segment in &segments[1..] {
            full.push_str("::");
            full.push_str(segment);
        }
        normalise(&full)
    }

    /// Whether a written path resolves to one of `targets` (full paths like
    /// `tokio::time::timeout`). A single unimported name also matches through glob imports.
    pub fn resolves_to<'t>(&self, segments: &[String], targets: &[&'t str]) -> Option<&'t str> {
        let full = self.expand(segments);
        if let Some(target) = targets.iter().find(|target| **target == full) {
            return Some(target);
        }
        if segments.len() == 1 && !self.names.contains_key(&segments[0]) {
            for glob in &self.globs {
                let candidate = format!("{glob}::{}", segments[0]);
                if let Some(target) = targets.iter().find(|target| **target == candidate) {
                    return Some(target);
                }
            }
        }
        None
    }
}

/// The identifiers of a path as written: `tokio::time::sleep` gives `["tokio", "time", "sleep"]`.
pub fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

/// Maps re-exporting crates onto the crate users usually name, and drops `::`/`crate::` noise.
fn normalise(path: &str) -> String {
    let path = path.trim_start_matches("::");
    for (from, to) in [
        ("futures_util::", "futures::"),
        ("futures_lite::", "futures::"),
        ("tokio_stream::", "tokio_stream::"),
    ] {
        if let Some(rest) = path.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Imports {
        let file: syn::File = syn::parse_str(src).unwrap();
        let mut imports = Imports::default();
        for item in &file.items {
            if let syn::Item::Use(item) = item {
                imports.add_use(&item.tree, &item.vis);
            }
        }
        imports
    }

    fn segs(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn resolves_plain_renamed_grouped_and_glob_imports() {
        let imports = imports(
            "use tokio::time::{self, timeout as deadline}; use futures_util::future::select; use tokio::sync::*;",
        );
        let targets = [
            "tokio::time::timeout",
            "tokio::time::sleep",
            "futures::future::select",
            "tokio::sync::Notify",
        ];
        assert_eq!(
            imports.resolves_to(&segs("deadline"), &targets),
            Some("tokio::time::timeout")
        );
        assert_eq!(
            imports.resolves_to(&segs("time::sleep"), &targets),
            Some("tokio::time::sleep")
        );
        assert_eq!(
            imports.resolves_to(&segs("select"), &targets),
            Some("futures::future::select")
        );
        assert_eq!(
            imports.resolves_to(&segs("Notify"), &targets),
            Some("tokio::sync::Notify")
        );
        assert_eq!(imports.resolves_to(&segs("timeout"), &targets), None);
        assert_eq!(
            imports.resolves_to(&segs("tokio::time::sleep"), &targets),
            Some("tokio::time::sleep")
        );
    }
}
