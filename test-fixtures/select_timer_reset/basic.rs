// A `sleep` created in a select branch inside a loop starts a new timer on every iteration:
// as long as another branch keeps winning, the sleep never completes. For a heartbeat or a
// periodic flush that is a timer that never fires under load.

use std::io;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{self, sleep};

const HEARTBEAT: Duration = Duration::from_secs(15);
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const REPORT_EVERY: Duration = Duration::from_secs(10);

pub struct Batcher {
    input: mpsc::Receiver<Vec<u8>>,
    output: OwnedWriteHalf,
    pending: Vec<u8>,
    closed: bool,
}

impl Batcher {
    // The flush timer restarts with every item, so a steady stream of items means the batch
    // is never flushed.
    async fn run(&mut self) -> io::Result<()> {
        loop {
            tokio::select! {
                item = self.input.recv() => match item {
                    Some(item) => self.pending.extend_from_slice(&item),
                    None => return self.flush().await,
                },
                _ = tokio::time::sleep(FLUSH_EVERY) => self.flush().await?, //~ select_timer_reset
            }
        }
    }

    // `time::sleep` through the module path, in a `while` loop: the periodic report is
    // postponed by every item.
    async fn run_with_report(&mut self) -> io::Result<()> {
        let mut items = 0u64;
        while !self.closed {
            tokio::select! {
                item = self.input.recv() => match item {
                    Some(_) => items += 1,
                    None => self.closed = true,
                },
                _ = time::sleep(REPORT_EVERY) => tracing::info!(items, "items so far"), //~ select_timer_reset
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.output.write_all(&self.pending).await?;
            self.pending.clear();
        }
        Ok(())
    }
}

// Imported `sleep`: the heartbeat is meant to go out every 15 seconds, but each outgoing
// message restarts it, so a busy link never sends one and the peer's heartbeat check trips.
async fn send_loop(mut writer: OwnedWriteHalf, mut outbox: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    loop {
        tokio::select! {
            Some(msg) = outbox.recv() => writer.write_all(&msg).await?,
            _ = sleep(HEARTBEAT) => writer.write_all(b"HEARTBEAT\n").await?, //~ select_timer_reset
            else => return Ok(()),
        }
    }
}

// A spawned task with its own loop and `biased;`: a config that changes more often than
// every 10 seconds keeps the status report from ever running.
fn spawn_reporter(mut config: watch::Receiver<String>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                res = config.changed() => {
                    if res.is_err() {
                        return;
                    }
                }
                _ = sleep(REPORT_EVERY) => tracing::info!(config = %*config.borrow(), "status"), //~ select_timer_reset
            }
        }
    })
}
