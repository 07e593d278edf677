// Async blocks and closures are their own bodies: only a loop in the same body as the select
// makes its `sleep` restart.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);
const STATUS_EVERY: Duration = Duration::from_secs(5);

// Not reported: the accept loop is outside the spawned block; inside it, the select runs once
// and `sleep` is a plain login timeout.
async fn accept_logins(listener: TcpListener, token: CancellationToken) -> io::Result<()> {
    let mut tasks = JoinSet::new();
    loop {
        let (mut socket, peer) = listener.accept().await?;
        let token = token.clone();
        tasks.spawn(async move {
            tokio::select! {
                res = socket.read_u8() => match res {
                    Ok(version) => tracing::info!(%peer, version, "client version"),
                    Err(err) => tracing::warn!(%peer, %err, "login failed"),
                },
                _ = sleep(LOGIN_TIMEOUT) => {
                    tracing::warn!(%peer, "login timed out");
                    let _ = socket.write_all(b"TIMEOUT\n").await;
                }
                _ = token.cancelled() => {}
            }
        });
    }
}

// Reported: the spawned block has its own loop; every event restarts the status timer.
fn spawn_status(mut events: mpsc::Receiver<String>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = 0u64;
        loop {
            tokio::select! {
                Some(event) = events.recv() => {
                    seen += 1;
                    tracing::trace!(%event, "event");
                }
                _ = sleep(STATUS_EVERY) => tracing::info!(seen, "status"), //~ select_timer_reset
                else => return,
            }
        }
    })
}

// Reported: a closure that returns an async block with a loop; the keepalive timer of each
// connection restarts with every outgoing message.
fn keepalive_writer(token: CancellationToken) -> impl Fn(TcpStream, mpsc::Receiver<Vec<u8>>) -> JoinHandle<io::Result<()>> {
    move |mut stream, mut outbox| {
        let token = token.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    Some(msg) = outbox.recv() => stream.write_all(&msg).await?,
                    _ = sleep(STATUS_EVERY) => stream.write_all(b"KEEPALIVE\n").await?, //~ select_timer_reset
                    _ = token.cancelled() => return Ok(()),
                }
            }
        })
    }
}

// Not reported: the `for` loop is outside the closure; each connection attempt gets one
// timeout of its own.
async fn connect_all(addrs: Vec<std::net::SocketAddr>) -> Vec<TcpStream> {
    let connect = |addr| async move {
        tokio::select! {
            res = TcpStream::connect(addr) => res.ok(),
            _ = sleep(LOGIN_TIMEOUT) => None,
        }
    };
    let mut streams = Vec::new();
    for addr in addrs {
        if let Some(stream) = connect(addr).await {
            streams.push(stream);
        }
    }
    streams
}
