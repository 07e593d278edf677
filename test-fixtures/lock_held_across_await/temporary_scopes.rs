// Temporary scopes (the Rust Reference, "Temporary scopes"): a temporary guard is dropped at the
// end of the innermost of them. A plain `if` or `while` condition, a match guard, a match arm's
// body and each operand of `&&` and `||` are scopes of their own, so the guard is gone before the
// block, the other arms or the right operand run. The scrutinee of `if let`, `while let` and
// `match` is not: its guard lives through the whole construct. These are the shapes seen in real
// code (a sync SDK's subscription check, an exporter's shutdown flag).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

async fn persist(_: &str) {}
async fn export() -> bool {
    true
}

pub struct State {
    pending: Option<String>,
}

pub struct Inner {
    room_subscriptions: RwLock<HashSet<String>>,
    lists: tokio::sync::RwLock<Vec<String>>,
}

pub struct Sync {
    inner: Arc<Inner>,
}

impl Sync {
    // The std guard of the left operand is dropped before the right one awaits tokio's lock.
    pub async fn is_active(&self) -> bool {
        !self.inner.room_subscriptions.read().unwrap().is_empty()
            || !self.inner.lists.read().await.is_empty()
    }
}

// A plain `if` condition: the guard is dropped before the block runs.
async fn flush_pending(state: &Mutex<State>) {
    if state.lock().unwrap().pending.is_some() {
        persist("pending").await;
    }
}

// The same `if` as a `let` initialiser, or as a match arm: its condition is still its own scope.
async fn flushed(state: &Mutex<State>, force: Option<bool>) -> bool {
    let flushed = if state.lock().unwrap().pending.is_some() {
        persist("pending").await;
        true
    } else {
        false
    };
    match force {
        Some(true) => if state.lock().unwrap().pending.is_none() { persist("forced").await },
        _ => {}
    }
    flushed
}

// `&&`: the `watch` borrow of the left operand is dropped before `export()` is awaited.
async fn export_unless_shut_down(shutdown: &watch::Receiver<bool>) {
    if !*shutdown.borrow() && export().await {
        persist("exported").await;
    }
}

// An `else if` condition is a scope of its own too.
async fn route(fast: bool, routes: &Mutex<HashMap<String, String>>) {
    if fast {
        persist("fast").await;
    } else if routes.lock().unwrap().contains_key("slow") {
        persist("slow").await;
    }
}

// A plain `while` condition, checked each time round, drops its guard before the body.
async fn wait_until_empty(queue: &Mutex<Vec<String>>) {
    while !queue.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
}

// A match guard and an arm's body are scopes of their own.
async fn dispatch(command: Option<String>, seen: &Mutex<HashSet<String>>) {
    match command {
        Some(name) if seen.lock().unwrap().contains(&name) => persist(&name).await,
        Some(name) => seen.lock().unwrap().insert(name).then_some(()).unwrap_or_default(),
        None => persist("none").await,
    }
}

// The initialiser's temporaries of a `let .. else` are dropped before its `else` block runs.
async fn next_job(queue: &Mutex<Vec<String>>) {
    let Some(job) = queue.lock().unwrap().pop() else {
        persist("idle").await;
        return;
    };
    persist(&job).await;
}

// Still reported: the scrutinee of `while let` lives through the body, each time round.
async fn drain(queue: &Mutex<Vec<String>>) {
    while let Some(job) = queue.lock().unwrap().pop() { //~ lock_held_across_await
        persist(&job).await;
    }
}

// Still reported: the guard and the await are in the same operand of `&&`.
async fn save_if(ready: bool, state: &Mutex<State>) -> bool {
    ready && { persist(state.lock().unwrap().pending.as_deref().unwrap_or("")).await; true } //~ lock_held_across_await
}

// Still reported: a guard taken inside the `else` block of a `let .. else`.
async fn next_or_report(queue: &Mutex<Vec<String>>, log: &Mutex<Vec<String>>) {
    let Some(job) = queue.lock().unwrap().pop() else {
        let entries = log.lock().unwrap(); //~ lock_held_across_await
        persist(&entries.join(",")).await;
        return;
    };
    persist(&job).await;
}

// Still reported: a `let` in a chain binds for the whole `if`, so its scrutinee's guard is alive
// in the block.
async fn first_positive(values: &Mutex<Vec<i64>>) {
    if let Some(first) = values.lock().unwrap().first().copied() && first > 0 { //~ lock_held_across_await
        persist(&first.to_string()).await;
    }
}

// Still reported: a match arm's body that takes a guard and awaits in it.
async fn dispatch_slowly(command: Option<String>, seen: &Mutex<HashSet<String>>) {
    match command {
        Some(name) => persist(seen.lock().unwrap().get(&name).map_or("", String::as_str)).await, //~ lock_held_across_await
        None => {}
    }
}
