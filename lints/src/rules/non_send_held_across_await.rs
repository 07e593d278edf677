use crate::diagnostic::{Diagnostic, Label};
use crate::lint::declare_lint;
use crate::model::liveness::{GuardKind, HeldGuard};
use crate::model::FileModel;
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a `!Send` value (an `Rc`, a raw pointer, a `&Cell` or `&RefCell`) alive at an
    /// `.await` in a future that must be `Send`: an `async` block handed to a task spawn
    /// (`tokio::spawn`, `JoinSet::spawn`, `Handle::spawn`, ...), or a `pub async fn`. Liveness is
    /// the same as for `lock_held_across_await`: `drop`, moves and block scopes end a value.
    /// `spawn_local` and `LocalSet` futures are not required to be `Send` and are not reported.
    ///
    /// ### Why is this bad?
    /// A value alive at an `.await` is stored in the future, so the future is `!Send` too. A
    /// spawned task then fails to compile with an error that points at the spawn, not at the
    /// value; a public `async fn` silently hands its callers a future they cannot spawn.
    ///
    /// ### Known problems
    /// Values are recognised by their constructor (`Rc::new`, `Rc::clone`, a cast to a raw
    /// pointer, `T::new/from/clone/default` of a configured type) or their declared type, not by
    /// inference; types named in the `not-send-types` configuration count too.
    ///
    /// ### Example
    /// ```rust
    /// use std::rc::Rc;
    ///
    /// fn start() {
    ///     tokio::spawn(async {
    ///         let names = Rc::new(vec!["a".to_string()]);
    ///         tokio::task::yield_now().await;
    ///         println!("{}", names.len());
    ///     });
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::sync::Arc;
    ///
    /// fn start() {
    ///     tokio::spawn(async {
    ///         let names = Arc::new(vec!["a".to_string()]);
    ///         tokio::task::yield_now().await;
    ///         println!("{}", names.len());
    ///     });
    /// }
    /// ```
    pub NON_SEND_HELD_ACROSS_AWAIT, "non_send_held_across_await", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for held in &model.held_guards {
        if held.kind == GuardKind::NonSend && held.requires_send {
            cx.emit(diagnostic(held));
        }
    }
}

fn diagnostic(held: &HeldGuard) -> Diagnostic {
    let name = held.name.as_deref().unwrap_or("value");
    Diagnostic::new(
        &NON_SEND_HELD_ACROSS_AWAIT,
        format!("`{name}` is not `Send` and is alive at an `.await` of a future that must be `Send`"),
    )
    .primary(held.taken, "`!Send` value created here")
    .labels(
        held.awaits
            .iter()
            .map(|span| Label::here(*span, "still alive at this await")),
    )
    .help(
        "use `Arc` (and `AtomicUsize`/`Mutex` for interior mutability), or drop the value before the `.await`; \
         if the task must stay on one thread, spawn it with `spawn_local` on a `LocalSet`",
    )
    .note("the future is spawned on a multi-threaded runtime, or is a public `async fn`")
}
