//@ check-pass
// Timers that keep their deadline across iterations: a `sleep` pinned before the loop and
// polled by `&mut` (reset on purpose in a handler, or never), `interval.tick()`, a deadline
// computed before the loop, and a one-shot select where `sleep` is a plain timeout.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{self, interval, sleep, Instant, MissedTickBehavior};

const HEARTBEAT: Duration = Duration::from_secs(15);
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const SESSION: Duration = Duration::from_secs(300);

pub struct Batcher {
    input: mpsc::Receiver<Vec<u8>>,
    output: OwnedWriteHalf,
    pending: Vec<u8>,
}

impl Batcher {
    // The flush timer is created once and pinned; the handler resets it only after a flush, so
    // items never postpone it.
    async fn run(&mut self) -> io::Result<()> {
        let flush = sleep(FLUSH_EVERY);
        tokio::pin!(flush);
        loop {
            tokio::select! {
                item = self.input.recv() => match item {
                    Some(item) => self.pending.extend_from_slice(&item),
                    None => return self.output.write_all(&self.pending).await,
                },
                _ = &mut flush => {
                    self.output.write_all(&self.pending).await?;
                    self.pending.clear();
                    flush.as_mut().reset(Instant::now() + FLUSH_EVERY);
                }
            }
        }
    }
}

// `interval` keeps its schedule across iterations: the heartbeat goes out every 15 seconds
// however busy the link is.
async fn send_loop(mut writer: OwnedWriteHalf, mut outbox: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut heartbeat = interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            Some(msg) = outbox.recv() => writer.write_all(&msg).await?,
            _ = heartbeat.tick() => writer.write_all(b"HEARTBEAT\n").await?,
            else => return Ok(()),
        }
    }
}

// One session deadline for the whole loop, pinned and never reset: the session ends after five
// minutes whatever arrives.
async fn session(reader: OwnedReadHalf, mut writer: OwnedWriteHalf) -> io::Result<()> {
    let mut lines = BufReader::new(reader).lines();
    let session_end = time::sleep(SESSION);
    tokio::pin!(session_end);
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => writer.write_all(line.as_bytes()).await?,
                None => return Ok(()),
            },
            () = &mut session_end => return writer.write_all(b"SESSION OVER\n").await,
        }
    }
}

// A deadline computed before the loop: `sleep_until(deadline)` does not move.
async fn collect_until(mut results: mpsc::Receiver<u32>, budget: Duration) -> Vec<u32> {
    let deadline = Instant::now() + budget;
    let mut collected = Vec::new();
    loop {
        tokio::select! {
            Some(result) = results.recv() => collected.push(result),
            _ = time::sleep_until(deadline) => break,
            else => break,
        }
    }
    collected
}

// A one-shot select: `sleep` is simply the timeout of this single wait.
async fn wait_ready(ready: oneshot::Receiver<()>) -> bool {
    tokio::select! {
        res = ready => res.is_ok(),
        _ = sleep(Duration::from_secs(5)) => false,
    }
}

// A `sleep` awaited in the loop body, not raced in a select: the loop waits the full second
// every time.
async fn poll_status(mut status: mpsc::Receiver<u8>) {
    loop {
        while let Ok(code) = status.try_recv() {
            tracing::debug!(code, "status");
        }
        time::sleep(Duration::from_secs(1)).await;
    }
}

// An idle timeout: the connection is closed after `IDLE` without a message. Restarting the
// timer whenever a message arrives is the point, and the timer branch leaves the loop.
async fn close_when_idle(mut messages: tokio::sync::mpsc::Receiver<String>) {
    const IDLE: std::time::Duration = std::time::Duration::from_secs(30);
    loop {
        tokio::select! {
            Some(message) = messages.recv() => tracing::debug!(%message, "message"),
            _ = tokio::time::sleep(IDLE) => {
                tracing::info!("idle, closing");
                break;
            }
        }
    }
}

// The loop manages its deadline: the remaining time is recomputed from a stored deadline
// whenever the configuration changes, so restarting the timer is exactly what is wanted.
async fn cleanup_loop(state: std::sync::Arc<tokio::sync::Mutex<CleanupState>>, changed: std::sync::Arc<tokio::sync::Notify>) {
    let mut remaining = state.lock().await.time_to_next_cleanup();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(remaining) => {
                state.lock().await.run_cleanup().await;
                remaining = state.lock().await.time_to_next_cleanup();
            }
            _ = changed.notified() => {
                remaining = state.lock().await.time_to_next_cleanup();
            }
        }
    }
}

// The select only says why the loop woke up; every wake-up runs the same reconciliation, so a
// timer restarted by a config change delays nothing.
async fn reconcile_forever(mut config: tokio::sync::watch::Receiver<Config>) -> Result<(), tokio::sync::watch::error::RecvError> {
    loop {
        reconcile(&config.borrow_and_update()).await;
        let reason = tokio::select! {
            () = tokio::time::sleep(RECONCILE_EVERY) => Wakeup::Periodic,
            changed = config.changed() => {
                changed?;
                Wakeup::ConfigChanged
            }
        };
        tracing::debug!(?reason, "reconciling again");
    }
}

// An idle timeout written with `continue`: the timer is re-armed on purpose each time round and
// its handler skips the rest of the loop (it releases a permit while the peer is quiet).
async fn hold_permit_while_busy(mut frames: tokio::sync::mpsc::Receiver<Vec<u8>>, limiter: std::sync::Arc<tokio::sync::Semaphore>) {
    let mut permit = None;
    loop {
        let quiet = tokio::time::sleep(std::time::Duration::from_millis(10));
        tokio::pin!(quiet);
        tokio::select! {
            _ = &mut quiet => {
                permit = None;
                continue;
            }
            frame = frames.recv() => match frame {
                Some(frame) => {
                    if permit.is_none() {
                        permit = limiter.clone().acquire_owned().await.ok();
                    }
                    tracing::trace!(len = frame.len(), "frame");
                }
                None => break,
            },
        }
    }
}

// The delay is recomputed each time round from the next item's due time (bound by `if let`
// inside the loop): the loop manages its deadline.
async fn wait_until_due(queue: std::sync::Arc<tokio::sync::Mutex<Vec<std::time::Instant>>>, wakeup: std::sync::Arc<tokio::sync::Notify>) {
    loop {
        let next = queue.lock().await.first().copied();
        if let Some(due) = next {
            if let Some(delay) = due.checked_duration_since(std::time::Instant::now()) {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = wakeup.notified() => continue,
                }
            }
            queue.lock().await.remove(0);
        } else {
            wakeup.notified().await;
        }
    }
}
