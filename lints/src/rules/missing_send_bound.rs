use crate::diagnostic::Diagnostic;
use crate::lint::declare_lint;
use crate::model::signature::{MissingSend, SendGap};
use crate::model::FileModel;
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
    /// `Rc`, `RefCell`, `Cell`, raw pointers, `spawn_local` or `LocalSet`, or it allows rustc's
    /// `async_fn_in_trait`. Items under an attribute macro (`#[async_trait(?Send)]`,
    /// `#[trait_variant::make(..)]`, `#[tarpc::service]`) are skipped: the macro decides what
    /// compiles. Whether the body is really `Send` is not checked, and `pub` is read as written:
    /// a `pub trait` in a private module is reported although it is not reachable from outside.
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
    pub MISSING_SEND_BOUND, "missing_send_bound", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for missing in &model.missing_send {
        cx.emit(diagnostic(missing));
    }
}

fn diagnostic(missing: &MissingSend) -> Diagnostic {
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
    Diagnostic::new(&MISSING_SEND_BOUND, message)
        .primary(
            missing.type_span.unwrap_or(missing.name_span),
            "callers cannot spawn this future on a multi-threaded runtime",
        )
        .help(help)
        .note("if the future is meant to be single-threaded, say so with `#[async_trait(?Send)]` or `LocalBoxFuture`")
}
