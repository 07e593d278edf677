use crate::diagnostic::Diagnostic;
use crate::fix::{self, Applicability, Edit, Suggestion};
use crate::lint::declare_lint;
use crate::model::send_promise::SendPromise;
use crate::model::signature::{MissingSend, SendGap};
use crate::model::{FileModel, Workspace};
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags public API that hands out futures without promising `Send`:
    /// - an `async fn` in a `pub trait`;
    /// - `-> impl Future<..>` without `+ Send` in a pub trait's method;
    /// - `Pin<Box<dyn Future<..>>>` without `+ Send` in a pub fn, method or type alias.
    ///
    /// A pub fn or inherent method returning `impl Future` is not reported: its auto traits leak,
    /// so callers see `Send` whenever the body is `Send`.
    ///
    /// ### Why is this bad?
    /// A caller cannot `tokio::spawn` a future that is not known to be `Send`, and cannot name the
    /// future of an `async fn` in a trait to add the bound. The body may well be `Send`; the
    /// signature does not say so, and a generic caller gets a compile error far from the cause.
    /// The fix costs nothing when the body is `Send` already.
    ///
    /// ### Known problems
    /// Not reported when the crate visibly chose single-threaded futures: the item's source uses
    /// `Rc`, `RefCell`, `Cell`, raw pointers, `spawn_local` or `LocalSet`, or its name says
    /// `local` (`LocalBoxFuture`, `boxed_local`). Nor when the item exists only on
    /// single-threaded targets: a `#[cfg(..)]` on it, an enclosing item or module, or the file
    /// (`#![cfg(..)]`) that requires `target_family = "wasm"`, `target_arch = "wasm32"` or
    /// `"wasm64"` or `target_os = "wasi"` (also inside `all(..)`, or in every alternative of an
    /// `any(..)`). A `cfg` on the `mod name;` declaration in another file is not seen.
    ///
    /// Items under an attribute macro are skipped, written directly or inside
    /// `#[cfg_attr(<predicate>, <macro>)]` (nested too): the macro decides what compiles.
    /// `#[async_trait]` boxes `Send` futures, `#[async_trait(?Send)]` is a deliberate opt-out,
    /// `#[trait_variant::make(..)]`, jsonrpsee's `#[rpc(..)]` and `#[tarpc::service]` generate
    /// the traits that callers use. Any attribute that is not built in (`doc`, `allow`, `cfg`,
    /// `deprecated`, `rustfmt::`, `clippy::`, `diagnostic::` ...) counts as such a macro, except
    /// the few known to keep the trait as written (`automock`, `enum_dispatch`,
    /// `delegatable_trait`, `auto_impl`, `dynosaur`): an unknown macro that keeps it unchanged
    /// hides a finding.
    ///
    /// The author's answer to rustc's own `async_fn_in_trait` lint wins: `#[allow(..)]` or
    /// `#[expect(..)]` of it on the method, the trait, an enclosing `mod` or `impl`, or the
    /// file (`#![allow(async_fn_in_trait)]`), and `async_fn_in_trait = "allow"` in the
    /// package's `[lints.rust]` (or the workspace's `[workspace.lints.rust]` it inherits with
    /// `[lints] workspace = true`). They cover the methods of traits (`async fn` and
    /// `-> impl Future`), and flow down the module tree as rustc's lint levels do: the crate
    /// root's `#![allow(async_fn_in_trait)]` covers every file of the crate, and one on a
    /// `mod name;` declaration that module's files.
    ///
    /// A bound next to `Future` that promises `Send` satisfies the lint: a trait of the analysed
    /// code with `Send` among its supertraits, directly or through other traits (`trait
    /// SendOutsideWasm: Send {}`, also when a `cfg` twin of the same name in the same module has
    /// no supertrait). A bound from outside the analysed code cannot be followed: one whose name
    /// says `Send` (`MaybeSend`, `WasmNotSend`, `ConditionalSend`) is taken at its word, and for
    /// any other the finding's note names it.
    ///
    /// Only the crate's public API is reported, as rustc's reachability sees it: an item in a
    /// module reachable from the root of a library crate through `pub` modules, or named by a
    /// `pub use` (a re-export, a glob, a chain of them) in such a module. A `pub trait` in a
    /// private module that nothing re-exports is silent, and so is every item of a binary
    /// crate, whose root is `main.rs`, `build.rs` or a file under `src/bin/`, `examples/`,
    /// `tests/` or `benches/` (a package's `lib.rs` makes its crate a library). When the crate
    /// root, or a module file between it and the item, is not among the analysed files, the
    /// item is reported, with a note when it sits in a private inline module. Whether the body
    /// is really `Send` is not checked.
    ///
    /// Test code (`#[cfg(test)]` modules, test fns, `tests/` folders) is not public API: the
    /// lint is allowed there by default (`lints-in-tests` turns it on).
    ///
    /// The quick fix adds `+ Send` to the returned `impl Future<..>` or `dyn Future<..>`, or
    /// writes a required `async fn` of a trait as `fn .. -> impl Future<Output = ..> + Send`;
    /// none when the future has another bound (`+ SendOutsideWasm`), which may be `Send` on the
    /// targets that need it. Only `+ Send` on the boxed future a pub fn or method returns is machine applicable
    /// (`--fix` applies it); on a trait method or a type alias it is a breaking change for
    /// implementors and users, so it is `MaybeIncorrect` (`--fix --unsafe-fixes`). The edit is
    /// not compiled: a body that is not `Send` fails to build afterwards, which is the question
    /// the lint asks.
    ///
    /// ### Example
    /// ```rust
    /// pub trait Store {
    ///     async fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::future::Future;
    ///
    /// pub trait Store {
    ///     fn get(&self, key: &str) -> impl Future<Output = Option<Vec<u8>>> + Send;
    /// }
    /// ```
    pub MISSING_SEND_BOUND, "missing_send_bound", Warn, tests: Allow
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    if model.missing_send.is_empty() {
        return;
    }
    // The package, or a module file above this one, allows rustc's `async_fn_in_trait`: the
    // futures of trait methods are answered.
    let answered =
        cx.config.async_fn_in_trait_allowed(&model.path) || allowed_above(cx.workspace, cx.file);
    for missing in &model.missing_send {
        if answered && missing.in_trait.is_some() {
            continue;
        }
        let promise = cx.workspace.send_promise(cx.file, missing);
        if promise.promised || promise.is_api == Some(false) {
            continue;
        }
        cx.emit(diagnostic(missing, &promise).suggest(send_suggestion(missing, cx.source())));
    }
}

