// `event_listener::listener!(event => name)` expands to three `let` statements that end in
// `let mut name = <stack slot>.listen();`: a listener registered on `event` and bound to `name`,
// exactly like `let mut name = event.listen();`, and read by the model as that `let`.

use std::sync::Arc;

use event_listener::{listener, Event, Listener};
use tokio::sync::mpsc;

// The stack listener is created anew in every iteration: a notification sent between two
// iterations reaches nobody.
async fn serve(mut conns: mpsc::Receiver<u64>, shutdown: Arc<Event>) {
    loop {
        listener!(shutdown => stopping);
        tokio::select! {
            _ = stopping => break, //~ select_arm_not_cancel_safe
            Some(conn) = conns.recv() => tracing::debug!(conn, "connection"),
        }
    }
}

// The same through the full macro path, raced by `&mut`: still one listener per iteration.
async fn serve_qualified(mut conns: mpsc::Receiver<u64>, shutdown: Arc<Event>) {
    loop {
        event_listener::listener!(shutdown => stopping);
        tokio::select! {
            _ = &mut stopping => break, //~ select_arm_not_cancel_safe
            Some(conn) = conns.recv() => tracing::debug!(conn, "connection"),
        }
    }
}

// Not reported: one stack listener for the whole loop, raced by `&mut`.
async fn serve_fixed(mut conns: mpsc::Receiver<u64>, shutdown: Arc<Event>) {
    listener!(shutdown => stopping);
    loop {
        tokio::select! {
            _ = &mut stopping => break,
            Some(conn) = conns.recv() => tracing::debug!(conn, "connection"),
        }
    }
}

// Not reported: the crate's listen-check-wait idiom with a stack listener, no race.
async fn wait_flag(flag: &std::sync::atomic::AtomicBool, event: &Event) {
    use std::sync::atomic::Ordering;
    loop {
        if flag.load(Ordering::Acquire) {
            return;
        }
        listener!(event => ready);
        if flag.load(Ordering::Acquire) {
            return;
        }
        ready.await;
    }
}
