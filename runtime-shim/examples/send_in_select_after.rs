//! After: the same relay with an `Outbox`. `outbox.send(event)` puts the event in the outbox
//! before anything can be dropped, and delivers with reserve-then-send; when the timer wins,
//! the event waits in the outbox and the next `send` (or the final `flush`) delivers it first.
//! `cargo cancel-check` has nothing to report: the method is marked `#[cancel_safe]`.
//! `send_in_select_before.rs` is the bug.
//!
//! Run: `cargo run -p cancel-check --example send_in_select_after`

use std::time::Duration;

use cancel_check::outbox::{Closed, Outbox};
use tokio::sync::mpsc;

/// Forwards every event from `events` to `out`, reporting progress while the consumer is slow.
async fn relay(mut events: mpsc::Receiver<u32>, out: mpsc::Sender<u32>) -> Result<(), Closed> {
    let mut outbox = Outbox::new(out);
    let mut progress = tokio::time::interval(Duration::from_millis(2));
    let mut waits = 0;
    while let Some(event) = events.recv().await {
        tokio::select! {
            sent = outbox.send(event) => sent?,
            _ = progress.tick() => waits += 1,
        }
    }
    outbox.flush().await?;
    println!("the relay waited for the consumer {waits} times");
    Ok(())
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
    relay.await.unwrap().unwrap();
    println!("received {} of 20 events: {received:?}", received.len());
    assert_eq!(received, (0..20).collect::<Vec<_>>());
}
