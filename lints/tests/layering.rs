//! The library's modules form layers, and no module imports from a layer above its own: the rules
//! ask the model, the model asks the knowledge base, and none of them reaches up into the
//! registry, the suppression pass or the driver. A `crate::<module>` path in non-test code of a
//! lower layer than `<module>`'s fails this test.

use std::path::{Path, PathBuf};

/// The layer of each top-level module of `lints/src`, lowest first.
const LAYERS: &[(&str, usize)] = &[
    ("span", 0),
    ("lint", 0),
    ("diagnostic", 0),
    ("config", 0),
    ("source", 0),
    ("syntax", 0),
    ("module_decls", 0),
    ("parse", 1),
    ("fix", 1),
    ("knowledge", 1),
    ("model", 2),
    ("rules", 3),
    ("registry", 4),
    ("suppress", 5),
    ("analysis", 6),
    ("lib", 6),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut upward = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let own = layer_of(&top).unwrap_or_else(|| panic!("{top} has no layer in LAYERS"));
        let text = std::fs::read_to_string(path).unwrap();
        // Test modules may build whatever they need.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for (number, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices("crate::") {
                // A string that starts with the word (`strip_prefix("crate::")`) is not a path.
                if line[..at].ends_with('"') {
                    continue;
                }
                let rest = &line[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let Some(used) = layer_of(&name) else {
                    panic!(
                        "{}:{}: `crate::{name}` is not a module of LAYERS",
                        relative.display(),
                        number + 1
                    );
                };
                if used > own {
                    upward.push(format!(
                        "{}:{}: `{top}` (layer {own}) uses `crate::{name}` (layer {used})",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}
