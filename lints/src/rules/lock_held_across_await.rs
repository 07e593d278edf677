use crate::diagnostic::{Diagnostic, Label};
use crate::fix::{self, Applicability, Suggestion};
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
    /// - a temporary lives to the end of its temporary scope: its statement, or a plain `if` or
    ///   `while` condition, a match guard, a match arm's body, or one operand of `&&`/`||`
    ///   (`if m.lock().unwrap().is_empty() { x.await }` drops the guard before the block);
    ///   and through a whole `match`, `if let`, `while let` or `for` when it is in the scrutinee
    ///   or the iterator. The temporaries of a `let .. else` initialiser are gone in its `else`;
    /// - a guard dropped in only one branch is still held on the other.
    ///
    /// Guards taken with `.lock().await` (tokio, async-std) are made to be held across awaits and
    /// are not reported, and neither are tokio guards taken with `try_lock()`, `try_read()` or
    /// `try_write()`.
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
    /// `try_lock()`, `try_read()` and `try_write()` exist on std's and tokio's locks alike. The
    /// receiver's declared type decides when this file shows it (a parameter, a typed `let` or
    /// one built with `Mutex::new(..)`, a field or static of a struct in the file, by the field's
    /// name): `tokio::sync::Mutex<..>` written in full or through a `use`. A receiver of unknown
    /// type is taken to be tokio's unless the file imports or names a std or parking_lot lock:
    /// a std `try_lock()` on a field declared in another file, in a file that names no std
    /// lock, is missed. Block scopes follow the 2021 edition: the scrutinee of an `if let`
    /// lives through its `else` block, and a block's tail expression's temporaries are scanned
    /// with the block.
    ///
    /// The quick fix puts the guard's `let` and the statements after it, up to the one that
    /// awaits, in a block of their own, when the guard is not mentioned from that statement
    /// on. It is machine applicable (`--fix` applies it) when nothing else is declared among
    /// those statements: the code only moves, and the guard is released before the await
    /// instead of at the end of the scope, which is what the finding is about. When other
    /// bindings are declared there they would be dropped earlier too (`MaybeIncorrect`); a guard
    /// named with a leading `_` (held for the critical section itself) or used after the await
    /// gets no fix.
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
        cx.emit(diagnostic(held).suggest(scope_in_block(held, cx.source())));
    }
}

/// Puts the guard's statements in a block that ends before the await.
fn scope_in_block(held: &HeldGuard, source: Option<&str>) -> Option<Suggestion> {
    let (source, scope) = (source?, held.scope?);
    if !fix::first_on_line(source, scope.start) {
        return None;
    }
    let applicability = if scope.moves_other_locals {
        Applicability::MaybeIncorrect
    } else {
        Applicability::MachineApplicable
    };
    Suggestion::new(
        format!(
            "end `{}` before the `.await`: put it and its uses in a block",
            held.name.as_deref().unwrap_or("the guard")
        ),
        applicability,
        vec![fix::wrap_in_block(source, scope.start, scope.end)],
    )
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
