// `block_on` inside async code parks a runtime thread (tokio's panics outright).

use std::sync::Arc;

use futures::executor::block_on;
use tokio::runtime::{Handle, Runtime};

pub struct Cache {
    runtime: Arc<Runtime>,
}

impl Cache {
    // Reported: a runtime's `block_on` called from an async method.
    pub async fn warm(&self) -> usize {
        self.runtime.block_on(load_entries()) //~ block_on_in_async
    }
}

async fn load_entries() -> usize {
    3
}

// Reported: `Handle::current().block_on` in an async fn.
async fn refresh_now() -> usize {
    Handle::current().block_on(load_entries()) //~ block_on_in_async
}

// Reported: `futures::executor::block_on`, imported, inside a spawned async block.
pub fn start_refresher() -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async {
        block_on(load_entries()) //~ block_on_in_async
    })
}

// Reported: a plain closure run by an iterator inside an async fn still runs on the runtime.
async fn load_all(handle: Handle, keys: Vec<u32>) -> Vec<usize> {
    keys.iter()
        .map(|_| handle.block_on(load_entries())) //~ block_on_in_async
        .collect()
}

// Reported: the fully qualified path.
async fn sum() -> usize {
    futures::executor::block_on(async { 1 + 1 }) //~ block_on_in_async
}
