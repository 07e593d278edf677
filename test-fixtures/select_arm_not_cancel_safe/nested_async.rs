// Async blocks and closures are their own async bodies: a loop outside them does not make a
// select inside them "in a loop". What counts is the loop in the same body, or a resource that
// outlives the select inside that body.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

const HELLO_LEN: usize = 12;

// Not reported: the accept loop is outside the spawned block; inside it, the select runs once
// and the socket is dropped when the task ends, so the lost bytes are never looked at.
async fn accept_handshakes(listener: TcpListener, token: CancellationToken) -> io::Result<()> {
    let mut tasks = JoinSet::new();
    loop {
        let (mut socket, peer) = listener.accept().await?;
        let token = token.clone();
        tasks.spawn(async move {
            let mut hello = [0u8; HELLO_LEN];
            tokio::select! {
                res = socket.read_exact(&mut hello) => match res {
                    Ok(_) => tracing::info!(%peer, "hello received"),
                    Err(err) => tracing::warn!(%peer, %err, "handshake failed"),
                },
                _ = token.cancelled() => tracing::debug!(%peer, "handshake abandoned"),
            }
        });
    }
}

// Reported: the spawned block has its own loop around the select, so `read_u32` is created
// and dropped again and again on the same socket.
async fn accept_streams(listener: TcpListener, token: CancellationToken, out: mpsc::Sender<u32>) -> io::Result<()> {
    let mut handles: Vec<JoinHandle<io::Result<()>>> = Vec::new();
    loop {
        let (mut socket, _) = listener.accept().await?;
        let token = token.clone();
        let out = out.clone();
        handles.push(tokio::spawn(async move {
            let mut heartbeat = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tokio::select! {
                    _ = heartbeat.tick() => tracing::trace!("peer still connected"),
                    value = socket.read_u32() => { //~ select_arm_not_cancel_safe
                        if out.send(value?).await.is_err() {
                            return Ok(());
                        }
                    }
                    _ = token.cancelled() => return Ok(()),
                }
            }
        }));
        handles.retain(|h| !h.is_finished());
    }
}

// Reported: no loop in the spawned block, but the socket is used again after the select
// inside the same block, so a partly read greeting desynchronises the reply.
async fn accept_with_reply(listener: TcpListener, token: CancellationToken) -> io::Result<()> {
    let mut tasks = JoinSet::new();
    loop {
        let (mut socket, _) = listener.accept().await?;
        let token = token.clone();
        tasks.spawn(async move {
            let mut greeting = [0u8; HELLO_LEN];
            let ok = tokio::select! {
                res = socket.read_exact(&mut greeting) => res.is_ok(), //~ select_arm_not_cancel_safe
                _ = token.cancelled() => false,
            };
            let reply: &[u8] = if ok { b"WELCOME\n" } else { b"BYE\n" };
            socket.write_all(reply).await
        });
    }
}

// Reported: a closure that returns an async block with its own loop; each connection handler
// re-creates `read_exact` on every iteration.
fn connection_handler(token: CancellationToken) -> impl Fn(TcpStream) -> JoinHandle<()> {
    move |mut stream: TcpStream| {
        let token = token.clone();
        tokio::spawn(async move {
            let mut record = [0u8; 32];
            let mut heartbeat = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tokio::select! {
                    _ = heartbeat.tick() => tracing::trace!("peer still connected"),
                    res = stream.read_exact(&mut record) => { //~ select_arm_not_cancel_safe
                        if res.is_err() {
                            return;
                        }
                    }
                    _ = token.cancelled() => return,
                }
            }
        })
    }
}

// Not reported: the `for` loop is outside the closure, and the async block it returns runs
// a one-shot select on a stream it owns and drops.
async fn probe_all(addrs: Vec<std::net::SocketAddr>, token: CancellationToken) -> Vec<bool> {
    let probe = |addr: std::net::SocketAddr, token: CancellationToken| async move {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            return false;
        };
        if stream.write_all(b"PING").await.is_err() {
            return false;
        }
        let mut pong = [0u8; 4];
        tokio::select! {
            res = stream.read_exact(&mut pong) => res.is_ok() && pong == *b"PONG",
            _ = tokio::time::sleep(Duration::from_secs(1)) => false,
            _ = token.cancelled() => false,
        }
    };
    let mut alive = Vec::with_capacity(addrs.len());
    for addr in addrs {
        alive.push(probe(addr, token.clone()).await);
    }
    alive
}
