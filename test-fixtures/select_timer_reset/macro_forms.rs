// The select forms: the imported `select!`, an `if` precondition on the timer branch,
// `futures::select!` with `.fuse()` (looked through: the finding is on the `sleep` call) and
// a select inside a user macro.

use std::io;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::select;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::sleep;
use tokio_stream::wrappers::ReceiverStream;

// The peer drops a session that has not sent a status report for 20 s, whatever else it sent.
const STATUS_EVERY: Duration = Duration::from_secs(20);
const FLUSH_EVERY: Duration = Duration::from_millis(50);

macro_rules! supervised {
    ($task:expr) => {
        tokio::spawn($task)
    };
}

// Imported `select!` and an `if` precondition: the flush timer only runs while something is
// pending, and every new chunk restarts it.
async fn coalesce(mut writer: OwnedWriteHalf, mut input: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut pending = Vec::new();
    loop {
        select! {
            chunk = input.recv() => match chunk {
                Some(chunk) => pending.extend_from_slice(&chunk),
                None => return writer.write_all(&pending).await,
            },
            _ = sleep(FLUSH_EVERY), if !pending.is_empty() => { //~ select_timer_reset
                writer.write_all(&pending).await?;
                pending.clear();
            }
        }
    }
}

// `futures::select!` in a loop: `.fuse()` does not change that the sleep is new each time.
async fn relay(mut writer: OwnedWriteHalf, input: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut input = ReceiverStream::new(input).fuse();
    loop {
        futures::select! {
            chunk = input.next() => match chunk {
                Some(chunk) => writer.write_all(&chunk).await?,
                None => return Ok(()),
            },
            _ = tokio::time::sleep(STATUS_EVERY).fuse() => writer.write_all(b"STATUS\n").await?, //~ select_timer_reset
        }
    }
}

// A select inside a user macro: the spawned block is parsed, and its loop restarts the
// status timer with every message, so the status report is never sent under load.
fn spawn_reporter(mut writer: OwnedWriteHalf, mut outbox: mpsc::Receiver<Vec<u8>>) -> JoinHandle<io::Result<()>> {
    supervised!(async move {
        loop {
            tokio::select! {
                Some(msg) = outbox.recv() => writer.write_all(&msg).await?,
                _ = sleep(STATUS_EVERY) => writer.write_all(b"STATUS\n").await?, //~ select_timer_reset
                else => return Ok(()),
            }
        }
    })
}

// Not reported: a ping sent only after `IDLE_PING` without traffic is an inactivity timer; the
// restart on every message is what makes it one.
const IDLE_PING: Duration = Duration::from_secs(20);

async fn ping_when_idle(mut writer: OwnedWriteHalf, mut outbox: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    loop {
        tokio::select! {
            Some(msg) = outbox.recv() => writer.write_all(&msg).await?,
            _ = sleep(IDLE_PING) => writer.write_all(b"PING\n").await?,
            else => return Ok(()),
        }
    }
}
