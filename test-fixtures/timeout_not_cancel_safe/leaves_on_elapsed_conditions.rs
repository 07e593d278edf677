// A timeout whose elapsed case leaves the loop drops its future at most once, so a message-lost
// API under it is not a repeated loss: also when an `if` tests the elapsed case and its block
// leaves, `if timeout(..).await.is_err() { break }` and `if let Err(_) = timeout(..).await {
// return }` (the shape of Xline's `get_leader_id`, with `event_listener::Event::listen`).

use std::time::Duration;

use event_listener::Event;
use tokio::sync::mpsc;
use tokio::time::timeout;

// Not reported: the first timeout ends the loop, so at most one value is dropped, at the end.
async fn push_all(tx: mpsc::Sender<u64>, mut source: mpsc::Receiver<u64>) {
    while let Some(value) = source.recv().await {
        if timeout(Duration::from_secs(1), tx.send(value)).await.is_err() {
            break;
        }
    }
}

// Not reported: the same with `if let Err(_)`.
async fn push_all_let(tx: mpsc::Sender<u64>, mut source: mpsc::Receiver<u64>) {
    while let Some(value) = source.recv().await {
        if let Err(_) = timeout(Duration::from_secs(1), tx.send(value)).await {
            return;
        }
    }
}

// Not reported: wait for a leader, and give up waiting (and listening) after one timeout.
async fn leader_or_fetch(leader: &std::sync::Mutex<Option<u64>>, changed: &Event) -> u64 {
    loop {
        if let Some(id) = *leader.lock().unwrap() {
            return id;
        }
        if timeout(Duration::from_millis(300), changed.listen()).await.is_err() {
            break fetch_leader().await;
        }
    }
}

// Still reported: the elapsed case goes round again.
async fn push_retrying(tx: mpsc::Sender<u64>, mut source: mpsc::Receiver<u64>) {
    while let Some(value) = source.recv().await {
        if timeout(Duration::from_secs(1), tx.send(value)).await.is_err() { //~ timeout_not_cancel_safe
            tracing::warn!("slow consumer");
        }
    }
}

async fn fetch_leader() -> u64 {
    0
}
