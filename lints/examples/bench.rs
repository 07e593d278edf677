//! Benchmark: the analysis against a parse-only pass over the same files (the floor).
//!
//! ```text
//! cargo run --release -p cancel-check-lints --example bench -- $(../shared/corpus/sources.sh --direct)
//! ```
//!
//! Reads every `*.rs` file under the given folders into memory first (IO is not measured), then
//! on one thread times `syn::parse_file` alone and the full `analyze_files` over all files together,
//! best of `--runs N` (default 3), and prints both and their ratio; then the full analysis on two
//! threads and the speedup, and the peak RSS (which includes holding every file's text).
//!
//! `--only parse` or `--only full` runs that one pass once, on one thread, and prints nothing but
//! the file count: for instruction counts that do not depend on the machine's load
//! (`valgrind --tool=callgrind target/release/examples/bench --only full <dirs>`). `--only read`
//! only reads the files, to subtract what both spend before their pass.

use std::time::{Duration, Instant};

/// The binary's allocator, so that the floor and the analysis are measured as users run them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{analyze_files, Config, SourceInput};

fn main() {
    let mut runs = 3;
    let mut only = None;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
        } else if arg == "--only" {
            only = args.next();
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
    match only.as_deref() {
        // Reading alone: what `--only parse` and `--only full` both spend before their pass.
        Some("read") => return,
        Some("parse") => {
            for (_, text) in &files {
                let _ = std::hint::black_box(syn::parse_file(text));
                proc_macro2::extra::invalidate_current_thread_spans();
            }
            return;
        }
        Some("full") => {
            let inputs: Vec<SourceInput> = files
                .iter()
                .map(|(path, text)| SourceInput::standalone(path, text))
                .collect();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(64 << 20)
                .build()
                .expect("a thread pool");
            pool.install(|| {
                std::hint::black_box(analyze_files(&inputs, &config, Knowledge::builtin()));
            });
            return;
        }
        Some(other) => panic!("--only takes `read`, `parse` or `full`, not `{other}`"),
        None => {}
    }
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
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(64 << 20)
            .build()
            .expect("a thread pool")
    };
    let (one, two) = (pool(1), pool(2));
    let mut findings = 0;
    let analyze = best_of(runs, || {
        findings = one.install(|| {
            std::hint::black_box(analyze_files(&inputs, &config, Knowledge::builtin())).len()
        });
    });
    let parallel = best_of(runs, || {
        two.install(|| {
            std::hint::black_box(analyze_files(&inputs, &config, Knowledge::builtin()));
        });
    });
    println!("parse only (floor):  {:>8.1} ms", parse.as_secs_f64() * 1e3);
    println!(
        "full analysis, 1 job: {:>7.1} ms  ({findings} findings)",
        analyze.as_secs_f64() * 1e3
    );
    println!(
        "ratio to the floor:  {:>8.2}",
        analyze.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "full analysis, 2 jobs: {:>6.1} ms  (speedup {:.2}x)",
        parallel.as_secs_f64() * 1e3,
        analyze.as_secs_f64() / parallel.as_secs_f64()
    );
    if let Some(peak) = peak_rss_kb() {
        println!("peak RSS:            {:>8.1} MB", peak as f64 / 1024.0);
    }
}

/// The process's peak resident set (Linux `VmHWM`), in KB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
