//! Before: a relay that forwards events to a slow consumer, racing each send against a
//! progress timer in a `select!` loop.
//!
//! `Sender::send(event)` moves the event into its future. When the timer wins the race, that
//! future is dropped and the event with it: it was never sent, and it is gone.
//! `cargo cancel-check` reports the branch (`select_arm_not_cancel_safe`).
//! `send_in_select_after.rs` is the fix.
//!
//! Run: `cargo run -p cancel-check --example send_in_select_before`

use std::time::Duration;

use tokio::sync::mpsc;

/// Forwards every event from `events` to `out`, reporting progress while the consumer is slow.
async fn relay(mut events: mpsc::Receiver<u32>, out: mpsc::Sender<u32>) {
    let mut progress = tokio::time::interval(Duration::from_millis(2));
    let mut waits = 0;
    while let Some(event) = events.recv().await {
        tokio::select! {
            sent = out.send(event) => {
                if sent.is_err() {
                    return;
                }
            }
            _ = progress.tick() => waits += 1,
        }
    }
    println!("the relay waited for the consumer {waits} times");
}

#[tokio::main]
async fn main() {
    let (events_tx, events) = mpsc::channel(16);
    let (out, mut consumer) = mpsc::channel(1);
    tokio::spawn(async move {
        for event in 0..20 {
            events_tx.send(event).await.unwrap();
        }
    });
    let relay = tokio::spawn(relay(events, out));
    let mut received = Vec::new();
    while let Some(event) = consumer.recv().await {
        received.push(event);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    relay.await.unwrap();
    println!("received {} of 20 events: {received:?}", received.len());
}
