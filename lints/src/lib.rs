//! cancel-check's analysis: the source model, the cancel-safety knowledge base and the rules.
//!
//! Architecture invariant: this crate does no IO. It takes `(path label, source text, config)`
//! and returns data; it never prints, reads files or reads the environment.

pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod knowledge;
pub mod lint;
pub(crate) mod model;
pub mod module_decls;
pub mod registry;
pub(crate) mod rules;
pub mod span;
pub(crate) mod syntax;

mod analysis;
mod parse;
mod source;
mod suppress;

pub use analysis::{
    analyze_file, analyze_files, analyze_files_with_progress, analyze_sources, file_error,
    NoProgress, Progress, MAX_FILE_BYTES, PARSE_BUDGET_BYTES,
};
pub use config::Config;
pub use diagnostic::{Applicability, Diagnostic, Edit, Label, Suggestion};
pub use lint::{Level, Lint};
pub use model::TRACKED_METHODS;
pub use parse::MAX_NESTING;
pub use registry::{
    closest_lint, closest_lint_or_group, find_group, find_lint, lint_by_name, Group, GROUPS, LINTS,
};
pub use source::{module_path, SourceInput, Sources};
pub use span::Span;
pub use suppress::{allow_comments, AllowComments, ALLOW_REASON};
