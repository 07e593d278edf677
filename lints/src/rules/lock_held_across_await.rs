use crate::diagnostic::{Diagnostic, Label};
use crate::lint::declare_lint;
use crate::model::liveness::{GuardKind, HeldGuard};
use crate::model::FileModel;
use crate::rules::LintContext;

declare_lint! {
    /// ### What it does
    /// Flags a `std::sync`/`parking_lot` `Mutex` or `RwLock` guard, or a `borrow()` guard (a
    /// `RefCell` borrow, a `tokio::sync::watch` `Ref`), that is alive at an `.await`. Liveness follows Rust's rules:
    /// - `drop(guard)`, moves, assignments and block scopes end a guard;
    /// - `let _ = m.lock()` drops at once;
    /// - a temporary lives to the end of its statement, and through a whole `match`, `if let`,
    ///   `while let` or `for` when it is in the scrutinee or the iterator;
    /// - a guard dropped in only one branch is still held on the other.
    ///
    /// Guards taken with `.lock().await` (tokio, async-std) are made to be held across awaits and
    /// are not reported.
    ///
    /// ### Why is this bad?
    /// The task is suspended with the lock held. Any other task (or a blocking thread) that wants
    /// the lock blocks its whole worker thread, and if it runs on the thread that must resume
    /// the first task, the program deadlocks. Such a guard is also `!Send`, so the future cannot
    /// be spawned.
    ///
    /// ### Known problems
    /// Guards are recognised by how they are taken (`.lock().unwrap()`, `.lock()?`,
    /// `if let Ok(g) = m.lock()`, `.borrow_mut()`; a bare `.lock()` only in files that use
    /// `parking_lot` or a type named in the `lock-types` configuration), not by the receiver's
    /// declared type. A guard moved into another binding, a
    /// struct or a helper's return value is not followed.
    ///
    /// ### Example
    /// ```rust
    /// use std::sync::Mutex;
    ///
    /// async fn record(log: &Mutex<Vec<String>>, line: String) {
    ///     let mut entries = log.lock().unwrap();
    ///     entries.push(line);
    ///     tokio::task::yield_now().await;
    /// }
    /// ```
    /// Use instead:
    /// ```rust
    /// use std::sync::Mutex;
    ///
    /// async fn record(log: &Mutex<Vec<String>>, line: String) {
    ///     {
    ///         let mut entries = log.lock().unwrap();
    ///         entries.push(line);
    ///     }
    ///     tokio::task::yield_now().await;
    /// }
    /// ```
    pub LOCK_HELD_ACROSS_AWAIT, "lock_held_across_await", Warn
}

pub(crate) fn check(cx: &mut LintContext<'_>, model: &FileModel) {
    for held in model
        .held_guards
        .iter()
        .filter(|held| held.kind != GuardKind::NonSend)
    {
        cx.emit(diagnostic(held));
    }
}

fn diagnostic(held: &HeldGuard) -> Diagnostic {
    let what = match held.kind {
        GuardKind::Lock => "lock guard",
        GuardKind::Borrow => "`borrow()` guard (a `RefCell` borrow or a `watch::Ref`)",
        GuardKind::NonSend => "`!Send` value",
    };
    let message = match &held.name {
        Some(name) => format!("this {what} (`{name}`) is held across an `.await`"),
        None => format!("this temporary {what} is held across an `.await`"),
    };
    Diagnostic::new(&LOCK_HELD_ACROSS_AWAIT, message)
        .primary(held.taken, format!("{what} taken here"))
        .labels(
            held.awaits
                .iter()
                .map(|span| Label::here(*span, "still held at this await")),
        )
        .help(
            "scope the guard in a block, or `drop` it before the `.await`; if it must be held, use an async-aware lock such as `tokio::sync::Mutex`",
        )
}
