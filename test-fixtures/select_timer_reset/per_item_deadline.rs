// A per-item deadline is not a reset: when the other branch works on the current item (sends
// it, processes it, writes it) and the loop then moves to the next one, the timer times that
// item ("warn when one send is slow"), and a new timer for the next item is the point. Only a
// branch that takes events from a recurring source (a channel, a stream, a listener) and lets the
// loop go on starves the timer.

use std::collections::VecDeque;
use std::time::Duration;

use futures::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::sleep;

const SLOW: Duration = Duration::from_secs(1);
const REPORT_EVERY: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(15);

async fn process(_job: &str) {}

// Each event gets its own deadline: a slow send is logged, then the next event is sent.
pub async fn forward(events: Vec<String>, tx: mpsc::Sender<String>) {
    for event in events {
        tokio::select! {
            sent = tx.send(event) => {
                if sent.is_err() {
                    return;
                }
            }
            _ = sleep(SLOW) => tracing::warn!("a send took more than a second"),
        }
    }
}

// The timer times the current item of the queue.
pub async fn drain(mut queue: VecDeque<String>) {
    while let Some(job) = queue.pop_front() {
        tokio::select! {
            () = process(&job) => {}
            _ = sleep(SLOW) => tracing::warn!(%job, "slow job"),
        }
    }
}

// A write attempt per iteration, raced against a fresh deadline: the loop retries the same
// write until it is done.
pub async fn write_with_progress(stream: &mut TcpStream, mut pending: VecDeque<Vec<u8>>) {
    loop {
        let Some(chunk) = pending.front() else { break };
        tokio::select! {
            written = stream.write_all(chunk) => {
                if written.is_err() {
                    return;
                }
                pending.pop_front();
            }
            _ = sleep(SLOW) => tracing::debug!("still writing"),
        }
    }
}

// A recurring source whose handler leaves the loop: the first event ends it.
pub async fn first_message(mut rx: mpsc::Receiver<String>) -> Option<String> {
    loop {
        tokio::select! {
            message = rx.recv() => return message,
            _ = sleep(REPORT_EVERY) => tracing::info!("still waiting"),
        }
    }
}

// Still reported: every accepted connection restarts the report timer.
pub async fn serve(listener: TcpListener) {
    let mut served = 0u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if accepted.is_ok() {
                    served += 1;
                }
            }
            _ = sleep(REPORT_EVERY) => tracing::info!(served, "connections"), //~ select_timer_reset
        }
    }
}

// Still reported: a busy stream keeps the ping from ever going out.
pub async fn keep_alive<S>(mut frames: S, mut out: TcpStream)
where
    S: futures::Stream<Item = Vec<u8>> + Unpin,
{
    loop {
        tokio::select! {
            Some(frame) = frames.next() => tracing::trace!(len = frame.len(), "frame"),
            _ = sleep(PING_EVERY) => { //~ select_timer_reset
                let _ = out.write_all(b"PING\n").await;
            }
        }
    }
}
