//! Crates analysed together do not change each other's findings: names resolve through each
//! file's own imports and module tree, never by a last path segment shared across crates.
//!
//! Every single-file fixture under `test-fixtures/` is a crate of its own here. Each is analysed
//! alone, then all of them at once next to a crate that declares the names real code shares
//! (`TcpStream`, `Receiver`, `Mutex`, `read_frame`, `AsyncReadExt`, `sleep`...) with other
//! meanings; the findings of every fixture must be the same both ways.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{analyze_files, Config, Diagnostic, Level, SourceInput, LINTS};

/// Declares, with meanings of its own, the names the fixtures use from tokio, futures and their
/// own crates: a bare-name lookup across crates would pick these up.
const SHADOW: &str = r#"
use std::future::Future;
use std::pin::Pin;

pub struct TcpStream { buffer: Vec<u8> }
impl TcpStream {
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> std::io::Result<usize> { Ok(buf.len()) }
    pub async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> { Ok(buf.len()) }
    pub async fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> { Ok(()) }
    pub async fn readable(&self) -> std::io::Result<()> { Ok(()) }
}

pub struct Receiver<T> { queue: Vec<T> }
impl<T> Receiver<T> {
    // Not cancel safe, unlike tokio's: an item taken off is lost when the future is dropped.
    pub async fn recv(&mut self) -> Option<T> {
        let item = self.queue.pop();
        tokio::task::yield_now().await;
        item
    }
}

pub struct Sender<T> { queue: Vec<T> }
impl<T> Sender<T> {
    pub async fn send(&mut self, item: T) -> Result<(), T> { self.queue.push(item); Ok(()) }
    pub async fn reserve(&self) -> Result<(), ()> { Ok(()) }
}

pub struct Mutex<T> { value: T }
impl<T> Mutex<T> {
    pub async fn lock(&self) -> &T { &self.value }
}

pub struct Notify;
impl Notify {
    pub async fn notified(&self) {}
}

pub struct Connection { stream: TcpStream }
impl Connection {
    pub async fn read_frame(&mut self) -> Option<Vec<u8>> { Some(Vec::new()) }
}

pub async fn read_frame(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = vec![0; 4];
    stream.read_exact(&mut buf).await.ok()?;
    Some(buf)
}

pub async fn sleep(duration: std::time::Duration) {}
pub async fn timeout<F: Future>(duration: std::time::Duration, future: F) -> F::Output { future.await }
pub fn block_on<F: Future>(future: F) -> F::Output { todo!() }
pub fn spawn<F: Future + Send + 'static>(future: F) {}

pub trait AsyncReadExt {
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> Pin<Box<dyn Future<Output = usize> + Send + 'a>>;
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> Pin<Box<dyn Future<Output = usize> + Send + 'a>>;
}
"#;

fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-fixtures");
    let mut files = Vec::new();
    for lint in std::fs::read_dir(&root).unwrap() {
        let lint = lint.unwrap().path();
        if !lint.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&lint).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn config() -> Config {
    let mut config = Config::default();
    for lint in LINTS {
        if lint.default_level == Level::Allow {
            config.set_level(lint, Level::Warn);
        }
    }
    config
}

/// One line per finding: where, which lint, and everything it says.
fn rendered(diagnostic: &Diagnostic) -> String {
    format!(
        "{}:{}:{} {} {} | {} | {}",
        diagnostic.primary.file,
        diagnostic.primary.span.line,
        diagnostic.primary.span.column,
        diagnostic.lint.name,
        diagnostic.message,
        diagnostic.help.as_deref().unwrap_or_default(),
        diagnostic.notes.join(" | "),
    )
}

#[test]
fn each_crate_finds_the_same_alone_and_next_to_others() {
    let files = fixture_files();
    assert!(files.len() > 50, "found only {} fixtures", files.len());
    let inputs: Vec<SourceInput> = files
        .iter()
        .enumerate()
        .map(|(index, path)| SourceInput {
            path: path
                .strip_prefix(path.parent().unwrap().parent().unwrap())
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            text: String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned(),
            crate_name: format!("fixture_{index}"),
            module: Vec::new(),
        })
        .collect();
    let config = config();
    let knowledge = Knowledge::builtin();
    let mut alone: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for input in &inputs {
        let found = analyze_files(std::slice::from_ref(input), &config, knowledge);
        alone.insert(input.path.clone(), found.iter().map(rendered).collect());
    }
    let mut all = inputs.clone();
    all.push(SourceInput {
        path: "shadow/lib.rs".to_string(),
        text: SHADOW.to_string(),
        crate_name: "shadow".to_string(),
        module: Vec::new(),
    });
    let mut together: BTreeMap<String, Vec<String>> = inputs
        .iter()
        .map(|input| (input.path.clone(), Vec::new()))
        .collect();
    for diagnostic in analyze_files(&all, &config, knowledge) {
        if let Some(found) = together.get_mut(&diagnostic.primary.file) {
            found.push(rendered(&diagnostic));
        }
    }
    let findings: usize = alone.values().map(Vec::len).sum();
    assert!(
        findings > 100,
        "the fixtures report only {findings} findings alone"
    );
    let mut differences = String::new();
    for (file, found) in &alone {
        if &together[file] != found {
            differences.push_str(&format!(
                "{file}\n  alone:    {found:#?}\n  together: {:#?}\n",
                together[file]
            ));
        }
    }
    assert!(differences.is_empty(), "{differences}");
}
