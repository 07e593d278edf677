//! `cargo cancel-check`: the binary's side of cancel-check. It reads files, discovers the cargo
//! workspace, renders the output formats and owns the exit codes; the analysis itself is the
//! `cancel-check-lints` library, which does no IO.

pub mod analyze;
pub mod api;
pub mod args;
pub mod baseline;
pub mod boundary;
pub mod cache;
pub mod config;
pub mod deps;
pub mod escape;
pub mod explain;
pub mod fingerprint;
pub mod fix;
pub mod links;
pub mod modules;
pub mod process;
pub mod render;
pub mod run;
pub mod stderr;
pub mod with_cargo;
pub mod workspace;

pub use run::{is_broken_pipe, run, FAILURE};
