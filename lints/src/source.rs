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

/// The files of a run as the analysis reads them, for a caller that does not want to hold every
/// text in memory: the caller does the IO (this crate does none), when the analysis asks. Every
/// method may be called from worker threads, in any order.
pub trait Sources: Sync {
    /// How many files there are.
    fn count(&self) -> usize;

    /// The path label of file `index`, as its diagnostics name it.
    fn label(&self, index: usize) -> &str;

    /// The text of file `index`, or `None` when it cannot be analysed (the caller reports why).
    /// The analysis asks once per file to build the file's model, and holds no text after that:
    /// it asks again while the rules run only for a file a rule builds a suggestion for (and
    /// drops it when the file's rules are done).
    fn text(&self, index: usize) -> Option<String>;

    /// The text of file `index` again, once the rules have run, for a file findings point into
    /// (to turn byte offsets into lines and columns): a caller that renders the findings may
    /// keep these texts. The same as [`Sources::text`] unless the caller says otherwise.
    fn shown_text(&self, index: usize) -> Option<String> {
        self.text(index)
    }

    /// The crate file `index` belongs to (as a Rust identifier) and its module path there. Asked
    /// once every file is parsed: a caller may still be finding them out (from `cargo
    /// metadata`, say) while the files are parsed.
    fn place(&self, index: usize) -> (String, Vec<String>);
}

/// Files held in memory are sources too.
impl Sources for [SourceInput] {
    fn count(&self) -> usize {
        self.len()
    }

    fn label(&self, index: usize) -> &str {
        &self[index].path
    }

    fn text(&self, index: usize) -> Option<String> {
        Some(self[index].text.clone())
    }

    fn place(&self, index: usize) -> (String, Vec<String>) {
        (self[index].crate_name.clone(), self[index].module.clone())
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
