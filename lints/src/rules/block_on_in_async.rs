use crate::diagnostic::{Diagnostic, Label};
use crate::lint::declare_lint;
use crate::model::block_on::Blocks;
use crate::model::{BlockOnSite, BodyKind, FileModel};
use crate::rules::LintContext;
use crate::span::Span;

declare_lint! {
    /// ### What it does
    /// Flags `block_on` (`Runtime::block_on`, `Handle::block_on`, `futures::executor::block_on`,
    /// `async_std::task::block_on`, `pollster::block_on`) called inside an async context: an
    /// `async fn`, an `async` block or closure, or a plain closure running inside one. A closure
    /// handed to `spawn_blocking`, `std::thread::spawn` or `block_in_place` runs where blocking is
    /// allowed, and is not reported.
    ///
    /// ### Why is this bad?
    /// `block_on` parks the worker thread until the future completes. On a runtime thread that
    /// starves every other task scheduled there, and tokio's `block_on` panics outright ("Cannot
    /// start a runtime from within a runtime"). With a single-threaded runtime, or a future that
    /// needs the blocked thread to make progress, it deadlocks.
    ///
    /// ### Known problems
    /// A synchronous function that calls `block_on` and is itself called from async code is not
    /// followed, nor is a closure stored or handed to anything but an iterator or `Option`
    /// adapter (a mock's `returning(|..| block_on(..))` may well run on the runtime). A
    /// `block_on(fut)` method is resolved on its receiver's type: a runtime's (`Runtime`,
    /// `Handle`, `LocalRuntime` of tokio, actix-rt or monoio) blocks; the workspace's own type
    /// blocks when its `block_on` body calls one outside `block_in_place` or `spawn_blocking`
    /// (and is reported with a label there); another crate's type does not. A receiver whose
    /// type is not known is taken to be a runtime.
    ///
    /// ### Example
    /// ```rust
    /// async fn refresh(handle: tokio::runtime::Handle) -> u64 {
    ///     handle.block_on(async { 42 })
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// async fn refresh() -> u64 {
    ///     async { 42 }.await
    /// }
    /// ```
    pub BLOCK_ON_IN_ASYNC, "block_on_in_async", Deny
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for site in &model.block_on_calls {
        let Some(context) = async_context(model, site) else {
            continue;
        };
        let Some(blocks) = cx.workspace.block_on_blocks(cx.file, site) else {
            continue;
        };
        cx.emit(diagnostic(site, context, &blocks));
    }
}

/// The span of the async body the call runs in, walking out through plain closures; `None` when
/// a blocking-context closure or a synchronous fn comes first.
fn async_context(model: &FileModel, site: &BlockOnSite) -> Option<Span> {
    let mut id = Some(site.body);
    while let Some(current) = id {
        let body = &model.bodies[current];
        if body.runs_blocking {
            return None;
        }
        match &body.kind {
            BodyKind::Fn { is_async, .. } => {
                return (*is_async).then(|| {
                    model
                        .fns
                        .iter()
                        .find(|item| item.body == current)
                        .map(|item| item.name_span)
                })?;
            }
            BodyKind::AsyncBlock | BodyKind::Closure { is_async: true } => return Some(body.span),
            // A closure handed to an adapter runs here; any other closure may run anywhere.
            BodyKind::Closure { is_async: false } if body.runs_inline => id = body.parent,
            BodyKind::Closure { is_async: false } => return None,
        }
    }
    None
}

fn diagnostic(site: &BlockOnSite, context: Span, blocks: &Blocks) -> Diagnostic {
    let found = Diagnostic::new(
        &BLOCK_ON_IN_ASYNC,
        format!("`{}` blocks the thread inside async code", site.callee),
    )
    .primary(
        site.span,
        "parks this runtime thread until the future completes",
    )
    .secondary(context, "this runs as a task on the async runtime")
    .help(
        "`.await` the future instead; for blocking work, move it into `tokio::task::spawn_blocking`",
    )
    .note("tokio's `block_on` panics when called from a runtime thread; others starve or deadlock it");
    match blocks {
        Blocks::Itself => found,
        Blocks::Through { callee, site } => found.labels([Label {
            file: site.file.clone(),
            span: site.span,
            message: format!("`{callee}` blocks on the future here"),
        }]),
    }
}
