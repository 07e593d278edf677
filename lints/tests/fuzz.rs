//! Fuzzing with proptest (cargo-fuzz needs a nightly toolchain): whatever the text, the analysis
//! returns, and it never reports an internal error, which is how it reports a panic it caught.
//!
//! - arbitrary bytes, decoded as the binary would show them (`from_utf8_lossy`);
//! - a soup of Rust tokens, which gets past the lexer far more often than bytes do;
//! - real-world-shaped async code (the snippets below and every fixture under `test-fixtures/`),
//!   mutated: byte ranges deleted, duplicated, swapped, tokens inserted. Three files go through
//!   `analyze_files` together, so calls resolve across them and the workspace phase runs.
//!
//! A smoke run is part of the test suite (proptest's default of 256 cases per property). A longer
//! run: `PROPTEST_CASES=20000 cargo test --release -p cancel-check-lints --test fuzz`.

use std::path::Path;
use std::sync::OnceLock;

use cancel_check_lints::knowledge::Knowledge;
use cancel_check_lints::{
    analyze_file, analyze_files, Config, Diagnostic, Level, SourceInput, LINTS,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config as ProptestConfig;

/// The analysis runs on a rayon pool with the stacks the binary gives its workers (64 MB): a
/// stack overflow aborts the test binary, so it fails the run.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .build()
            .expect("a thread pool")
    })
}

/// Every lint on, so that the allow-by-default ones run too.
fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut config = Config::default();
        for lint in LINTS {
            if lint.default_level == Level::Allow {
                config.set_level(lint, Level::Warn);
            }
        }
        config
    })
}

/// Checks what a run returned: no internal error, and every label inside its file.
fn check(inputs: &[SourceInput], diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for diagnostic in diagnostics {
        let shown = || {
            let input = inputs
                .iter()
                .find(|input| input.path == diagnostic.primary.file);
            let text = input.map_or("", |input| input.text.as_str());
            let cut = (0..=text.len().min(4000))
                .rev()
                .find(|at| text.is_char_boundary(*at))
                .unwrap_or(0);
            format!(
                "{diagnostic:?}\n--- {} ---\n{}",
                diagnostic.primary.file,
                &text[..cut]
            )
        };
        prop_assert!(
            !diagnostic.message.contains("internal error"),
            "{}",
            shown()
        );
        for label in std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary) {
            let Some(input) = inputs.iter().find(|input| input.path == label.file) else {
                return Err(TestCaseError::fail(format!(
                    "label in an unknown file: {}",
                    shown()
                )));
            };
            let span = label.span;
            prop_assert!(
                span.start <= span.end
                    && span.end <= input.text.len()
                    && span.line >= 1
                    && span.column >= 1
                    && (span.end_line, span.end_column) >= (span.line, span.column),
                "label {label:?} outside its file: {}",
                shown()
            );
        }
    }
    Ok(())
}

