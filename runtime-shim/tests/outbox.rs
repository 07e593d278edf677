//! Outboxes keep every message until the channel or sink accepts it: checked by cancelling after
//! every possible number of polls, against a plain `Sender::send` that loses the message.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use cancel_check::outbox::{Outbox, SinkOutbox};
use cancel_check::testing::{check_cancellation, Outcome};
use futures_sink::Sink;
use futures_util::{FutureExt, StreamExt};
use tokio::sync::mpsc;

/// A full channel of capacity 1 whose consumer takes a message per wake-up and reports what it
/// received on `delivered`.
struct Busy<S> {
    sending: S,
    delivered: mpsc::UnboundedReceiver<u32>,
}

fn busy_channel() -> (mpsc::Sender<u32>, mpsc::UnboundedReceiver<u32>) {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let (delivered_tx, delivered) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(n) = rx.recv().await {
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            if delivered_tx.send(n).is_err() {
                return;
            }
        }
    });
    (tx, delivered)
}

/// What the consumer must receive: 0 (already in the channel), 1 (the operation's message, if
/// the operation started) and 2 (sent by the invariant).
fn expected<T>(outcome: &Outcome<T>) -> &'static [u32] {
    if outcome.was_polled() {
        &[0, 1, 2]
    } else {
        &[0, 2]
    }
}

async fn delivered_in_order(
    delivered: &mut mpsc::UnboundedReceiver<u32>,
    expected: &[u32],
) -> Result<(), String> {
    let mut received = Vec::new();
    while received.len() < expected.len() {
        match tokio::time::timeout(Duration::from_millis(500), delivered.recv()).await {
            Ok(Some(n)) => received.push(n),
            _ => break,
        }
    }
    if received == expected {
        Ok(())
    } else {
        Err(format!("delivered {received:?}, expected {expected:?}"))
    }
}

#[tokio::test]
async fn outbox_send_is_cancel_safe() {
    let summary = check_cancellation(
        async || {
            let (tx, delivered) = busy_channel();
            Busy {
                sending: Outbox::new(tx),
                delivered,
            }
        },
        async |busy: &mut Busy<Outbox<u32>>| busy.sending.send(1).await,
        async |busy, outcome| {
            if let Outcome::Completed {
                output: Err(error), ..
            } = &outcome
            {
                return Err(error.to_string());
            }
            // The next send delivers what a dropped one left first.
            busy.sending.send(2).await.map_err(|e| e.to_string())?;
            if busy.sending.pending() != 0 {
                return Err("the outbox is not empty after a send completed".to_string());
            }
            delivered_in_order(&mut busy.delivered, expected(&outcome)).await
        },
    )
    .await
    .unwrap();
    assert!(summary.polls_to_complete >= 1, "{summary:?}");
}

#[tokio::test]
async fn a_plain_send_loses_the_message_and_the_check_says_so() {
    let violation = check_cancellation(
        async || {
            let (tx, delivered) = busy_channel();
            Busy {
                sending: tx,
                delivered,
            }
        },
        async |busy: &mut Busy<mpsc::Sender<u32>>| busy.sending.send(1).await,
        async |busy, outcome| {
            if let Outcome::Completed {
                output: Err(error), ..
            } = &outcome
            {
                return Err(error.to_string());
            }
            busy.sending.send(2).await.map_err(|e| e.to_string())?;
            delivered_in_order(&mut busy.delivered, expected(&outcome)).await
        },
    )
    .await
    .unwrap_err();
    // k = 0 passes: the operation never started. The first poll moves 1 into `send`, which
    // waits for room in the full channel; dropping it then drops the message.
    assert_eq!(violation.k, 1, "{violation}");
    assert_eq!(violation.message, "delivered [0, 2], expected [0, 1, 2]");
}

