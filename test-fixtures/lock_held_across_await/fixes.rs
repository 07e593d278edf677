// The quick fix for a guard held across an await: its `let` and the statements after it, up to
// the one that awaits, go into a block of their own (see `fixes.rs.fixed`).

use std::sync::Mutex;

// Machine applicable: only the guard is declared in the block, and it is not mentioned after.
pub async fn record(log: &Mutex<Vec<String>>, line: String) {
    let mut entries = log.lock().unwrap(); //~ lock_held_across_await
    entries.push(line);

    entries.sort();
    tokio::task::yield_now().await;
}

// A line inside a string literal keeps its indentation.
pub async fn banner(log: &Mutex<Vec<String>>) {
    let mut entries = log.lock().unwrap(); //~ lock_held_across_await
    entries.push("two
lines".to_string());
    tokio::task::yield_now().await;
}

// `MaybeIncorrect`: `n` is declared among the statements and would be dropped earlier too.
pub async fn count(log: &Mutex<Vec<String>>) -> usize {
    let entries = log.lock().unwrap(); //~ lock_held_across_await
    let n = entries.len();
    println!("{n}");
    tokio::task::yield_now().await;
    0
}

// No fix: the guard is used after the await.
pub async fn after(log: &Mutex<Vec<String>>) {
    let mut entries = log.lock().unwrap(); //~ lock_held_across_await
    tokio::task::yield_now().await;
    entries.clear();
}

// No fix: `n` is used after the await, so the block cannot end before it.
pub async fn used_later(log: &Mutex<Vec<String>>) -> usize {
    let entries = log.lock().unwrap(); //~ lock_held_across_await
    let n = entries.len();
    tokio::task::yield_now().await;
    n
}

// No fix: a guard named `_..` is held for the critical section itself.
pub async fn serialised(lock: &Mutex<()>) {
    let _guard = lock.lock().unwrap(); //~ lock_held_across_await
    tokio::task::yield_now().await;
}

// No fix: a temporary guard.
pub async fn temporary(log: &Mutex<Vec<String>>) {
    match log.lock().unwrap().pop() { //~ lock_held_across_await
        Some(_) => tokio::task::yield_now().await,
        None => {}
    }
}
