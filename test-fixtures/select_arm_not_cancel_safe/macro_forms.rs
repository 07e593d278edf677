// The syntax of `select!` itself: `biased;`, `if` preconditions, `else`, refutable patterns,
// the macro imported with `use tokio::select;`, a select nested in another select's handler
// and a select inside a user macro. The finding is always on the branch future.

use std::io;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::select;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

macro_rules! supervised {
    ($task:expr) => {
        tokio::spawn($task)
    };
}

pub struct Link {
    rx: OwnedReadHalf,
    tx: OwnedWriteHalf,
    paused: watch::Receiver<bool>,
    outbox: mpsc::Receiver<Bytes>,
    token: CancellationToken,
}

impl Link {
    // `biased;` only fixes the polling order; the losing `read_exact` is still dropped.
    async fn read_loop(&mut self) -> io::Result<()> {
        let mut header = [0u8; 6];
        loop {
            tokio::select! {
                biased;
                _ = self.token.cancelled() => return Ok(()),
                res = self.rx.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                    res?;
                    tracing::trace!(?header, "frame header");
                }
            }
        }
    }

    // An `if` precondition does not protect the read: when the pause flag changes, the other
    // branch wins and the partly read header is dropped with the future.
    async fn read_when_unpaused(&mut self) -> io::Result<()> {
        let mut header = [0u8; 6];
        loop {
            let ready = !*self.paused.borrow();
            tokio::select! {
                res = self.rx.read_exact(&mut header), if ready => res?, //~ select_arm_not_cancel_safe
                Ok(()) = self.paused.changed() => continue,
            }
        }
    }

    // Imported `select!`, refutable patterns and `else`: `Ok(n) = ...` is the future's pattern,
    // the finding is on `read_u16`, not on the `write_all` in the handler.
    async fn relay(&mut self) -> io::Result<()> {
        loop {
            select! {
                Ok(n) = self.rx.read_u16() => { //~ select_arm_not_cancel_safe
                    self.tx.write_all(&n.to_be_bytes()).await?;
                }
                Some(bytes) = self.outbox.recv() => {
                    self.tx.write_all(&bytes).await?;
                }
                else => return Ok(()),
            }
        }
    }

    // A select nested in the handler of another select: the inner select runs inside the
    // outer loop, so its `write_all` is re-created on every message and cut off by the
    // pause signal.
    async fn flush_outbox(&mut self) -> io::Result<()> {
        loop {
            select! {
                Some(bytes) = self.outbox.recv() => {
                    select! {
                        res = self.tx.write_all(&bytes) => res?, //~ select_arm_not_cancel_safe
                        Ok(()) = self.paused.changed() => tracing::debug!("paused during write"),
                    }
                }
                _ = self.token.cancelled() => return Ok(()),
            }
        }
    }
}

// A select inside a user macro: the macro body is an expression, so it is parsed and the
// loop in the spawned block is found.
fn spawn_pinger(mut stream: TcpStream, token: CancellationToken) -> JoinHandle<io::Result<()>> {
    supervised!(async move {
        let mut seq = 0u64;
        let mut heartbeat = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = heartbeat.tick() => tracing::trace!("peer still connected"),
                res = stream.write_u64(seq) => { //~ select_arm_not_cancel_safe
                    res?;
                    seq += 1;
                }
                _ = token.cancelled() => return Ok(()),
            }
        }
    })
}

// Not reported: the racy call is in the handler, after `=>`; only branch futures are raced.
async fn answer(mut stream: TcpStream, mut requests: mpsc::Receiver<Bytes>, token: CancellationToken) -> io::Result<()> {
    loop {
        select! {
            Some(req) = requests.recv() => {
                stream.write_all(&req).await?;
                let mut ack = [0u8; 2];
                stream.read_exact(&mut ack).await?;
            }
            _ = token.cancelled() => return Ok(()),
            else => return Ok(()),
        }
    }
}
