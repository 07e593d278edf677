// The spellings of a timeout: `timeout` imported from `tokio::time`, `time::timeout` through
// the module, `timeout_at` with a deadline, and the `.timeout(d)` extension method from
// `tokio_util::time::FutureExt`. The finding is on the wrapped future: the second argument,
// or the receiver of `.timeout(..)`.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{self, timeout, timeout_at, Instant};
use tokio_util::time::FutureExt;

const POLL: Duration = Duration::from_millis(500);

// Imported `timeout`: a line that is still arriving when the timer fires is dropped, and the
// loop then reads from the middle of it.
async fn tail(mut reader: BufReader<OwnedReadHalf>, out: mpsc::Sender<String>) -> io::Result<()> {
    loop {
        let mut line = String::new();
        match timeout(POLL, reader.read_line(&mut line)).await { //~ timeout_not_cancel_safe
            Ok(Ok(0)) => return Ok(()),
            Ok(Ok(_)) => {
                if out.send(line).await.is_err() {
                    return Ok(());
                }
            }
            Ok(Err(err)) => return Err(err),
            Err(_) => tracing::trace!("no line yet"),
        }
    }
}

// `time::timeout` through the module path, in a retry loop around a fixed-size reply.
async fn query(stream: &mut TcpStream, request: &[u8], retries: u32) -> io::Result<[u8; 32]> {
    let mut reply = [0u8; 32];
    for attempt in 0..retries {
        stream.write_all(request).await?;
        match time::timeout(POLL, stream.read_exact(&mut reply)).await { //~ timeout_not_cancel_safe
            Ok(res) => {
                res?;
                return Ok(reply);
            }
            Err(_) => tracing::warn!(attempt, "query timed out, retrying"),
        }
    }
    Err(io::ErrorKind::TimedOut.into())
}

// `timeout_at` with one deadline for a whole batch: the deadline is fixed, but the write that
// is cut off is still re-created for every frame of the loop.
async fn flush_batch(writer: &mut OwnedWriteHalf, frames: &[Vec<u8>], budget: Duration) -> io::Result<usize> {
    let deadline = Instant::now() + budget;
    let mut written = 0;
    for frame in frames {
        match timeout_at(deadline, writer.write_all(frame)).await { //~ timeout_not_cancel_safe
            Ok(res) => {
                res?;
                written += 1;
            }
            Err(_) => break,
        }
    }
    Ok(written)
}

// The extension method: `.timeout(d)` wraps its receiver, and the finding starts at the
// receiver, `reader.read_u32()`.
async fn read_lengths(mut reader: OwnedReadHalf, out: mpsc::Sender<u32>) -> io::Result<()> {
    loop {
        match reader.read_u32().timeout(POLL).await { //~ timeout_not_cancel_safe
            Ok(len) => {
                if out.send(len?).await.is_err() {
                    return Ok(());
                }
            }
            Err(_) => continue,
        }
    }
}

// Not reported: the extension method on a cancel-safe call.
async fn next_job(jobs: &mut mpsc::Receiver<u64>) -> Option<u64> {
    jobs.recv().timeout(POLL).await.ok().flatten()
}

// Not reported: a one-shot `timeout_at` on a local stream that is dropped right after the
// error is returned.
async fn fetch_banner(addr: std::net::SocketAddr, deadline: Instant) -> io::Result<String> {
    let stream = TcpStream::connect(addr).await?;
    let mut banner = String::new();
    let mut reader = BufReader::new(stream);
    timeout_at(deadline, reader.read_line(&mut banner))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    Ok(banner)
}
