// Futurelock (Oxide RFD 609, tokio issue #6450): a future that waits for a fair lock or permit
// is pinned and polled through `&mut` in a `select!`. While a handler of the same select runs,
// that future is not polled, yet it keeps its place in the queue, or already holds the lock.
// A handler that waits for the same lock or permit waits behind it forever.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex, RwLock, Semaphore};
use tokio::time::{interval, sleep};

#[derive(Default)]
pub struct State {
    pub version: u64,
    pub ticks: u64,
    pub entries: Vec<String>,
}

pub struct Config {
    pub limit: usize,
}

// A tokio `Mutex` in a loop: `snapshot` may be handed the lock while the tick handler runs, and
// the handler's own `state.lock()` then waits for a guard that is never taken.
async fn snapshot_when_ready(state: Arc<Mutex<State>>) -> Vec<String> {
    let mut ticks = interval(Duration::from_millis(100));
    let snapshot = state.lock();
    tokio::pin!(snapshot);
    loop {
        tokio::select! {
            guard = &mut snapshot => return guard.entries.clone(),
            _ = ticks.tick() => {
                state.lock().await.ticks += 1; //~ futurelock
            }
        }
    }
}

// The RFD 609 shape, without a loop: when the timer wins, the handler locks the same mutex
// while the pinned `current` still waits in the queue.
async fn current_version(state: &Mutex<State>) -> u64 {
    let current = state.lock();
    tokio::pin!(current);
    tokio::select! {
        guard = &mut current => guard.version,
        _ = sleep(Duration::from_millis(500)) => {
            tracing::warn!("state lock is slow");
            let guard = state.lock().await; //~ futurelock
            guard.version
        }
    }
}

// A `Semaphore` used as a writer slot: the pinned `acquire` may already own the only permit
// when an urgent write arrives, and the handler's `acquire` waits for it forever.
async fn write_when_free(slot: Arc<Semaphore>, mut urgent: mpsc::Receiver<String>, log: Arc<Mutex<State>>) {
    let mut turn = std::pin::pin!(slot.acquire());
    loop {
        tokio::select! {
            permit = &mut turn => {
                let _permit = permit.expect("semaphore closed");
                log.lock().await.entries.push("regular write".to_string());
                return;
            }
            Some(entry) = urgent.recv() => {
                let _permit = slot.acquire().await.expect("semaphore closed"); //~ futurelock
                log.lock().await.entries.push(entry);
            }
        }
    }
}

// An `RwLock`: the pinned `write` is queued first, and tokio's `RwLock` lets no new reader in
// ahead of a queued writer, so the handler's `read` waits forever.
async fn resize(config: Arc<RwLock<Config>>, new_limit: usize, mut queries: mpsc::Receiver<mpsc::Sender<usize>>) {
    let update = config.write();
    tokio::pin!(update);
    loop {
        tokio::select! {
            mut guard = &mut update => {
                guard.limit = new_limit;
                return;
            }
            Some(reply) = queries.recv() => {
                let limit = config.read().await.limit; //~ futurelock
                let _ = reply.send(limit).await;
            }
        }
    }
}

// A pinned `async` block that takes the write lock, polled through `&mut` while the handler
// waits for a read lock on the same table: the writer is queued first and not polled.
pub async fn refresh(table: &tokio::sync::RwLock<Vec<u8>>, mut requests: tokio::sync::mpsc::Receiver<u8>) {
    let update = async {
        let mut rows = table.write().await;
        rows.push(0);
    };
    tokio::pin!(update);
    loop {
        tokio::select! {
            _ = &mut update => return,
            Some(_) = requests.recv() => {
                let rows = table.read().await; //~ futurelock
                drop(rows);
            }
        }
    }
}