/// Tokens to insert, and the alphabet of the token soup: the syntax the model cares about, the
/// brackets and quotes that unbalance a file, and a few oddities.
const VOCABULARY: &[&str] = &[
    "select!",
    "tokio::select!",
    "futures::select!",
    "select_biased!",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "=>",
    "=",
    ",",
    ";",
    "async",
    ".await",
    "loop",
    "while",
    "for",
    "in",
    "biased;",
    "if",
    "else",
    "|",
    "||",
    "'a",
    "'a:",
    "#[",
    "#![",
    "r#\"",
    "\"#",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "///",
    "//!",
    "\n",
    " ",
    "move",
    "fn",
    "let",
    "mut",
    "&mut",
    "&",
    "*",
    "?",
    "::",
    "<",
    ">",
    "->",
    "match",
    "return",
    "break",
    "continue",
    "impl",
    "trait",
    "pub",
    "mod",
    "use",
    "struct",
    "self",
    "Self",
    "dyn",
    "_",
    "0",
    "1.5",
    "b'x'",
    "'\\u{0}'",
    "é",
    "\u{feff}",
    "#!",
    "$",
    "@",
    "!",
    "tokio::spawn(",
    "spawn_blocking(",
    "timeout(",
    "tokio::time::timeout(d, ",
    "sleep(",
    "Instant::now()",
    "try_join!(",
    "join!(",
    "pin!(",
    "Box::pin(",
    ".fuse()",
    "block_on(",
    "Rc::new(",
    "RefCell::new(",
    ".borrow()",
    ".borrow_mut()",
    "std::sync::Mutex",
    ".lock()",
    ".lock().await",
    ".read_exact(&mut buf)",
    ".read(&mut buf)",
    ".write_all(&buf)",
    ".recv()",
    ".send(x)",
    ".reserve()",
    ".acquire()",
    ".notified()",
    ".abort()",
    "drop(",
    "Vec::new()",
    ".push(x)",
    ".extend_from_slice(&b)",
    "// cancel-check: allow(select_arm_not_cancel_safe)",
    "// cancel-check: allow(",
    "#[cancel_check::allow(detached_spawn, reason = \"x\")]",
    "#[cancel_safe]",
    "#[not_cancel_safe(reason = \"x\")]",
    "/// # Cancel safety\n/// This method is cancel safe.\n",
    "Some(x) = ",
    "x = ",
    ", if ",
    "else => ",
    "default => ",
    "complete => ",
    "macro_rules!",
    "$($t:tt)*",
    "crate::",
    "super::",
    "a::b::f()",
    "f()",
    "g().await",
    "T: Send",
    "where",
    "impl Future<Output = ()>",
    "Pin<Box<dyn Future<Output = ()>>>",
    "unsafe",
    "const",
    "static",
    // Balanced pieces, which keep a mutated file parsing more often.
    "{ }",
    "( )",
    "async { }",
    "loop { x.await; }",
    "tokio::select! { x = f() => {} }",
    "if a { } else { }",
    "let x = y.await;",
    "drop(g);",
    "return;",
    "break;",
    ".await?",
    // Line ends, tabs and characters of several bytes, for the code that counts lines and columns.
    "\r\n",
    "\r",
    "\t",
    "\u{a0}",
    "\u{200e}",
    "\x0b",
    "🦀",
    "e\u{301}",
];

/// Snippets in the shape of real async code, one per thing the analysis models: select loops,
/// timeouts, joins, spawns, locks, non-Send values, blocking, buffers, futurelock, timers,
/// public futures, suppressions and documented cancel safety.
const SNIPPETS: &[&str] = &[
    r#"use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub async fn pump(mut stream: TcpStream, mut rx: mpsc::Receiver<Vec<u8>>) -> std::io::Result<()> {
    let mut len = [0u8; 4];
    loop {
        tokio::select! {
            biased;
            Some(frame) = rx.recv() => stream.write_all(&frame).await?,
            read = stream.read_exact(&mut len) => {
                let n = u32::from_be_bytes(len) as usize;
                let mut body = vec![0; n];
                stream.read_exact(&mut body).await?;
                let _ = read?;
            }
            else => break,
        }
    }
    Ok(())
}
"#,
    r#"use std::time::Duration;
use tokio::time::{sleep, timeout, Instant};

async fn fetch(conn: &mut Conn) -> Result<Reply, Error> {
    for attempt in 0..3 {
        match timeout(Duration::from_secs(1), conn.read_frame()).await {
            Ok(reply) => return reply,
            Err(_) if attempt < 2 => continue,
            Err(elapsed) => return Err(elapsed.into()),
        }
    }
    unreachable!()
}

async fn ticker(mut rx: tokio::sync::mpsc::Receiver<u32>) {
    loop {
        tokio::select! {
            _ = sleep(Duration::from_millis(50)) => println!("idle"),
            _ = tokio::time::sleep_until(Instant::now() + Duration::from_secs(1)) => {}
            Some(v) = rx.recv() => println!("{v}"),
        }
    }
}
"#,
    r#"use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

