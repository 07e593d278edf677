//! Benchmark: the analysis against a parse-only pass over the same files (the floor).
//!
//! ```text
//! cargo run --release -p cancel-check-lints --example bench -- $(../shared/corpus/sources.sh --direct)
//! ```
//!
//! Reads every `*.rs` file under the given folders into memory first (IO is not measured), then
//! on one thread times `syn::parse_file` alone and the full `analyze_files` over all files together,
//! best of `--runs N` (default 3), and prints both and their ratio.

use std::time::{Duration, Instant};

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{analyze_files, Config, SourceInput};

fn main() {
    let mut runs = 3;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
        } else {
            dirs.push(arg);
        }
    }
    let mut files = Vec::new();
    for dir in &dirs {
        let walk = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !is_hidden_or_target(entry.file_name().to_string_lossy().as_ref())
            });
        for entry in walk.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                if let Ok(text) = std::fs::read_to_string(path) {
                    files.push((path.display().to_string(), text));
                }
            }
        }
    }
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    println!("{} files, {:.1} MB", files.len(), bytes as f64 / 1e6);

    let config = Config::default();
    let parse = best_of(runs, || {
        for (_, text) in &files {
            let _ = std::hint::black_box(syn::parse_file(text));
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    });
    // The whole pipeline over all files at once (per-file models, workspace summaries, rules),
    // on a pool of one thread so that it compares with the single-threaded floor.
    let inputs: Vec<SourceInput> = files
        .iter()
        .map(|(path, text)| SourceInput::standalone(path, text))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(64 << 20)
        .build()
        .expect("a thread pool");
    let mut findings = 0;
    let analyze = best_of(runs, || {
        findings = pool.install(|| {
            std::hint::black_box(analyze_files(&inputs, &config, Knowledge::builtin())).len()
        });
    });
    println!("parse only (floor): {:>8.1} ms", parse.as_secs_f64() * 1e3);
    println!(
        "full analysis:      {:>8.1} ms  ({findings} findings)",
        analyze.as_secs_f64() * 1e3
    );
    println!(
        "ratio to the floor: {:>8.2}",
        analyze.as_secs_f64() / parse.as_secs_f64()
    );
}

fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn is_hidden_or_target(name: &str) -> bool {
    name == "target" || name.starts_with('.')
}
