//@ check-pass
// clippy's known false positives (rust-clippy #6446, #8777) and the other safe shapes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

async fn persist(_: &str) {}

// Explicit `drop` before the await.
async fn explicit_drop(log: Arc<Mutex<Vec<String>>>, line: String) {
    let mut entries = log.lock().unwrap();
    entries.push(line.clone());
    drop(entries);
    persist(&line).await;
}

// `std::mem::drop` works the same.
async fn mem_drop(log: Arc<Mutex<Vec<String>>>) {
    let entries = log.lock().unwrap();
    let count = entries.len();
    std::mem::drop(entries);
    persist(&count.to_string()).await;
}

// A block scope ends the guard.
async fn block_scope(log: Arc<Mutex<Vec<String>>>, line: String) {
    {
        let mut entries = log.lock().unwrap();
        entries.push(line.clone());
    }
    persist(&line).await;
}

// The guard lives only inside the `while let` condition's block.
async fn condition_block(queue: &Mutex<Vec<String>>) {
    while let Some(job) = {
        let mut pending = queue.lock().unwrap();
        pending.pop()
    } {
        persist(&job).await;
    }
}

// `let _ = ..` drops the guard at once.
async fn wildcard(state: &Mutex<u64>) {
    let _ = state.lock().unwrap();
    persist("done").await;
}

// A value copied out of the guard: the temporary ends with the `let`.
async fn copied(map: &Mutex<HashMap<String, u64>>) {
    let count = map.lock().unwrap().len();
    persist(&count.to_string()).await;
}

// An async-aware lock is made to be held across awaits.
async fn tokio_lock(state: &tokio::sync::Mutex<Vec<String>>) {
    let mut entries = state.lock().await;
    entries.push(String::new());
    persist("ok").await;
}

// A synchronous fn is not async code.
fn sync_only(state: &Mutex<u64>) -> u64 {
    *state.lock().unwrap()
}

// A file that uses `parking_lot` (whose bare `lock()` is a guard) can still await tokio locks.
pub struct Registry {
    names: parking_lot::Mutex<Vec<String>>,
    subscriptions: tokio::sync::RwLock<Vec<String>>,
}

impl Registry {
    pub async fn subscribe(&self, name: String) -> usize {
        self.subscriptions.write().await.push(name);
        self.subscriptions.read().await.len()
    }

    pub fn count(&self) -> usize {
        self.names.lock().len()
    }
}

// The value of an assignment is evaluated before the place: the guard is taken after the await.
pub struct Progress {
    state: Mutex<Vec<String>>,
}

impl Progress {
    pub async fn refresh(&self) {
        *self.state.lock().unwrap() = load_names().await;
    }
}

async fn load_names() -> Vec<String> {
    Vec::new()
}

// The guard is moved into the awaited call (an async condition variable hands it back): the
// caller does not hold it while waiting.
pub struct AsyncCondvar;

impl AsyncCondvar {
    pub async fn wait<'a>(&self, guard: std::sync::MutexGuard<'a, u64>) -> std::sync::MutexGuard<'a, u64> {
        guard
    }
}

async fn wait_turn(state: &Mutex<u64>, cond: &AsyncCondvar) {
    let mut guard = state.lock().unwrap();
    guard = cond.wait(guard).await;
    *guard += 1;
}