pub async fn shared(state: Arc<Mutex<Vec<u8>>>, local: Rc<RefCell<u32>>) {
    let guard = state.lock().unwrap();
    tokio::task::yield_now().await;
    drop(guard);
    let cell = local.borrow_mut();
    helper().await;
    *cell += 1;
}

fn spawner(state: Arc<Mutex<Vec<u8>>>) {
    tokio::spawn(async move {
        let rc = Rc::new(1);
        helper().await;
        println!("{rc}");
    });
    let handle = tokio::spawn(helper());
    handle.abort();
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || rt.block_on(helper()));
}

async fn helper() {}
"#,
    r#"use futures::{future, select, FutureExt, StreamExt};
use tokio::sync::{Mutex, Semaphore};

async fn lock_race(lock: &Mutex<u32>, permits: &Semaphore, mut events: impl futures::Stream<Item = u32> + Unpin) {
    let mut acquire = Box::pin(lock.lock().fuse());
    loop {
        select! {
            guard = acquire => { let _ = *guard; break; }
            event = events.next().fuse() => {
                let _permit = permits.acquire().await;
                let _other = lock.lock().await;
                println!("{event:?}");
            }
            complete => break,
        }
    }
}

async fn both(a: &mut tokio::fs::File, b: &mut tokio::fs::File) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    tokio::try_join!(a.write_all(b"x"), b.write_all(b"y"))?;
    let _ = future::try_join_all(vec![tokio::fs::write("a", "1"), tokio::fs::write("b", "2")]).await;
    Ok(())
}
"#,
    r#"//! A library with public futures.
use std::future::Future;
use std::pin::Pin;

pub trait Service {
    async fn call(&self, req: Request) -> Response;
    fn ready(&self) -> impl Future<Output = ()>;
}

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Reads one frame.
///
/// # Cancel safety
///
/// This method is not cancel safe: a partially read frame is lost.
pub async fn read_frame(conn: &mut Conn) -> Option<Frame> {
    let mut buf = Vec::new();
    loop {
        let chunk = conn.next_chunk().await?;
        buf.extend_from_slice(&chunk);
        if buf.len() > 4 {
            return Some(Frame(buf));
        }
    }
}

// cancel-check: allow(select_arm_not_cancel_safe) -- the caller restarts the session
pub async fn session(conn: &mut Conn, mut stop: tokio::sync::oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            frame = read_frame(conn) => drop(frame),
            _ = &mut stop => return,
        }
    }
}
"#,
    r#"macro_rules! race {
    ($($body:tt)*) => { loop { tokio::select! { $($body)* } } };
}

mod net {
    pub(crate) async fn accept(listener: &tokio::net::TcpListener) {
        let mut pending = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            pending.push(socket);
            tokio::task::yield_now().await;
        }
    }
}

async fn outer(listener: tokio::net::TcpListener, mut rx: tokio::sync::mpsc::Receiver<()>) {
    race! {
        _ = net::accept(&listener) => {},
        _ = rx.recv() => {},
    }
    let fut = async {
        let inner = || async { crate::net::accept(&listener).await };
        inner().await
    };
    tokio::pin!(fut);
    loop {
        tokio::select! {
            _ = &mut fut => break,
            r = rx.recv() => if r.is_none() { break },
        }
    }
}
"#,
];

/// Every seed: the snippets above and the fixture files, read once.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-fixtures");
        let mut paths: Vec<_> = walkdir::WalkDir::new(fixtures)
            .into_iter()
            .filter_map(Result::ok)
            .map(|entry| entry.into_path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .collect();
        paths.sort();
        assert!(paths.len() > 20, "the fixtures are found: {paths:?}");
        SNIPPETS
            .iter()
            .map(|snippet| snippet.to_string())
            .chain(
                paths
                    .iter()
                    .map(|path| std::fs::read_to_string(path).unwrap()),
            )
            .collect()
    })
}

