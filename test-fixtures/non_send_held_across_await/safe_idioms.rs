//@ check-pass
// `!Send` values that are fine.

use std::rc::Rc;
use std::sync::Arc;

async fn save(_: usize) {}

// `spawn_local` futures need not be `Send`.
pub fn start_local() {
    tokio::task::spawn_local(async {
        let counter = Rc::new(1usize);
        save(*counter).await;
    });
}

// Dropped before the await.
pub fn start_dropped() {
    tokio::spawn(async {
        let counter = Rc::new(1usize);
        let value = *counter;
        drop(counter);
        save(value).await;
    });
}

// Scoped in a block.
pub fn start_scoped() {
    tokio::spawn(async {
        let value = {
            let counter = Rc::new(1usize);
            *counter
        };
        save(value).await;
    });
}

// `Arc` is `Send`.
pub fn start_shared() {
    tokio::spawn(async {
        let counter = Arc::new(1usize);
        save(*counter).await;
    });
}

// A private async fn is not required to be `Send`.
async fn private_helper() {
    let counter = Rc::new(1usize);
    save(*counter).await;
}
