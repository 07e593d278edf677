//! The quick fixes in a real editor session: the real rust-analyzer, driven over LSP (JSON-RPC
//! on its stdin and stdout), runs cancel-check as its check command on a small crate; the test
//! waits for our finding among the published diagnostics, asks for the code actions at it,
//! applies the quick fix's edits as an editor would, and checks with the tool that the finding
//! is gone.
//!
//! rust-analyzer is rustup's component: the test adds it (`rustup component add rust-analyzer`)
//! when `rustup which rust-analyzer` does not find it. That installs a tool (over the network),
//! so the test is `#[ignore]`d in the README's `cargo test --workspace --locked`; `.ci/run`
//! runs it right after (`-- --ignored`). Once the component is there it takes a few seconds.
//! Without rustup, or when the component cannot be added, it fails and says so: it is never
//! skipped.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long rust-analyzer may take to load the crate and run the check command.
const PATIENCE: Duration = Duration::from_secs(180);

const LIB: &str = "use std::future::Future;\nuse std::pin::Pin;\nuse std::sync::Mutex;\n\n/// A boxed future without `Send`.\npub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize>>> {\n    Box::pin(async move { url.len() })\n}\n\n/// A guard held across an await.\npub async fn record(log: &Mutex<Vec<String>>, line: String) {\n    let mut entries = log.lock().unwrap();\n    entries.push(line);\n    std::future::ready(()).await;\n}\n\npub trait Store {\n    async fn get(&self) -> u8;\n}\n";

/// The rust-analyzer binary, added with rustup when it is missing.
fn rust_analyzer() -> PathBuf {
    let which = || {
        Command::new("rustup")
            .args(["which", "rust-analyzer"])
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
    };
    if let Some(found) = which() {
        return found;
    }
    let added = Command::new("rustup")
        .args(["component", "add", "rust-analyzer"])
        .status()
        .expect("this test needs rustup, to add the rust-analyzer component");
    assert!(
        added.success(),
        "`rustup component add rust-analyzer` failed"
    );
    which().expect("rust-analyzer is still not found after adding it")
}

/// A language server session.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Server {
    fn start(binary: &Path, root: &Path) -> Server {
        let mut child = Command::new(binary)
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("rust-analyzer starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next message the server sends, answering its own requests (with `null`) on the way;
    /// `None` once `deadline` has passed.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.messages.recv_timeout(left) {
                Ok(message) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        let id = message["id"].clone();
                        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                        continue;
                    }
                    return Some(message);
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("rust-analyzer exited"),
            }
        }
    }

    /// The response to request `id`.
    fn response(&mut self, id: u64, deadline: Instant) -> Value {
        while let Some(message) = self.next(deadline) {
            if message["id"] == json!(id) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{message}");
                return message["result"].clone();
            }
        }
        panic!("no response to request {id} in time");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An LSP position (0-based line, UTF-16 column; the file is ASCII) as a byte offset.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + character
}

/// Applies LSP text edits to a text, last first.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset(text, &edit["range"]["start"]),
                offset(text, &edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ranges.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut out = text.to_string();
    for (start, end, new) in ranges {
        out.replace_range(start..end, &new);
    }
    out
}

