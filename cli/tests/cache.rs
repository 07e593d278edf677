//! The result cache never changes an answer: a cached run prints byte for byte what a
//! `--no-cache` run prints, with the same exit code, whatever changed since the last run.
//!
//! Each test builds a crate in a temporary folder and runs the real binary on it. The property
//! test at the end mutates random multi-file crates (`PROPTEST_CASES` raises its case count).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use tempfile::TempDir;

/// A crate in a temporary folder.
struct Crate {
    dir: TempDir,
}

impl Crate {
    fn new() -> Crate {
        let dir = tempfile::tempdir().unwrap();
        let krate = Crate { dir };
        krate.write(
            "Cargo.toml",
            "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        krate
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.path().join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn remove(&self, file: &str) {
        fs::remove_file(self.path().join(file)).unwrap();
    }

    /// The tool run in the crate's folder with `args`, without mining dependency docs.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .env_remove("CARGO_TARGET_DIR")
            .args(["--no-deps-docs", "--color", "never"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs cached and uncached and asserts that both print the same and exit the same; returns
    /// the (cached) stdout.
    fn assert_cache_agrees(&self, args: &[&str]) -> String {
        let cached = self.run(args);
        let mut fresh_args = args.to_vec();
        fresh_args.push("--no-cache");
        let fresh = self.run(&fresh_args);
        let text = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();
        assert_eq!(
            (text(&cached), cached.status.code()),
            (text(&fresh), fresh.status.code()),
            "cached (left) and uncached (right) runs differ; stderr: {}",
            String::from_utf8_lossy(&cached.stderr)
        );
        text(&cached)
    }
}

const PRELUDE: &str =
    "use tokio::io::AsyncReadExt;\nuse tokio::net::TcpStream;\nuse tokio::sync::mpsc;\n\n";

/// A select loop over a call of `callee`, which is not cancel safe when `callee` is.
fn caller(callee: &str) -> String {
    format!(
        "pub async fn pump(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {{\n    \
         let mut header = [0u8; 4];\n    loop {{\n        tokio::select! {{\n            \
         _ = {callee}(&mut socket, &mut header) => {{}}\n            \
         Some(limit) = control.recv() => println!(\"limit {{limit}}\"),\n        }}\n    }}\n}}\n"
    )
}

const SAFE_READ_FRAME: &str = "pub async fn read_frame(socket: &mut TcpStream, buf: &mut [u8]) {\n    let _ = socket.read(buf).await;\n}\n";
const LOSSY_READ_FRAME: &str = "pub async fn read_frame(socket: &mut TcpStream, buf: &mut [u8]) {\n    let _ = socket.read_exact(buf).await;\n}\n";

/// A select loop that loses a half-read header on tokio's `TcpStream`.
const LOSSY_LOOP: &str = "pub async fn direct(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {\n    let mut header = [0u8; 4];\n    loop {\n        tokio::select! {\n            read = socket.read_exact(&mut header) => { let _ = read; }\n            Some(limit) = control.recv() => println!(\"limit {limit}\"),\n        }\n    }\n}\n";

#[test]
fn a_renamed_import_sees_its_callee_turn_unsafe() {
    let krate = Crate::new();
    krate.write("src/lib.rs", "mod a;\nmod b;\n");
    krate.write(
        "src/a.rs",
        &format!(
            "{PRELUDE}use crate::b::read_frame as rf;\n\n{}",
            caller("rf")
        ),
    );
    krate.write("src/b.rs", &format!("{PRELUDE}{SAFE_READ_FRAME}"));
    let before = krate.assert_cache_agrees(&["--format", "short"]);
    assert_eq!(before, "", "the safe callee gives no finding");

    // `read_frame` turns unsafe; only b.rs changed, and a.rs calls it by another name.
    krate.write("src/b.rs", &format!("{PRELUDE}{LOSSY_READ_FRAME}"));
    let after = krate.assert_cache_agrees(&["--format", "short"]);
    assert!(
        after.starts_with("src/a.rs:") && after.contains("`rf(..)` is not cancel safe"),
        "{after}"
    );
}

#[test]
fn a_new_file_that_only_defines_a_type_is_seen_by_the_others() {
    let krate = Crate::new();
    krate.write("src/lib.rs", "mod a;\n");
    krate.write("src/a.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    let before = krate.assert_cache_agrees(&["--format", "short"]);
    assert!(before.starts_with("src/a.rs:"), "{before}");

    // A file that only declares a type (which shadows tokio's in today's resolution) is added,
    // then removed: each time the other file's findings follow what a fresh run says.
    krate.write("src/shadow.rs", "pub struct TcpStream;\n");
    krate.assert_cache_agrees(&["--format", "short"]);
    krate.remove("src/shadow.rs");
    let back = krate.assert_cache_agrees(&["--format", "short"]);
    assert_eq!(back, before);
}

#[test]
fn an_unchanged_run_reuses_the_stored_findings() {
    let krate = Crate::new();
    krate.write("src/lib.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    let first = krate.run(&["--format", "short"]);
    assert_eq!(first.status.code(), Some(1));
    let cache = krate
        .path()
        .join("target/cancel-check/cache/results-v3.json");
    let text = fs::read_to_string(&cache).expect("the first run writes the cache");
    assert!(text.contains("is not cancel safe"), "{text}");
    // The stored findings are what an identical run prints: a forged message shows.
    fs::write(&cache, text.replace("is not cancel safe", "FROM THE CACHE")).unwrap();
    let second = krate.run(&["--format", "short"]);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("FROM THE CACHE"),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    // Any change to the run (a file's bytes, the configuration) analyses everything again.
    krate.write("src/lib.rs", &format!("{PRELUDE}// edited\n{LOSSY_LOOP}"));
    let edited = krate.run(&["--format", "short"]);
    assert!(
        !String::from_utf8_lossy(&edited.stdout).contains("FROM THE CACHE"),
        "{}",
        String::from_utf8_lossy(&edited.stdout)
    );
    let text = fs::read_to_string(&cache).unwrap();
    fs::write(&cache, text.replace("is not cancel safe", "FROM THE CACHE")).unwrap();
    let configured = krate.run(&["--format", "short", "-W", "detached_spawn"]);
    assert!(
        !String::from_utf8_lossy(&configured.stdout).contains("FROM THE CACHE"),
        "{}",
        String::from_utf8_lossy(&configured.stdout)
    );
}

#[test]
fn another_build_of_the_tool_does_not_reuse_the_stored_findings() {
    let krate = Crate::new();
    krate.write("src/lib.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    assert_eq!(krate.run(&["--format", "short"]).status.code(), Some(1));
    let cache = krate
        .path()
        .join("target/cancel-check/cache/results-v3.json");
    let text = fs::read_to_string(&cache).unwrap();
    fs::write(&cache, text.replace("is not cancel safe", "FROM THE CACHE")).unwrap();
    // The same build reuses them...
    let same = krate.run(&["--format", "short"]);
    assert!(String::from_utf8_lossy(&same.stdout).contains("FROM THE CACHE"));
    // ...a copy of the binary (another file, as a rebuild is) analyses again.
    let bin = tempfile::tempdir().unwrap();
    let copy = bin.path().join("cargo-cancel-check");
    fs::copy(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"), &copy).unwrap();
    let mut appended = fs::OpenOptions::new().append(true).open(&copy).unwrap();
    std::io::Write::write_all(&mut appended, b"\0another build").unwrap();
    drop(appended);
    let other = Command::new(&copy)
        .current_dir(krate.path())
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TARGET_DIR")
        .args(["--no-deps-docs", "--color", "never", "--format", "short"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&other.stdout);
    assert!(
        stdout.contains("is not cancel safe") && !stdout.contains("FROM THE CACHE"),
        "{stdout}"
    );
}

#[test]
fn suggestions_come_back_from_the_cache_as_they_were() {
    let krate = Crate::new();
    krate.write(
        "src/lib.rs",
        "use std::future::Future;\nuse std::pin::Pin;\n\npub fn fetch() -> Pin<Box<dyn Future<Output = u8>>> {\n    Box::pin(async { 1 })\n}\n",
    );
    // The first run stores; the second reads what the first stored.
    krate.run(&["--format", "json"]);
    let json = krate.assert_cache_agrees(&["--format", "json"]);
    assert!(
        json.contains("\"suggested_replacement\":\" + Send\",\"suggestion_applicability\":\"MachineApplicable\""),
        "{json}"
    );
    let human = krate.assert_cache_agrees(&[]);
    assert!(
        human.contains("help: add `+ Send` (`--fix` applies it)"),
        "{human}"
    );
}

#[test]
fn the_cache_folder_is_marked_as_a_cache() {
    let krate = Crate::new();
    krate.write("src/lib.rs", "pub fn f() {}\n");
    assert_eq!(krate.run(&[]).status.code(), Some(0));
    let dir = krate.path().join("target/cancel-check");
    assert_eq!(fs::read_to_string(dir.join(".gitignore")).unwrap(), "*\n");
    let tag = fs::read_to_string(dir.join("CACHEDIR.TAG")).unwrap();
    assert!(
        tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55"),
        "{tag}"
    );
}

/// Replaces a cache file by a FIFO: a run must neither block on it nor fail.
#[cfg(unix)]
fn make_fifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Runs the tool with a deadline: a run that hangs is killed and the test fails.
fn run_with_deadline(krate: &Crate, args: &[&str]) -> Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(krate.path())
        .env_remove("CARGO_TARGET_DIR")
        .args(["--color", "never"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "the run hangs; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_symlink_to_dev_zero_in_place_of_the_cache_is_not_read() {
    let krate = Crate::new();
    krate.write("src/lib.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    let expected = krate.run(&["--format", "short", "--no-cache"]);
    let cache = krate
        .path()
        .join("target/cancel-check/cache/results-v3.json");

    make_fifo(&cache);
    let output = run_with_deadline(&krate, &["--no-deps-docs", "--format", "short"]);
    assert_eq!(output.stdout, expected.stdout);
    assert_eq!(output.status.code(), Some(1));

    let _ = fs::remove_file(&cache);
    std::os::unix::fs::symlink("/dev/zero", &cache).unwrap();
    let output = run_with_deadline(&krate, &["--no-deps-docs", "--format", "short"]);
    assert_eq!(output.stdout, expected.stdout);
    assert_eq!(output.status.code(), Some(1));
    // The symlink is not followed for the write either: /dev/zero is not replaced, the link is.
    assert!(Path::new("/dev/zero").exists());
}

#[test]
fn a_huge_cache_file_is_ignored() {
    let krate = Crate::new();
    krate.write("src/lib.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    let expected = krate.run(&["--format", "short", "--no-cache"]);
    let cache = krate
        .path()
        .join("target/cancel-check/cache/results-v3.json");
    fs::create_dir_all(cache.parent().unwrap()).unwrap();
    // Over the size limit (256 MiB), as a sparse file: costs no disk.
    let file = fs::File::create(&cache).unwrap();
    file.set_len(300 << 20).unwrap();
    drop(file);
    let output = run_with_deadline(&krate, &["--no-deps-docs", "--format", "short"]);
    assert_eq!(output.stdout, expected.stdout);
}

#[test]
fn concurrent_runs_do_not_share_a_temporary_file() {
    let krate = Crate::new();
    krate.write("src/lib.rs", &format!("{PRELUDE}{LOSSY_LOOP}"));
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
                .current_dir(krate.path())
                .env_remove("CARGO_TARGET_DIR")
                .args(["--no-deps-docs", "--color", "never", "--format", "short"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    }
    let dir = krate.path().join("target/cancel-check/cache");
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["results-v3.json"], "no temporary file is left");
    let text = fs::read_to_string(dir.join("results-v3.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).expect("the cache is valid JSON");
}

// ---- the property ----

/// One item of a generated module.
#[derive(Clone, Debug)]
enum Item {
    /// `pub async fn f<n>`, cancel safe or not.
    Callee { n: u8, lossy: bool },
    /// A select loop over a call of `f<n>` of module `m<module>`, by path, by import or by an
    /// import renamed to `r<n>`.
    Caller { module: u8, n: u8, how: u8 },
    /// A select loop over tokio's `read_exact`.
    Direct,
    /// `pub struct TcpStream;` (shadows tokio's in today's resolution).
    Shadow,
    /// `mod inner;` with a file of its own (a callee).
    Inner { lossy: bool },
    /// A suppression comment on the next item.
    Allow,
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (0u8..3, any::<bool>()).prop_map(|(n, lossy)| Item::Callee { n, lossy }),
        (0u8..3, 0u8..3, 0u8..3).prop_map(|(module, n, how)| Item::Caller { module, n, how }),
        Just(Item::Direct),
        Just(Item::Shadow),
        any::<bool>().prop_map(|lossy| Item::Inner { lossy }),
        Just(Item::Allow),
    ]
}

/// A module file `src/m<i>.rs` is a list of items.
type Module = Vec<Item>;

fn module() -> impl Strategy<Value = Module> {
    proptest::collection::vec(item(), 0..5)
}

/// What changes between the two runs.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace (or append) an item of a module.
    Edit { module: u8, at: u8, item: Item },
    /// Add a module (declared in lib.rs or not).
    Add { items: Module, declared: bool },
    /// Remove a module's file.
    Remove { module: u8 },
    /// Rename every import alias `r<n>` of a module to `q<n>`, or back.
    RenameImports { module: u8 },
    /// Swap a callee between cancel safe and not.
    Flip { module: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0u8..4, 0u8..6, item()).prop_map(|(module, at, item)| Mutation::Edit { module, at, item }),
        (module(), any::<bool>()).prop_map(|(items, declared)| Mutation::Add { items, declared }),
        (0u8..4).prop_map(|module| Mutation::Remove { module }),
        (0u8..4).prop_map(|module| Mutation::RenameImports { module }),
        (0u8..4).prop_map(|module| Mutation::Flip { module }),
    ]
}

/// Renders the crate: `src/lib.rs` declares the modules, `src/m<i>.rs` holds each.
fn render(krate: &Crate, modules: &[Option<Module>], declared: &[bool], alias: &[&str]) {
    let mut lib = String::new();
    for (index, module) in modules.iter().enumerate() {
        let file = format!("src/m{index}.rs");
        let inner_dir = format!("src/m{index}");
        let _ = fs::remove_dir_all(krate.path().join(&inner_dir));
        let Some(items) = module else {
            let _ = fs::remove_file(krate.path().join(&file));
            continue;
        };
        if declared[index] {
            lib.push_str(&format!("pub mod m{index};\n"));
        }
        let mut text = String::from(PRELUDE);
        for (at, item) in items.iter().enumerate() {
            text.push_str(&render_item(krate, index, at, item, alias[index]));
        }
        krate.write(&file, &text);
    }
    krate.write("src/lib.rs", &lib);
}

fn render_item(krate: &Crate, module: usize, at: usize, item: &Item, alias: &str) -> String {
    let body = |lossy: bool| if lossy { "read_exact" } else { "read" };
    match item {
        Item::Callee { n, lossy } => format!(
            "pub async fn f{n}(socket: &mut TcpStream, buf: &mut [u8]) {{\n    let _ = socket.{}(buf).await;\n}}\n",
            body(*lossy)
        ),
        Item::Caller { module: target, n, how } => {
            let (import, callee) = match how {
                0 => (String::new(), format!("crate::m{target}::f{n}")),
                1 => (format!("use crate::m{target}::f{n};\n"), format!("f{n}")),
                _ => (
                    format!("use crate::m{target}::f{n} as {alias}{n};\n"),
                    format!("{alias}{n}"),
                ),
            };
            let text = caller(&callee).replace("pub async fn pump", &format!("pub async fn pump{at}"));
            format!("{import}{text}")
        }
        Item::Direct => LOSSY_LOOP.replace("pub async fn direct", &format!("pub async fn direct{at}")),
        Item::Shadow => "pub struct TcpStream;\n".to_string(),
        Item::Inner { lossy } => {
            krate.write(
                &format!("src/m{module}/inner{at}.rs"),
                &format!(
                    "{PRELUDE}pub async fn f0(socket: &mut TcpStream, buf: &mut [u8]) {{\n    let _ = socket.{}(buf).await;\n}}\n{}",
                    body(*lossy),
                    caller("f0")
                ),
            );
            format!("pub mod inner{at};\n")
        }
        Item::Allow => "// cancel-check: allow(select_arm_not_cancel_safe) -- generated\n".to_string(),
    }
}

/// The state of a generated crate between runs.
struct Generated {
    modules: Vec<Option<Module>>,
    declared: Vec<bool>,
    alias: Vec<&'static str>,
}

impl Generated {
    fn apply(&mut self, mutation: &Mutation) {
        let count = self.modules.len();
        match mutation {
            Mutation::Edit { module, at, item } => {
                if let Some(items) = self.modules[usize::from(*module) % count].as_mut() {
                    let at = usize::from(*at);
                    if at < items.len() {
                        items[at] = item.clone();
                    } else {
                        items.push(item.clone());
                    }
                }
            }
            Mutation::Add { items, declared } => {
                self.modules.push(Some(items.clone()));
                self.declared.push(*declared);
                self.alias.push("r");
            }
            Mutation::Remove { module } => self.modules[usize::from(*module) % count] = None,
            Mutation::RenameImports { module } => {
                let alias = &mut self.alias[usize::from(*module) % count];
                *alias = if *alias == "r" { "q" } else { "r" };
            }
            Mutation::Flip { module } => {
                if let Some(items) = self.modules[usize::from(*module) % count].as_mut() {
                    for item in items {
                        if let Item::Callee { lossy, .. } | Item::Inner { lossy } = item {
                            *lossy = !*lossy;
                        }
                    }
                }
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(6)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Keep failures in the test output, not in files next to this one.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn cached_and_uncached_runs_print_the_same(
        modules in proptest::collection::vec(module(), 1..4),
        declared in proptest::collection::vec(any::<bool>(), 4),
        mutations in proptest::collection::vec(mutation(), 1..4),
        format in proptest::sample::select(vec!["human", "short", "json"]),
        on_paths in any::<bool>(),
    ) {
        let krate = Crate::new();
        let count = modules.len();
        let mut generated = Generated {
            modules: modules.into_iter().map(Some).collect(),
            declared: declared[..count].to_vec(),
            alias: vec!["r"; count],
        };
        // The workspace (through `cargo metadata`), or `src` as a PATH (faster: no cargo).
        let args: Vec<&str> = if on_paths {
            vec!["--format", format, "src"]
        } else {
            vec!["--format", format]
        };
        render(&krate, &generated.modules, &generated.declared, &generated.alias);
        krate.assert_cache_agrees(&args);
        for mutation in &mutations {
            generated.apply(mutation);
            render(&krate, &generated.modules, &generated.declared, &generated.alias);
            // The run after the change, then an unchanged run (which reuses what it stored).
            krate.assert_cache_agrees(&args);
            krate.assert_cache_agrees(&args);
        }
    }
}
