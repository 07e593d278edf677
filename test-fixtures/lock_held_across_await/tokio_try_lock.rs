// `try_lock()`, `try_read()` and `try_write()` on tokio's locks return tokio guards, which are
// made to be held across awaits: not reported. Which lock a receiver is comes from its declared
// type when it is visible (a field, a parameter, a `let`), written in full or through this
// file's imports. The same calls on std's locks are reported.

use std::sync::Arc;

use tokio::sync::{Mutex, RwLock};

async fn flush(_: &[u8]) {}

pub struct Writer {
    buffer: Mutex<Vec<u8>>,
    config: Arc<RwLock<String>>,
    stats: std::sync::Mutex<u64>,
}

impl Writer {
    // A tokio guard from `try_lock`, held across the flush: what it is for.
    pub async fn flush_if_idle(&self) {
        if let Ok(buffer) = self.buffer.try_lock() {
            flush(&buffer).await;
        }
    }

    pub async fn write_config(&self) {
        let config = self.config.try_read().unwrap();
        flush(config.as_bytes()).await;
    }

    // std's lock, declared in the same struct: its guard blocks the thread.
    pub async fn count(&self) {
        let mut stats = self.stats.try_lock().unwrap(); //~ lock_held_across_await
        *stats += 1;
        flush(b"counted").await;
    }
}

// Declared types of parameters and `let`s decide too.
pub async fn with_params(shared: &tokio::sync::Mutex<u8>, blocking: &std::sync::RwLock<u8>) {
    let value = shared.try_lock().expect("free");
    flush(&[*value]).await;
    let read = blocking.try_read().unwrap(); //~ lock_held_across_await
    flush(&[*read]).await;
}

pub async fn with_locals() {
    let queue = Arc::new(Mutex::new(Vec::<u8>::new()));
    let guard = queue.try_lock().unwrap();
    flush(&guard).await;
    let counts: std::sync::Mutex<u8> = std::sync::Mutex::new(0);
    let count = counts.try_lock().unwrap(); //~ lock_held_across_await
    flush(&[*count]).await;
}
