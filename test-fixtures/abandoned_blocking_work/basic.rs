// Blocking work raced where dropping the future cannot stop it.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::timeout;

// A `spawn_blocking` handle in a select branch: when `stop` wins, the compression goes on.
async fn compress_or_stop(data: Vec<u8>, mut stop: mpsc::Receiver<()>) -> Option<Vec<u8>> {
    tokio::select! {
        done = tokio::task::spawn_blocking(move || data.repeat(2)) => done.ok(), //~ abandoned_blocking_work
        _ = stop.recv() => None,
    }
}

// A mutating `tokio::fs` call under `timeout`: the write may land after the timeout fired.
async fn save(path: &str, data: Vec<u8>) -> std::io::Result<()> {
    match timeout(Duration::from_secs(1), tokio::fs::write(path, data)).await { //~ abandoned_blocking_work
        Ok(done) => done,
        Err(_) => Err(std::io::Error::other("slow disk")),
    }
}

// A workspace fn that awaits a rename, raced in a loop with a tick.
async fn rotate(path: &str) -> std::io::Result<()> {
    tokio::fs::rename(path, format!("{path}.1")).await
}

async fn rotate_forever(path: String, mut tick: tokio::time::Interval) {
    loop {
        tokio::select! {
            res = rotate(&path) => tracing::info!(?res, "rotated"), //~ abandoned_blocking_work
            _ = tick.tick() => tracing::debug!("tick"),
        }
    }
}
