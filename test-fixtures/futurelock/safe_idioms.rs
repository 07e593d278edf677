//@ check-pass
// Shapes that look like a futurelock but cannot deadlock: the handler waits for another lock,
// the lock future is created afresh in the branch (dropping it gives up its place), the
// handler does not wait for the lock at all, or it only tries to take it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex, Semaphore};
use tokio::time::interval;

#[derive(Default)]
pub struct State {
    pub version: u64,
    pub entries: Vec<String>,
}

#[derive(Default)]
pub struct Stats {
    pub ticks: u64,
}

// A different mutex: the handler locks `stats`, which the pinned `state.lock()` does not wait
// for.
async fn snapshot_counting(state: Arc<Mutex<State>>, stats: Arc<Mutex<Stats>>) -> Vec<String> {
    let mut ticks = interval(Duration::from_millis(100));
    let snapshot = state.lock();
    tokio::pin!(snapshot);
    loop {
        tokio::select! {
            guard = &mut snapshot => return guard.entries.clone(),
            _ = ticks.tick() => stats.lock().await.ticks += 1,
        }
    }
}

// Not pinned: `state.lock()` is created in the branch on every iteration, so when the tick wins
// it is dropped and gives up its place before the handler locks.
async fn snapshot_fresh(state: Arc<Mutex<State>>, stats: Arc<Mutex<Stats>>) -> Vec<String> {
    let mut ticks = interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            guard = state.lock() => return guard.entries.clone(),
            _ = ticks.tick() => {
                state.lock().await.version += 1;
                stats.lock().await.ticks += 1;
            }
        }
    }
}

// The handler does not wait for the resource: it only records the request and goes on.
async fn write_when_free(slot: Arc<Semaphore>, mut urgent: mpsc::Receiver<String>, pending: &mut Vec<String>) {
    let turn = slot.acquire();
    tokio::pin!(turn);
    loop {
        tokio::select! {
            permit = &mut turn => {
                let _permit = permit.expect("semaphore closed");
                tracing::info!(pending = pending.len(), "writing");
                return;
            }
            Some(entry) = urgent.recv() => pending.push(entry),
        }
    }
}

// `try_lock` and `try_acquire` never wait: when the pinned future holds the lock or the permit,
// they fail at once and the handler goes on.
async fn snapshot_or_skip(state: Arc<Mutex<State>>) -> Vec<String> {
    let mut ticks = interval(Duration::from_millis(100));
    let snapshot = state.lock();
    tokio::pin!(snapshot);
    loop {
        tokio::select! {
            guard = &mut snapshot => return guard.entries.clone(),
            _ = ticks.tick() => {
                if let Ok(mut guard) = state.try_lock() {
                    guard.version += 1;
                }
            }
        }
    }
}

async fn write_or_defer(slot: Arc<Semaphore>, mut urgent: mpsc::Receiver<String>, log: Arc<Mutex<State>>) {
    let turn = slot.acquire();
    tokio::pin!(turn);
    loop {
        tokio::select! {
            permit = &mut turn => {
                let _permit = permit.expect("semaphore closed");
                return;
            }
            Some(entry) = urgent.recv() => match slot.try_acquire() {
                Ok(_permit) => log.lock().await.entries.push(entry),
                Err(_) => tracing::warn!("writer busy, urgent entry deferred"),
            },
        }
    }
}
