// The different loop forms around a select: `loop`, `while`, `while let`, `for`, a spawned
// task's loop and the loop in `main`. A racy call written in the arm is created afresh on
// every iteration, so each lost race throws away its progress.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{self, Duration};
use tokio_util::sync::CancellationToken;

pub struct Job {
    pub id: u64,
    pub payload: Vec<u8>,
}

// `while` with a flag: the 16-byte record header is read with `read_exact`; a config change
// cancels it mid-record.
async fn read_records(mut stream: TcpStream, mut config: watch::Receiver<u32>) -> io::Result<()> {
    let mut running = true;
    let mut header = [0u8; 16];
    while running {
        tokio::select! {
            res = stream.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                res?;
                running = header[0] != 0xff;
            }
            Ok(()) = config.changed() => {
                tracing::debug!(limit = *config.borrow(), "config changed");
            }
        }
    }
    Ok(())
}

// `while let` over a job queue: each job is written with `write_all`, and a cancellation in
// the middle leaves a truncated job on the wire before the loop goes on.
async fn upload(mut conn: TcpStream, mut jobs: mpsc::Receiver<Job>, mut skip: watch::Receiver<u64>) -> io::Result<()> {
    while let Some(job) = jobs.recv().await {
        tokio::select! {
            res = conn.write_all(&job.payload) => res?, //~ select_arm_not_cancel_safe
            Ok(()) = skip.changed() => {
                tracing::warn!(job = job.id, "job skipped");
            }
        }
    }
    Ok(())
}

// `for` over peers: each peer gets the message through `send`; when the token is cancelled the
// message for the current peer is dropped, although the loop is not left.
async fn broadcast_to(peers: &[mpsc::Sender<String>], message: &str, token: &CancellationToken) -> usize {
    let mut delivered = 0;
    for peer in peers {
        tokio::select! {
            res = peer.send(message.to_owned()) => delivered += usize::from(res.is_ok()), //~ select_arm_not_cancel_safe
            _ = token.cancelled() => continue,
        }
    }
    delivered
}

// A spawned task with its own loop: the `loop` is in the same async block as the select.
fn spawn_reader(mut stream: TcpStream, token: CancellationToken, out: mpsc::Sender<u64>) -> JoinHandle<io::Result<()>> {
    tokio::spawn(async move {
        let mut heartbeat = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tokio::select! {
                biased;
                _ = heartbeat.tick() => tracing::trace!("peer still connected"),
                _ = token.cancelled() => return Ok(()),
                seq = stream.read_u64() => { //~ select_arm_not_cancel_safe
                    if out.send(seq?).await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    })
}

// A line client in `main`: the `loop` around the select is in `main` itself. Typing a line
// cancels `read_u16` in the middle of a length prefix from the server.
#[tokio::main]
async fn main() -> io::Result<()> {
    let mut server = TcpStream::connect("127.0.0.1:7000").await?;
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            len = server.read_u16() => { //~ select_arm_not_cancel_safe
                let mut msg = vec![0u8; usize::from(len?)];
                server.read_exact(&mut msg).await?;
                println!("{}", String::from_utf8_lossy(&msg));
            }
            line = stdin.next_line() => match line? {
                Some(line) => server.write_all(line.as_bytes()).await?,
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    Ok(())
}

// Not reported: a retry loop whose select races only cancel-safe futures (`recv_from`,
// `tick`, `cancelled`).
async fn discover(socket: UdpSocket, token: CancellationToken) -> io::Result<Vec<SocketAddr>> {
    let mut found = Vec::new();
    let mut resend = time::interval(Duration::from_secs(1));
    let mut buf = [0u8; 512];
    for _attempt in 0..5 {
        tokio::select! {
            _ = resend.tick() => {
                socket.send_to(b"DISCOVER", "255.255.255.255:9999").await?;
            }
            res = socket.recv_from(&mut buf) => {
                let (_, from) = res?;
                found.push(from);
            }
            _ = token.cancelled() => break,
        }
    }
    Ok(found)
}

// Not reported: the loop is in the handler of a one-shot select, not around it, and the
// local stream is not used after the select.
async fn read_then_echo(mut stream: TcpStream, token: CancellationToken) -> io::Result<()> {
    let mut header = [0u8; 4];
    tokio::select! {
        res = stream.read_exact(&mut header) => {
            res?;
            for byte in header {
                tracing::trace!(byte, "header byte");
            }
        }
        _ = token.cancelled() => {}
    }
    Ok(())
}