/// Our findings on `file` as `line: lint`, from the tool itself.
fn findings(root: &Path) -> Vec<String> {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(root)
        .args(["--no-deps-docs", "--no-cache", "--message-format", "short"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let row = line.split(':').nth(1).unwrap();
            let lint = line.split('[').nth(1).unwrap().split(']').next().unwrap();
            format!("{row}: {lint}")
        })
        .collect()
}

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn rust_analyzer_offers_the_quick_fix_and_applying_it_removes_the_finding() {
    let analyzer = rust_analyzer();
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    )
    .unwrap();
    fs::create_dir_all(root.join("src")).unwrap();
    let lib = root.join("src/lib.rs");
    fs::write(&lib, LIB).unwrap();
    assert_eq!(
        findings(&root),
        [
            "6: missing_send_bound",
            "12: lock_held_across_await",
            "18: missing_send_bound"
        ]
    );

    let uri = format!("file://{}", lib.display());
    let tool = assert_cmd::cargo::cargo_bin!("cargo-cancel-check");
    let mut server = Server::start(&analyzer, &root);
    let deadline = Instant::now() + PATIENCE;
    let init = server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": format!("file://{}", root.display()),
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": true},
                    "codeAction": {
                        "codeActionLiteralSupport": {
                            "codeActionKind": {"valueSet": ["quickfix", "refactor", ""]}
                        }
                    }
                }
            },
            "initializationOptions": {
                "check": {
                    "overrideCommand": [
                        tool.to_str().unwrap(),
                        "--message-format=json",
                        "--no-deps-docs",
                        "--no-cache"
                    ]
                },
                "checkOnSave": true,
                "cargo": {"buildScripts": {"enable": false}},
                "procMacro": {"enable": false},
                "cachePriming": {"enable": false}
            }
        }),
    );
    server.response(init, deadline);
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": LIB}}),
    );

    // Save until the check has run: rust-analyzer may still be loading the crate at first.
    let mut next_save = Instant::now();
    let diagnostic = loop {
        if Instant::now() >= next_save {
            server.notify(
                "textDocument/didSave",
                json!({"textDocument": {"uri": uri}}),
            );
            next_save = Instant::now() + Duration::from_secs(10);
        }
        let Some(message) = server.next(deadline.min(next_save)) else {
            assert!(
                Instant::now() < deadline,
                "no cancel-check diagnostic in time"
            );
            continue;
        };
        if message["method"] != "textDocument/publishDiagnostics"
            || message["params"]["uri"] != json!(uri)
        {
            continue;
        }
        let diagnostics = message["params"]["diagnostics"].as_array().unwrap();
        let at = |line: u64| {
            diagnostics
                .iter()
                .find(|d| d["source"] == "cancel_check" && d["range"]["start"]["line"] == line)
                .cloned()
        };
        if let (Some(send), Some(guard), Some(desugar)) = (at(5), at(11), at(17)) {
            break (send, guard, desugar);
        }
    };
    let (send, guard, desugar) = diagnostic;
    assert_eq!(send["code"], "missing_send_bound", "{send}");
    assert_eq!(guard["code"], "lock_held_across_await", "{guard}");
    assert_eq!(desugar["code"], "missing_send_bound", "{desugar}");

    // The quick fix of each finding, as an editor asks for it at the finding.
    let mut quick_fix = |diagnostic: &Value, title: &str, preferred: bool| -> Vec<Value> {
        let asked = server.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic], "only": ["quickfix"]}
            }),
        );
        let actions = server.response(asked, deadline);
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|action| action["title"].as_str().unwrap_or("").starts_with(title))
            .unwrap_or_else(|| panic!("no {title:?} quick fix among {actions:#}"))
            .clone();
        assert_eq!(action["kind"], "quickfix");
        // Machine-applicable fixes are preferred, `MaybeIncorrect` ones only offered.
        assert_eq!(action["isPreferred"], preferred, "{action:#}");
        action["edit"]["changes"][&uri]
            .as_array()
            .unwrap_or_else(|| panic!("no edits of the file in {action:#}"))
            .clone()
    };
    let mut edits = quick_fix(&send, "add `+ Send`", true);
    // Offered at the guard, whose span is inside the statements the edit puts in a block.
    let block = quick_fix(&guard, "end `entries` before the `.await`", true);
    assert_eq!(block.len(), 1, "{block:#?}");
    edits.extend(block);
    edits.extend(quick_fix(&desugar, "write `get` as a `fn`", false));
    let fixed = apply(LIB, &edits);
    assert!(
        fixed
            .contains("pub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize> + Send>> {"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    {\n        let mut entries = log.lock().unwrap();\n        entries.push(line);\n    }\n    std::future::ready(()).await;"),
        "{fixed}"
    );
    let shutdown = server.request("shutdown", json!(null));
    server.response(shutdown, deadline);
    server.notify("exit", json!(null));

    assert!(
        fixed.contains("    fn get(&self) -> impl std::future::Future<Output = u8> + Send;"),
        "{fixed}"
    );
    // Applied as the editor would: the findings are gone.
    fs::write(&lib, &fixed).unwrap();
    assert_eq!(findings(&root), Vec::<String>::new());
}
