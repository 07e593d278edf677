//! Module paths follow the `mod` declarations from each crate root, `#[path]` included: a call
//! through a `#[path]` module resolves as it does without the attribute, and a file reached only
//! through `#[path]`, outside the target's source folder, is analysed.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const CALLEE: &str = "use tokio::io::AsyncReadExt;\n\npub async fn read_frame(socket: &mut tokio::net::TcpStream, buf: &mut [u8]) {\n    let _ = socket.read_exact(buf).await;\n}\n";

const CALLER: &str = "pub async fn pump(mut socket: tokio::net::TcpStream, mut control: tokio::sync::mpsc::Receiver<u32>) {\n    let mut header = [0u8; 4];\n    loop {\n        tokio::select! {\n            _ = crate::net::read_frame(&mut socket, &mut header) => {}\n            Some(limit) = control.recv() => println!(\"limit {limit}\"),\n        }\n    }\n}\n";

/// A crate in a temporary folder: `files` are (path, text), `Cargo.toml` is added.
fn krate(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// Short output of a run on the crate's workspace, and its exit code.
fn short(dir: &Path) -> (String, String, i32) {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir)
        .args(["--color", "never", "--no-deps-docs", "--no-cache"])
        .args(["--format", "short"])
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

/// The message of the finding in `src/app.rs` (`None` when there is none).
fn app_finding(stdout: &str) -> Option<&str> {
    stdout
        .lines()
        .find(|line| line.starts_with("src/app.rs:"))
        .map(|line| line.split_once(": ").unwrap().1)
}

#[test]
fn a_call_through_a_path_module_gives_the_finding_it_gives_without_the_attribute() {
    let plain = krate(&[
        ("src/lib.rs", "mod app;\nmod net;\n"),
        ("src/app.rs", CALLER),
        ("src/net.rs", CALLEE),
    ]);
    let (stdout, _, code) = short(plain.path());
    let expected = app_finding(&stdout)
        .expect("the call chain gives a finding")
        .to_string();
    assert_eq!(code, 1);
    assert!(expected.contains("is not cancel safe"), "{expected}");

    // The same module, in a file its name does not suggest.
    let renamed = krate(&[
        (
            "src/lib.rs",
            "mod app;\n#[path = \"transport/tcp_impl.rs\"]\nmod net;\n",
        ),
        ("src/app.rs", CALLER),
        ("src/transport/tcp_impl.rs", CALLEE),
    ]);
    let (stdout, stderr, code) = short(renamed.path());
    assert_eq!(
        app_finding(&stdout),
        Some(expected.as_str()),
        "{stdout}{stderr}"
    );
    assert_eq!(code, 1);

    // Inside an inline module of a non-mod-rs file, as the Reference places it.
    let inline = krate(&[
        ("src/lib.rs", "mod app;\nmod outer;\n"),
        (
            "src/app.rs",
            &CALLER.replace(
                "crate::net::read_frame",
                "crate::outer::inner::frames::read_frame",
            ),
        ),
        (
            "src/outer.rs",
            "pub mod inner {\n    #[path = \"wire.rs\"]\n    pub mod frames;\n}\n",
        ),
        ("src/outer/inner/wire.rs", CALLEE),
    ]);
    let (stdout, stderr, _) = short(inline.path());
    assert_eq!(
        app_finding(&stdout),
        Some(expected.as_str()),
        "{stdout}{stderr}"
    );
}

#[test]
fn a_file_reached_only_through_a_path_module_outside_src_is_analysed() {
    let dir = krate(&[
        (
            "src/lib.rs",
            "mod app;\n#[path = \"../shared/frames.rs\"]\nmod net;\n",
        ),
        ("src/app.rs", CALLER),
        // Outside `src/`, which is the only folder walked; its own bug is reported too.
        (
            "shared/frames.rs",
            &format!(
                "{CALLEE}\n{}",
                CALLER
                    .replace("crate::net::read_frame", "read_frame")
                    .replace("pump", "pump_here")
            ),
        ),
    ]);
    let (stdout, stderr, code) = short(dir.path());
    assert_eq!(code, 1);
    assert!(app_finding(&stdout).is_some(), "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("shared/frames.rs:")),
        "{stdout}"
    );
    // Human output counts it among the files.
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir.path())
        .args(["--color", "never", "--no-deps-docs", "--no-cache"])
        .output()
        .unwrap();
    let human = String::from_utf8(output.stdout).unwrap();
    assert!(human.ends_with("in 3 files\n"), "{human}");
}

/// Two packages in one folder, given as PATHs: `wire` (whose library is named `netwire`) and
/// `app`, which calls `netwire::read_frame` in a `select!`.
fn two_packages(lib_manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("wire/Cargo.toml", lib_manifest);
    write("wire/src/lib.rs", CALLEE);
    write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        "app/src/main.rs",
        &CALLER.replace("crate::net::read_frame", "netwire::read_frame"),
    );
    dir
}

fn short_paths(dir: &Path, paths: &[&str]) -> String {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir)
        .args([
            "--color",
            "never",
            "--no-deps-docs",
            "--no-cache",
            "--format",
            "short",
        ])
        .args(paths)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn with_paths_a_crate_is_named_as_its_manifest_names_its_library() {
    let named = two_packages(
        "[package]\nname = \"wire\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nname = \"netwire\"\n",
    );
    let stdout = short_paths(named.path(), &["wire/src", "app/src"]);
    assert!(
        stdout.starts_with("app/src/main.rs:5:17: warning[select_arm_not_cancel_safe]: `read_frame(..)` is not cancel safe"),
        "{stdout}"
    );
    // Without `[lib] name`, the library is `wire`: `netwire::read_frame` is nothing of the
    // workspace, so nothing is known about it.
    let unnamed =
        two_packages("[package]\nname = \"wire\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    assert_eq!(short_paths(unnamed.path(), &["wire/src", "app/src"]), "");
}

#[cfg(unix)]
#[test]
fn a_manifest_that_is_a_symlink_is_not_read_for_the_crate_name() {
    let dir = two_packages("");
    let real = dir.path().join("elsewhere.toml");
    fs::write(
        &real,
        "[package]\nname = \"wire\"\nversion = \"0.1.0\"\n\n[lib]\nname = \"netwire\"\n",
    )
    .unwrap();
    fs::remove_file(dir.path().join("wire/Cargo.toml")).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("wire/Cargo.toml")).unwrap();
    assert_eq!(short_paths(dir.path(), &["wire/src", "app/src"]), "");
}
