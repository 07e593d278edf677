// `notified()` is tokio's `Notify::notified` only on a tokio `Notify`. The receiver's type is
// resolved first: through a glob import, `Arc::new(..)`, `Arc::clone(&..)`. A notification type
// of the crate's own (here one built on `watch`, which keeps the last value, so nothing is
// missed between iterations) or of another crate is not tokio's.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

pub struct Notification {
    tx: watch::Sender<u64>,
    rx: watch::Receiver<u64>,
}

impl Notification {
    pub fn new() -> Notification {
        let (tx, rx) = watch::channel(0);
        Notification { tx, rx }
    }

    pub fn notify_waiters(&self) {
        self.tx.send_modify(|generation| *generation += 1);
    }

    pub async fn notified(&self) {
        let mut rx = self.rx.clone();
        let _ = rx.changed().await;
    }
}

// Not reported: the crate's own type, made here behind an `Arc` and shared with `Arc::clone`.
pub async fn run_own(mut jobs: mpsc::Receiver<u32>) {
    let reload = Arc::new(Notification::new());
    let waiter = Arc::clone(&reload);
    let trigger = reload.clone();
    tokio::spawn(async move { trigger.notify_waiters() });
    loop {
        tokio::select! {
            _ = waiter.notified() => tracing::info!("reload"),
            Some(job) = jobs.recv() => tracing::debug!(job, "job"),
        }
    }
}

// Reported: the same shapes on tokio's `Notify`, whose `notify_waiters` is missed while no
// `Notified` future exists.
pub async fn run_tokio(mut jobs: mpsc::Receiver<u32>) {
    let reload = Arc::new(tokio::sync::Notify::new());
    let waiter = Arc::clone(&reload);
    let trigger = reload.clone();
    tokio::spawn(async move { trigger.notify_waiters() });
    loop {
        tokio::select! {
            _ = waiter.notified() => tracing::info!("reload"), //~ select_arm_not_cancel_safe
            Some(job) = jobs.recv() => tracing::debug!(job, "job"),
        }
    }
}

mod from_another_crate {
    use std::sync::Arc;

    use signals::*;
    use tokio::sync::mpsc;

    // Not reported: `Notify` comes from the glob import of another crate, not from tokio.
    pub struct Worker {
        stop: Arc<Notify>,
    }

    impl Worker {
        pub async fn run(&self, mut jobs: mpsc::Receiver<u32>) {
            loop {
                tokio::select! {
                    _ = self.stop.notified() => return,
                    Some(job) = jobs.recv() => tracing::debug!(job, "job"),
                }
            }
        }

        pub fn stop(&self) {
            self.stop.notify_waiters();
        }
    }
}

mod from_tokio {
    use std::sync::Arc;

    use tokio::sync::*;

    // Reported: the glob import is tokio's.
    pub struct Worker {
        stop: Arc<Notify>,
    }

    impl Worker {
        pub async fn run(&self, mut jobs: mpsc::Receiver<u32>) {
            loop {
                tokio::select! {
                    _ = self.stop.notified() => return, //~ select_arm_not_cancel_safe
                    Some(job) = jobs.recv() => tracing::debug!(job, "job"),
                }
            }
        }

        pub fn stop(&self) {
            self.stop.notify_waiters();
        }
    }
}
