//! The output does not depend on how the run went: every format prints byte for byte the same,
//! with the same exit code, on one thread or several, with or without the result cache (cold or
//! warm), on a workspace or on PATHs. The crate has findings in several files, a finding whose
//! secondary label is in another file, a finding with a suggestion (the rules read its file's
//! text again to build it), a file that does not parse, a file that is not UTF-8 and a file over
//! the size limit.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

const PRELUDE: &str = "use tokio::io::AsyncReadExt;\nuse tokio::net::TcpStream;\n";

/// A crate whose `lib.rs` races, in a loop, a chain of calls that ends in another file.
fn write_crate(dir: &Path) {
    let write = |file: &str, text: &str| {
        let path = dir.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\npath = \"src/lib.rs\"\n",
    );
    write(
        "src/lib.rs",
        &format!(
            "{PRELUDE}mod chain;\nmod guard;\nmod broken;\nmod latin;\nmod generated;\n\n\
             pub async fn pump(mut s: TcpStream, mut rx: tokio::sync::mpsc::Receiver<()>) {{\n    \
             loop {{\n        tokio::select! {{\n            _ = chain::first(&mut s) => {{}}\n            \
             _ = rx.recv() => {{}}\n        }}\n    }}\n}}\n\n\
             pub async fn again(mut s: TcpStream, mut rx: tokio::sync::mpsc::Receiver<()>) {{\n    \
             let mut b = [0u8; 2];\n    loop {{\n        tokio::select! {{\n            \
             _ = s.read_exact(&mut b) => {{}}\n            _ = rx.recv() => {{}}\n        }}\n    }}\n}}\n"
        ),
    );
    let mut chain = PRELUDE.to_string();
    for index in 0..40 {
        chain.push_str(&format!(
            "pub async fn step{index}(s: &mut TcpStream) {{\n    step{}(s).await;\n}}\n",
            index + 1
        ));
    }
    chain.push_str(
        "pub async fn step40(s: &mut TcpStream) {\n    let mut b = [0u8; 4];\n    \
         s.read_exact(&mut b).await.unwrap();\n}\n\
         pub async fn first(s: &mut TcpStream) {\n    step0(s).await;\n}\n",
    );
    write("src/chain.rs", &chain);
    write(
        "src/guard.rs",
        "pub async fn bump(m: &std::sync::Mutex<u32>) {\n    let mut g = m.lock().unwrap();\n    \
         *g += 1;\n    tokio::task::yield_now().await;\n}\n",
    );
    write(
        "src/broken.rs",
        "pub fn half(count: usize) -> {\n    count\n}\n",
    );
    fs::write(dir.join("src/latin.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    let generated = fs::File::create(dir.join("src/generated.rs")).unwrap();
    generated.set_len(20 << 20).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TARGET_DIR")
        .args(["--no-deps-docs", "--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_format_prints_the_same_whatever_the_jobs_and_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    write_crate(dir.path());
    for target in [None, Some("src")] {
        for format in ["short", "human", "json", "sarif", "github", "gitlab"] {
            let mut base = vec!["--message-format", format];
            base.extend(target);
            let with = |extra: &[&'static str]| {
                let mut args = base.clone();
                args.extend(extra);
                args
            };
            let reference = run(dir.path(), &with(&["-j", "1", "--no-cache"]));
            assert_eq!(reference.status.code(), Some(1), "{format} {target:?}");
            let stdout = String::from_utf8_lossy(&reference.stdout).into_owned();
            let mut shown = vec![
                "lib.rs",
                "guard.rs",
                "broken.rs",
                "latin.rs",
                "generated.rs",
            ];
            if matches!(format, "human" | "json" | "sarif") {
                // The secondary label at the end of the chain.
                shown.push("chain.rs");
            }
            if format == "json" {
                // The guard's statements in a block before the await: a quick fix.
                assert!(
                    stdout.contains("\"suggested_replacement\":"),
                    "{target:?}: no suggestion in\n{stdout}"
                );
            }
            for file in shown {
                assert!(
                    stdout.contains(file),
                    "{format} {target:?}: no {file} in\n{stdout}"
                );
            }
            let runs: [&[&'static str]; 5] = [
                &["-j", "2", "--no-cache"],
                &["-j", "4", "--no-cache"],
                // The cache cold, then warm, on one thread and on two.
                &["-j", "2"],
                &["-j", "2"],
                &["-j", "1"],
            ];
            for extra in runs {
                let output = run(dir.path(), &with(extra));
                assert_eq!(
                    (
                        String::from_utf8_lossy(&output.stdout),
                        output.status.code()
                    ),
                    (stdout.as_str().into(), Some(1)),
                    "{format} {target:?} {extra:?} differs from `-j 1 --no-cache`; stderr: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            let _ = fs::remove_dir_all(dir.path().join("target"));
        }
    }
}
