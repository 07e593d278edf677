// Futurelock with async-lock (the locks async-std re-exports). Its `Mutex` and `Semaphore` wait
// on an event-listener queue: an unlock notifies the first listener in line. When that listener
// belongs to a pinned future that the `select!` is not polling, the notification sits there and
// a handler that waits for the same lock is never woken.

use std::sync::Arc;
use std::time::Duration;

use async_lock::{Mutex, Semaphore};
use tokio::sync::mpsc;

#[derive(Default)]
pub struct Registry {
    pub peers: Vec<String>,
    pub pings: u64,
}

// The pinned `lock` is first in the listener queue; the ping handler's `lock` waits behind it.
async fn export_peers(registry: Arc<Mutex<Registry>>, mut pings: mpsc::Receiver<()>) -> Vec<String> {
    let export = registry.lock();
    futures::pin_mut!(export);
    loop {
        tokio::select! {
            guard = &mut export => return guard.peers.clone(),
            Some(()) = pings.recv() => {
                registry.lock().await.pings += 1; //~ futurelock
            }
        }
    }
}

// A one-permit `Semaphore` as a writer slot: the pinned `acquire_arc` may already have been
// notified of the free permit when the flush handler asks for one.
async fn write_when_free(slot: Arc<Semaphore>, mut flushes: mpsc::Receiver<()>) {
    let mut turn = std::pin::pin!(slot.acquire_arc());
    loop {
        tokio::select! {
            _permit = &mut turn => return,
            Some(()) = flushes.recv() => {
                let _permit = slot.acquire().await; //~ futurelock
            }
        }
    }
}

// Not a futurelock: the lock future is created in the branch on every iteration, so a winning
// tick drops it (and its place in the queue) before the handler locks.
async fn count_ticks(registry: Arc<Mutex<Registry>>) {
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            guard = registry.lock() => {
                if guard.pings > 10 {
                    return;
                }
            }
            _ = ticks.tick() => registry.lock().await.pings += 1,
        }
    }
}
