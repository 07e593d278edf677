// event-listener's documented idiom is listen, check the state, then wait. A loop that creates
// the listener at the top of each iteration, before it looks at the state the event guards,
// misses nothing: a notification sent while no listener exists is lost, but the state check that
// follows the next `listen()` sees what it announced. A `let` of the listener followed by other
// statements before the race is read as that idiom; a `let` right before the race is not (see
// `serve_until_shutdown` in event_listener.rs).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_listener::Event;

pub struct Log {
    pending: Mutex<Vec<u64>>,
}

impl Log {
    fn take(&self) -> Vec<u64> {
        std::mem::take(&mut *self.pending.lock().unwrap())
    }
}

// Not reported: the listener exists before `take` looks at the log, so an append that notifies
// between two iterations is either seen by `take` or wakes the listener.
async fn replicate(log: Arc<Log>, appended: Arc<Event>, period: Duration) {
    let mut ticker = tokio::time::interval(period);
    loop {
        let listener = appended.listen();
        let batch = log.take();
        send(batch).await;
        tokio::select! {
            _ = ticker.tick() => {}
            _ = listener => {}
        }
    }
}

// Still reported: the state is read before the listener exists, so an append in between is
// neither seen nor heard.
async fn replicate_racy(log: Arc<Log>, appended: Arc<Event>, period: Duration) {
    let mut ticker = tokio::time::interval(period);
    loop {
        let batch = log.take();
        send(batch).await;
        tokio::select! {
            _ = ticker.tick() => {}
            _ = appended.listen() => {} //~ select_arm_not_cancel_safe
        }
    }
}

// Not reported: the same idiom with the listener under a timeout inside the `select!` (a
// replication task that syncs on new entries or on a heartbeat, whichever comes first).
async fn sync_task(log: Arc<Log>, appended: Arc<Event>, period: Duration) {
    let mut ticker = tokio::time::interval(period);
    loop {
        let listener = appended.listen();
        let batch = log.take();
        if batch.is_empty() {
            tracing::trace!("nothing new");
        }
        tokio::select! {
            _ = ticker.tick() => {}
            res = tokio::time::timeout(period, listener) => {
                if res.is_err() {
                    tracing::trace!("quiet");
                }
            }
        }
    }
}

async fn send(_batch: Vec<u64>) {}
