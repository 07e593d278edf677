// Guards and borrows alive at an `.await`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

async fn persist(_: &str) {}

// A named guard held across the await.
async fn record(log: Arc<Mutex<Vec<String>>>, line: String) {
    let mut entries = log.lock().unwrap(); //~ lock_held_across_await
    entries.push(line.clone());
    persist(&line).await;
}

// The scrutinee-temporary trap: the guard in `match` lives through every arm.
async fn lookup(map: &Mutex<HashMap<String, String>>, key: &str) {
    match map.lock().unwrap().get(key) { //~ lock_held_across_await
        Some(value) => persist(value).await,
        None => {}
    }
}

// `if let` keeps its scrutinee's guard for the whole body.
async fn first(queue: &RwLock<Vec<String>>) {
    if let Some(head) = queue.read().unwrap().first() { //~ lock_held_across_await
        persist(head).await;
    }
}

// Dropped in only one branch: still held on the other path.
async fn maybe_release(state: &Mutex<u64>, release: bool) {
    let guard = state.lock().unwrap(); //~ lock_held_across_await
    if release {
        drop(guard);
    }
    persist("tick").await;
}

// In a loop: the guard of this iteration is alive at the await later in the same iteration.
async fn drain(jobs: &Mutex<Vec<String>>) {
    loop {
        let mut pending = jobs.lock().unwrap(); //~ lock_held_across_await
        let Some(job) = pending.pop() else { break };
        persist(&job).await;
    }
}

// A `RefCell` borrow across an await.
async fn render(cache: &RefCell<Vec<String>>) {
    let lines = cache.borrow_mut(); //~ lock_held_across_await
    persist(&lines[0]).await;
}

// `?` on the lock result gives the guard too; `let _g` keeps it.
async fn checked(state: &Mutex<u64>) -> Result<(), std::sync::PoisonError<std::sync::MutexGuard<'_, u64>>> {
    let _g = state.lock()?; //~ lock_held_across_await
    persist("checked").await;
    Ok(())
}

// The iterator of a `for` loop is a temporary of the whole loop: a `watch` borrow taken there
// holds the channel's read lock across every await of the body.
async fn destroy_all(pools: &tokio::sync::watch::Sender<Vec<String>>) {
    for pool in pools.borrow().iter() { //~ lock_held_across_await
        persist(pool).await;
    }
}

// `if let Ok(guard) = m.lock()`: the pattern binds the guard for the whole body.
async fn bump(state: &std::sync::Mutex<u64>) {
    if let Ok(mut count) = state.lock() { //~ lock_held_across_await
        *count += 1;
        persist("bumped").await;
    }
}