/// The scenario of the lints: messages relayed from one channel to another, with the send raced
/// against a timer in a loop. The output channel is full and its consumer takes a message only
/// when the timer branch has won, so sends are dropped midway, again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_a_select_loop() {
    let (input_tx, mut input) = mpsc::channel(4);
    let (output_tx, mut output) = mpsc::channel(1);
    let (go_tx, mut go) = mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        for n in 1..=50u32 {
            input_tx.send(n).await.unwrap();
        }
    });
    let consumer = tokio::spawn(async move {
        let mut received = Vec::new();
        while go.recv().await.is_some() {
            received.extend(output.recv().await);
        }
        while let Some(n) = output.recv().await {
            received.push(n);
        }
        received
    });
    let mut outbox = Outbox::new(output_tx);
    outbox.send(0).await.unwrap();
    let mut cut = 0;
    while let Some(n) = input.recv().await {
        tokio::select! {
            sent = outbox.send(n) => sent.unwrap(),
            // cancel-check: allow(select_timer_reset) -- a fresh timer each time round is the point:
            // it fires once the other branch has been waiting for 1 ms
            _ = tokio::time::sleep(Duration::from_millis(1)) => {
                if outbox.pending() > 0 {
                    // `send` was dropped with its message in the outbox.
                    cut += 1;
                }
                go_tx.send(()).unwrap();
            }
        }
    }
    drop(go_tx);
    outbox.flush().await.unwrap();
    drop(outbox);
    assert_eq!(consumer.await.unwrap(), (0..=50).collect::<Vec<_>>());
    // The first send found the channel full and the consumer waiting for the timer.
    assert!(cut >= 1);
}

#[tokio::test]
async fn a_closed_channel_keeps_the_messages() {
    let (tx, mut rx) = mpsc::channel(1);
    let mut outbox = Outbox::new(tx);
    outbox.send("delivered").await.unwrap();
    assert_eq!(rx.recv().await, Some("delivered"));
    rx.close();
    outbox.push("a");
    let error = outbox.send("b").await.unwrap_err();
    assert_eq!(error.pending(), 2);
    assert_eq!(
        error.to_string(),
        "the channel is closed; 2 messages are still in the outbox"
    );
    assert_eq!(outbox.into_pending(), ["a", "b"]);
}

#[tokio::test]
async fn sink_outbox_send_is_cancel_safe() {
    check_cancellation(
        async || {
            // A zero-capacity futures channel, drained slowly.
            let (tx, mut rx) = futures_channel::mpsc::channel::<u32>(0);
            let (delivered_tx, delivered) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                while let Some(n) = rx.next().await {
                    tokio::task::yield_now().await;
                    if delivered_tx.send(n).is_err() {
                        return;
                    }
                }
            });
            let mut sending = SinkOutbox::new(tx);
            sending.push(0);
            Busy { sending, delivered }
        },
        async |busy: &mut Busy<SinkOutbox<futures_channel::mpsc::Sender<u32>, u32>>| {
            busy.sending.send(1).await
        },
        async |busy, outcome| {
            if let Outcome::Completed {
                output: Err(error), ..
            } = &outcome
            {
                return Err(error.to_string());
            }
            busy.sending.send(2).await.map_err(|e| e.to_string())?;
            delivered_in_order(&mut busy.delivered, expected(&outcome)).await
        },
    )
    .await
    .unwrap();
}

/// A sink that accepts an item only every other `poll_ready`, and records what it got.
#[derive(Default)]
struct Picky {
    accepted: Vec<u8>,
    ready: bool,
    flushes: usize,
}

impl Sink<u8> for Picky {
    type Error = String;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        if self.ready {
            Poll::Ready(Ok(()))
        } else {
            self.ready = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn start_send(mut self: Pin<&mut Self>, item: u8) -> Result<(), String> {
        if !self.ready {
            return Err("start_send without poll_ready".to_string());
        }
        self.ready = false;
        self.accepted.push(item);
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_sink_outbox_waits_for_poll_ready_and_flushes() {
    let mut outbox = SinkOutbox::new(Picky::default());
    // Dropped after one poll: the sink was not ready, so 1 is still in the outbox.
    assert!(outbox.send(1).now_or_never().is_none());
    assert_eq!(outbox.pending(), 1);
    outbox.push(2);
    outbox.send(3).await.unwrap();
    assert_eq!(outbox.pending(), 0);
    assert_eq!(outbox.get_ref().accepted, [1, 2, 3]);
    assert!(outbox.get_ref().flushes >= 1);
    let (sink, pending) = outbox.into_parts();
    assert_eq!((sink.accepted.len(), pending), (3, VecDeque::new()));
}