/// Whether a file of the same crate whose module encloses this file's allows `async_fn_in_trait`
/// for it (`#![allow(async_fn_in_trait)]` in the crate root, or on a `mod name;` declaration).
fn allowed_above(workspace: &Workspace<'_>, file: usize) -> bool {
    let unit = &workspace.units[file];
    workspace.units.iter().any(|other| {
        other.crate_name == unit.crate_name
            && other
                .model
                .async_fn_in_trait_allows
                .cover(&other.module, &unit.module)
    })
}

fn diagnostic(missing: &MissingSend, promise: &SendPromise) -> Diagnostic {
    let name = &missing.name;
    let (message, help) = match &missing.gap {
        SendGap::AsyncFnInPubTrait { trait_name } => (
            format!("`async fn {name}` in public trait `{trait_name}` hands out futures that are not known to be `Send`"),
            format!(
                "write `fn {name}(..) -> impl Future<Output = ..> + Send`, or generate a `Send` variant with \
                 `#[trait_variant::make({trait_name}: Send)]`"
            ),
        ),
        SendGap::ImplFuture => (
            format!("`{name}` returns `impl Future` without `+ Send`"),
            "add `+ Send` to the returned `impl Future<..>`".to_string(),
        ),
        SendGap::BoxedDynFuture => (
            format!("`{name}` uses `dyn Future` without `+ Send`"),
            "write `Pin<Box<dyn Future<Output = ..> + Send>>` (or `futures::future::BoxFuture`)".to_string(),
        ),
    };
    let mut diagnostic = Diagnostic::new(&MISSING_SEND_BOUND, message)
        .primary(
            missing.type_span.unwrap_or(missing.name_span),
            "callers cannot spawn this future on a multi-threaded runtime",
        )
        .help(help);
    if !promise.unknown_bounds.is_empty() {
        let bounds: Vec<String> = promise
            .unknown_bounds
            .iter()
            .map(|bound| format!("`{bound}`"))
            .collect();
        diagnostic = diagnostic.note(format!(
            "{} is defined outside the analysed code: if it has `Send` among its supertraits, \
             analyse the crate that defines it too",
            bounds.join(", ")
        ));
    }
    if promise.is_api.is_none() {
        if let Some(private) = missing.modules.iter().find(|module| !module.is_pub) {
            diagnostic = diagnostic.note(format!(
                "it is inside the module `{}`, which is not `pub`: if nothing re-exports it, it is not public API",
                private.name
            ));
        }
    }
    diagnostic.note("if the future is meant to be single-threaded, say so with `#[async_trait(?Send)]` or `LocalBoxFuture`")
}

