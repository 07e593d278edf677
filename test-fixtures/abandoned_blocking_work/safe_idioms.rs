//@ check-pass
// Blocking work that is not abandoned.

use std::time::Duration;

use tokio::time::timeout;

// Awaited directly: nothing races it.
async fn compress(data: Vec<u8>) -> Vec<u8> {
    tokio::task::spawn_blocking(move || data.repeat(2)).await.unwrap()
}

// A read-only file-system call under a timeout changes nothing when it is left running.
async fn load(path: &str) -> Option<Vec<u8>> {
    timeout(Duration::from_secs(1), tokio::fs::read(path)).await.ok()?.ok()
}

// The handle is kept and awaited after the select: the work is waited for.
async fn compress_with_progress(data: Vec<u8>, mut tick: tokio::time::Interval) -> Vec<u8> {
    let mut handle = tokio::task::spawn_blocking(move || data.repeat(2));
    loop {
        tokio::select! {
            done = &mut handle => return done.unwrap(),
            _ = tick.tick() => tracing::info!("still compressing"),
        }
    }
}
