// Retry loops and nested async bodies. The loop must be in the same async body as the
// timeout: a loop outside an `async move` block or a closure does not count.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;

const ACK_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_ATTEMPTS: u32 = 3;

pub struct Uploader {
    conn: TcpStream,
    retries: u32,
}

impl Uploader {
    // A retry loop on `&mut self`: each attempt re-creates `write_all`, and a timed-out
    // attempt has already put part of the chunk on the wire.
    async fn upload_chunk(&mut self, chunk: &[u8]) -> io::Result<()> {
        for attempt in 0..self.retries {
            match timeout(ACK_TIMEOUT, self.conn.write_all(chunk)).await { //~ timeout_not_cancel_safe
                Ok(res) => return res,
                Err(_) => tracing::warn!(attempt, "upload timed out, retrying"),
            }
        }
        Err(io::ErrorKind::TimedOut.into())
    }
}

// A `loop` with a counter: the acknowledgement is two bytes, and a timeout between them
// makes the next attempt read the second byte as the first one.
async fn wait_for_ack(mut stream: TcpStream) -> io::Result<u16> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match timeout(ACK_TIMEOUT, stream.read_u16()).await { //~ timeout_not_cancel_safe
            Ok(ack) => return ack,
            Err(_) if attempts < MAX_ATTEMPTS => stream.write_all(b"RESEND\n").await?,
            Err(_) => return Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

// A spawned task with its own retry loop: the loop is in the same async block as the
// timeout.
fn spawn_heartbeat_reader(mut stream: TcpStream, events: mpsc::Sender<u64>) -> JoinHandle<io::Result<()>> {
    tokio::spawn(async move {
        let mut beat = [0u8; 8];
        loop {
            match timeout(ACK_TIMEOUT, stream.read_exact(&mut beat)).await { //~ timeout_not_cancel_safe
                Ok(res) => {
                    res?;
                    if events.send(u64::from_be_bytes(beat)).await.is_err() {
                        return Ok(());
                    }
                }
                Err(_) => tracing::warn!("heartbeat late"),
            }
        }
    })
}

// Not reported: the accept loop is outside the spawned block, and inside it the timeout runs
// once on a socket that the task drops when it returns.
async fn accept_clients(listener: TcpListener) -> io::Result<()> {
    let mut tasks = JoinSet::new();
    loop {
        let (mut socket, peer) = listener.accept().await?;
        tasks.spawn(async move {
            let mut hello = [0u8; 5];
            match timeout(ACK_TIMEOUT, socket.read_exact(&mut hello)).await {
                Ok(Ok(_)) => tracing::info!(%peer, "client said hello"),
                Ok(Err(err)) => tracing::warn!(%peer, %err, "read failed"),
                Err(_) => tracing::warn!(%peer, "client too slow, closing"),
            }
        });
    }
}

// Not reported: the `for` loop is outside the closure; the async block it returns owns its
// stream and drops it after a one-shot timeout.
async fn ping_all(addrs: &[std::net::SocketAddr]) -> Vec<bool> {
    let ping = |addr: std::net::SocketAddr| async move {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            return false;
        };
        let mut pong = [0u8; 4];
        stream.write_all(b"PING").await.is_ok()
            && matches!(timeout(ACK_TIMEOUT, stream.read_exact(&mut pong)).await, Ok(Ok(_)))
    };
    let mut alive = Vec::with_capacity(addrs.len());
    for addr in addrs {
        alive.push(ping(*addr).await);
    }
    alive
}

// Not reported: the retry loop times out `recv`, which is cancel safe.
async fn drain_with_deadline(mut rx: mpsc::Receiver<Vec<u8>>) -> usize {
    let mut received = 0;
    for _ in 0..MAX_ATTEMPTS {
        while let Ok(Some(msg)) = timeout(ACK_TIMEOUT, rx.recv()).await {
            received += msg.len();
        }
    }
    received
}
