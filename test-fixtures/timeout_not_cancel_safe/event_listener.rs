// `event_listener::Event::listen()` under a timeout. Once is fine: the caller checks the state
// it waits for. In a loop, every timeout drops the listener and the next one is created later;
// a notification sent in between reaches nobody, because `Event` stores no permit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use event_listener::Event;
use tokio::time::timeout;

const HOUSEKEEPING: Duration = Duration::from_secs(1);

pub struct Cache {
    changed: Event,
    stale: AtomicBool,
}

impl Cache {
    // A housekeeping loop: each timeout re-creates the listener, and a `notify` from `mark_stale`
    // between two attempts is lost until the next change.
    async fn refresher(&self) {
        loop {
            match timeout(HOUSEKEEPING, self.changed.listen()).await { //~ timeout_not_cancel_safe
                Ok(()) => self.refresh(),
                Err(_) => tracing::trace!("housekeeping"),
            }
        }
    }

    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::Release);
        self.changed.notify(1);
    }

    fn refresh(&self) {
        self.stale.store(false, Ordering::Release);
    }
}

// Not reported: one wait, no loop. A notification missed here is missed once, and the caller
// looks at the flag either way.
async fn wait_a_little(event: &Event, ready: &AtomicBool) -> bool {
    let _ = timeout(Duration::from_millis(50), event.listen()).await;
    ready.load(Ordering::Acquire)
}
