// A receiver whose type this file cannot see, in a file that imports std's `Mutex`: the guard is
// taken to be std's, and is reported.

use std::sync::Mutex;

use crate::session::Session;

async fn send(_: &[u8]) {}

pub async fn send_pending(session: &Session) {
    if let Ok(pending) = session.outbox.try_lock() { //~ lock_held_across_await
        send(&pending).await;
    }
}

pub fn new_outbox() -> Mutex<Vec<u8>> {
    Mutex::new(Vec::new())
}