/// The fix as edits: ` + Send` after the bounds of the returned future (none when another
/// bound is there, which may imply `Send` on some targets), or the required
/// `async fn` of a trait written as a fn returning `impl Future<Output = ..> + Send` (a provided
/// one's body would need `Self: Sync` as well). Only `+ Send` on the boxed future a pub fn or
/// method returns is machine applicable: its callers can do everything they could before. On a
/// trait method every implementor must then return a `Send` future, and on a type alias every
/// value of it must be one: a breaking change the author decides on.
fn send_suggestion(missing: &MissingSend, source: Option<&str>) -> Option<Suggestion> {
    let source = source?;
    if let Some(signature) = &missing.desugar {
        if signature.provided {
            return None;
        }
        let future = if source.contains("#![no_std]") {
            "core::future::Future"
        } else {
            "std::future::Future"
        };
        let output = if signature.has_output {
            fix::text_of(source, signature.output)?
        } else {
            "()"
        };
        let returns = format!("impl {future}<Output = {output}> + Send");
        // One edit from `async` to the return type: it covers the name, where the finding is
        // (editors offer a fix where its edits touch the finding).
        let (keyword, output) = (signature.async_keyword, signature.output);
        let between = source.get(keyword.end..output.start)?;
        let rewritten = if signature.has_output {
            format!("{between}{returns}")
        } else {
            format!("{between} -> {returns}")
        };
        let edits = vec![Edit::replace(keyword.to(output), rewritten)];
        return Suggestion::new(
            format!(
                "write `{}` as a `fn` returning `impl Future<..> + Send`",
                missing.name
            ),
            Applicability::MaybeIncorrect,
            edits,
        );
    }
    // Another bound may already imply `Send` on some targets (`+ SendOutsideWasm`): adding
    // `Send` next to it would undo what it is for.
    if !missing.other_bounds.is_empty() {
        return None;
    }
    let applicability =
        if missing.gap == SendGap::BoxedDynFuture && missing.in_trait.is_none() && !missing.alias {
            Applicability::MachineApplicable
        } else {
            Applicability::MaybeIncorrect
        };
    Suggestion::new(
        "add `+ Send`",
        applicability,
        vec![Edit::insert(missing.send_at?, " + Send")],
    )
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn a_package_that_allows_async_fn_in_trait_answered_for_its_trait_methods() {
        let text = "pub trait Store {\n    async fn get(&self) -> u8;\n    fn put(&self) -> impl std::future::Future<Output = ()>;\n}\npub type Job = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;\n";
        let lines = |config: &Config| -> Vec<u32> {
            crate::analyze_file("src/lib.rs", text, config)
                .iter()
                .filter(|finding| finding.lint.name == "missing_send_bound")
                .map(|finding| finding.primary.span.line)
                .collect()
        };
        assert_eq!(lines(&Config::default()), [2, 3, 5]);
        let mut config = Config::default();
        config.set_async_fn_in_trait_allowed(["src/lib.rs".to_string()]);
        // The boxed future of a type alias is not a trait method: rustc's lint says nothing of it.
        assert_eq!(lines(&config), [5]);
        let mut other = Config::default();
        other.set_async_fn_in_trait_allowed(["other/src/lib.rs".to_string()]);
        assert_eq!(lines(&other), [2, 3, 5]);
    }

    #[test]
    fn notes_name_the_bounds_that_cannot_be_followed_and_only_unknown_reachability() {
        let text = "pub trait Feed {\n    fn next(&self) -> impl std::future::Future<Output = u8> + observe::Observed;\n}\nmod inner {\n    pub trait Hidden {\n        async fn run(&self);\n    }\n}\n";
        let findings: Vec<_> = crate::analyze_file("src/lib.rs", text, &Config::default())
            .into_iter()
            .filter(|finding| finding.lint.name == "missing_send_bound")
            .collect();
        // The trait in the private inline module is not API, so only `next` is reported.
        assert_eq!(findings.len(), 1);
        let notes = &findings[0].notes;
        assert!(
            notes
                .iter()
                .any(|note| note
                    .starts_with("`observe::Observed` is defined outside the analysed code")),
            "{notes:?}"
        );
        assert!(
            !notes.iter().any(|note| note.contains("not `pub`")),
            "{notes:?}"
        );

        // A module file whose crate root is not among the files: reachability is unknown, the
        // finding stays, and the note says what would silence it.
        let findings: Vec<_> = crate::analyze_files(
            &[crate::SourceInput {
                path: "src/net/mod.rs".to_string(),
                text: text.to_string(),
                crate_name: "demo".to_string(),
                module: vec!["net".to_string()],
            }],
            &Config::default(),
            crate::knowledge::Knowledge::builtin(),
        )
        .into_iter()
        .filter(|finding| finding.lint.name == "missing_send_bound")
        .collect();
        assert_eq!(findings.len(), 2);
        assert!(findings[1]
            .notes
            .iter()
            .any(|note| note.contains("inside the module `inner`, which is not `pub`")));
    }
}
