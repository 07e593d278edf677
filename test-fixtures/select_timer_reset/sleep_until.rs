// `sleep_until` is only reset when its deadline is computed in the branch itself, as
// `Instant::now() + d`. A deadline computed once, before the loop, is the fix.

use std::io;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

const LEASE: Duration = Duration::from_secs(30);
const FLUSH_EVERY: Duration = Duration::from_millis(250);

pub struct Lease {
    renewals: mpsc::Receiver<()>,
    queries: mpsc::Receiver<u64>,
    expired: bool,
}

impl Lease {
    // `Instant::now() + LEASE` is evaluated on every iteration, so each query pushes the
    // expiry further away and the lease never expires while queries arrive. The expiry handler
    // keeps the loop going (it only marks the lease), so this is a periodic deadline, not an
    // idle timeout.
    async fn hold(&mut self) {
        loop {
            tokio::select! {
                Some(()) = self.renewals.recv() => tracing::debug!("lease renewed"),
                Some(id) = self.queries.recv() => tracing::trace!(id, "query"),
                _ = sleep_until(Instant::now() + LEASE) => { //~ select_timer_reset
                    tracing::warn!("lease expired");
                    self.expired = true;
                }
            }
        }
    }
}

// The fully qualified form: the same reset, written with paths.
async fn flush_loop(mut writer: OwnedWriteHalf, mut input: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut pending = Vec::new();
    loop {
        tokio::select! {
            Some(chunk) = input.recv() => pending.extend_from_slice(&chunk),
            _ = tokio::time::sleep_until(tokio::time::Instant::now() + FLUSH_EVERY) => { //~ select_timer_reset
                writer.write_all(&pending).await?;
                pending.clear();
            }
        }
    }
}

// Not reported: the deadline is computed once, before the loop, so queries do not move it.
async fn hold_until_deadline(mut queries: mpsc::Receiver<u64>) {
    let deadline = Instant::now() + LEASE;
    loop {
        tokio::select! {
            Some(id) = queries.recv() => tracing::trace!(id, "query"),
            _ = sleep_until(deadline) => {
                tracing::warn!("lease expired");
                return;
            }
        }
    }
}

// Not reported: the flush deadline is computed before the loop and moved forward only when
// the flush has happened, so items never postpone it.
async fn flush_on_deadline(mut writer: OwnedWriteHalf, mut input: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut pending = Vec::new();
    let mut next_flush = Instant::now() + FLUSH_EVERY;
    loop {
        tokio::select! {
            Some(chunk) = input.recv() => pending.extend_from_slice(&chunk),
            _ = sleep_until(next_flush) => {
                writer.write_all(&pending).await?;
                pending.clear();
                next_flush += FLUSH_EVERY;
            }
        }
    }
}