/// One edit of a source text. Positions and lengths are relative, so that they fit any text.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(Index, Index),
    Duplicate(Index, Index),
    Swap(Index, Index, Index),
    Insert(Index, &'static str),
    Repeat(Index, &'static str, usize),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = proptest::sample::select(VOCABULARY);
    prop_oneof![
        1 => (any::<Index>(), any::<Index>()).prop_map(|(at, len)| Mutation::Delete(at, len)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, len)| Mutation::Swap(a, b, len)),
        3 => (any::<Index>(), token.clone()).prop_map(|(at, token)| Mutation::Insert(at, token)),
        1 => (any::<Index>(), token, 2..300usize)
            .prop_map(|(at, token, times)| Mutation::Repeat(at, token, times)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// The char boundary at or before a relative position in `text`.
fn position(text: &str, at: &Index) -> usize {
    let mut at = at.index(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A range of at most 64 bytes starting at `at`, on char boundaries.
fn range(text: &str, at: &Index, len: &Index) -> std::ops::Range<usize> {
    let start = position(text, at);
    let mut end = (start + len.index(65)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end
}

fn apply(text: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Delete(at, len) => {
            let range = range(text, at, len);
            text.replace_range(range, "");
        }
        Mutation::Duplicate(at, len) => {
            let range = range(text, at, len);
            let copy = text[range.clone()].to_string();
            text.insert_str(range.end, &copy);
        }
        Mutation::Swap(a, b, len) => {
            let (first, second) = (range(text, a, len), range(text, b, len));
            let (first, second) = if first.start <= second.start {
                (first, second)
            } else {
                (second, first)
            };
            if first.end <= second.start {
                let one = text[first.clone()].to_string();
                let two = text[second.clone()].to_string();
                text.replace_range(second, &one);
                text.replace_range(first, &two);
            }
        }
        Mutation::Insert(at, token) => {
            let at = position(text, at);
            text.insert_str(at, token);
        }
        Mutation::Repeat(at, token, times) => {
            let at = position(text, at);
            text.insert_str(at, &token.repeat(*times));
        }
        Mutation::Truncate(at) => {
            let at = position(text, at);
            text.truncate(at);
        }
    }
}

/// A mutated seed: which seed, and the edits.
fn mutated() -> impl Strategy<Value = (Index, Vec<Mutation>)> {
    (any::<Index>(), proptest::collection::vec(mutation(), 0..5))
}

fn build(seed: &Index, mutations: &[Mutation]) -> String {
    let seeds = seeds();
    let mut text = seeds[seed.index(seeds.len())].clone();
    for mutation in mutations {
        apply(&mut text, mutation);
    }
    text
}

/// Module paths for the three files: distinct ones, nested ones and a clash.
const MODULES: &[&[&str]] = &[&[], &["net"], &["net", "conn"], &["a"], &["a"]];

proptest! {
    #![proptest_config(ProptestConfig {
        // Keep failures in the test output, not in files next to this one.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_break_the_analysis(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096)
    ) {
        let text = String::from_utf8_lossy(&bytes);
        let diagnostics = pool().install(|| analyze_file("bytes.rs", &text, &Config::default()));
        check(&[SourceInput::standalone("bytes.rs", &text)], &diagnostics)?;
    }

    #[test]
    fn a_token_soup_never_breaks_the_analysis(
        tokens in proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..400),
        spaced in any::<bool>(),
    ) {
        let text = tokens.join(if spaced { " " } else { "" });
        let inputs = [SourceInput::standalone("soup.rs", &text)];
        let diagnostics =
            pool().install(|| analyze_files(&inputs, config(), Knowledge::builtin()));
        check(&inputs, &diagnostics)?;
    }

    #[test]
    fn mutated_real_code_never_breaks_the_analysis(
        first in mutated(),
        second in mutated(),
        third in any::<Index>(),
        modules in proptest::collection::vec(any::<Index>(), 3),
    ) {
        let texts = [
            build(&first.0, &first.1),
            build(&second.0, &second.1),
            build(&third, &[]),
        ];
        let inputs: Vec<SourceInput> = texts
            .iter()
            .zip(&modules)
            .enumerate()
            .map(|(index, (text, module))| SourceInput {
                path: format!("src/file{index}.rs"),
                text: text.clone(),
                crate_name: "fuzzed".to_string(),
                module: MODULES[module.index(MODULES.len())]
                    .iter()
                    .map(|segment| segment.to_string())
                    .collect(),
            })
            .collect();
        let diagnostics =
            pool().install(|| analyze_files(&inputs, config(), Knowledge::builtin()));
        check(&inputs, &diagnostics)?;
    }
}

/// Units that nest without brackets or build deep trees when repeated.
const DEEP_UNITS: &[&str] = &[
    "|| ",
    "|a, b| ",
    "move || ",
    "async move || ",
    "& ",
    "&mut ",
    "* ",
    "- ",
    "! ",
    "return ",
    "break ",
    "yield ",
    ".. ",
    "x = ",
    "a @ ",
    "box ",
    ".a()",
    ".a",
    "?",
    ".await",
    "+ 1",
    " as u8",
    "Vec<",
    "fn() -> ",
    "*const ",
    "dyn Fn() -> ",
    "impl Fn() -> ",
    "else if a {} ",
    "||\u{a0}",
    "&\u{200e}",
    "-\x0b",
];

/// What separates the repeated tokens: every kind of white space and comment the lexer skips.
const SEPARATORS: &[&str] = &[
    " ", "", "\n", "\t", "\r\n", "\x0b", "\x0c", "\u{a0}", "\u{2028}", "\u{200e}", "/**/", "/* */",
    "// x\n",
];

/// A unit repeated thousands of times into a seed: a chain (`|| || ..`, `x.a().a()..`) or a
/// nesting (`Vec<Vec<..>>`, `((..))`), from [`DEEP_UNITS`] or from the whole vocabulary. The
/// analysis either rejects it as too deep or analyses it; a stack overflow would abort the test
/// binary.
fn deep_insertion() -> impl Strategy<Value = (Index, Index, String, String, usize)> {
    let unit = |sizes| proptest::collection::vec(proptest::sample::select(VOCABULARY), sizes);
    let open = prop_oneof![
        proptest::sample::select(DEEP_UNITS).prop_map(str::to_string),
        (unit(1..3), proptest::sample::select(SEPARATORS))
            .prop_map(|(tokens, separator)| tokens.join(separator) + separator),
    ];
    (
        any::<Index>(),
        any::<Index>(),
        open,
        unit(0..3),
        1000..20_000usize,
    )
        .prop_map(|(seed, at, open, close, times)| (seed, at, open, close.join(" "), times))
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case is a large file: an eighth of the cases of the other properties.
        cases: ProptestConfig::default().cases / 8,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn deep_repetitions_are_rejected_or_analysed(
        (seed, at, open, close, times) in deep_insertion()
    ) {
        let mut text = build(&seed, &[]);
        let at = position(&text, &at);
        text.insert_str(at, &(open.repeat(times) + &close.repeat(times)));
        let inputs = [SourceInput::standalone("deep.rs", &text)];
        let diagnostics =
            pool().install(|| analyze_files(&inputs, config(), Knowledge::builtin()));
        check(&inputs, &diagnostics)?;
    }
}

/// The seeds themselves analyse cleanly (no parse error in the snippets, no internal error), so
/// the mutations start from code the analysis understands.
#[test]
fn the_seeds_analyse_cleanly() {
    for (index, snippet) in SNIPPETS.iter().enumerate() {
        let path = format!("snippet{index}.rs");
        let diagnostics = pool().install(|| analyze_file(&path, snippet, config()));
        assert!(
            diagnostics
                .iter()
                .all(|diagnostic| diagnostic.lint.name != "parse_error"),
            "{diagnostics:#?}"
        );
        check(&[SourceInput::standalone(&path, snippet)], &diagnostics).unwrap();
    }
    assert!(seeds().len() > SNIPPETS.len());
}
