//! What the analysis takes in: source files with their place in their crate.

/// One source file given to the analysis.
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The label used in diagnostics (a path relative to the workspace root, or as given).
    pub path: String,
    pub text: String,
    /// The crate the file belongs to, as a Rust identifier (`my_crate`).
    pub crate_name: String,
    /// The file's module path inside its crate (see [`module_path`]).
    pub module: Vec<String>,
}

impl SourceInput {
    /// A file of its own: crate `crate`, module taken from the file name.
    pub fn standalone(path: &str, text: &str) -> SourceInput {
        SourceInput {
            path: path.to_string(),
            text: text.to_string(),
            crate_name: "crate".to_string(),
            module: Vec::new(),
        }
    }
}

/// The module path of a file from its path relative to the crate's source root
/// (`lib.rs` and `main.rs` are the root; `net/conn.rs` and `net/conn/mod.rs` are `net::conn`).
pub fn module_path(relative: &str) -> Vec<String> {
    let relative = relative.replace('\\', "/");
    let mut parts: Vec<String> = relative
        .split('/')
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_string();
        let is_root = parts.is_empty() && matches!(stem.as_str(), "lib" | "main");
        if stem != "mod" && !is_root {
            parts.push(stem);
        }
    }
    parts
}
