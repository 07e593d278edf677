// The `futures` crate's racing constructs: `futures::select!`, `select_biased!`, the imported
// `select!`, `future::select`, `select_all` and `select_ok`. Arms usually end in `.fuse()`,
// which is looked through: the finding starts at the racy call itself.

use std::io;
use std::net::SocketAddr;

use futures::channel::{mpsc, oneshot};
use futures::future::{self, select_all, select_ok, Either};
use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use futures::select;
use futures::{FutureExt, Sink, SinkExt, StreamExt};
use tokio::net::TcpStream;

pub enum Command {
    Ping,
    Stop,
}

// `futures::select!` in a loop: the commands stream wins while `read_exact` has filled half of
// the header, and those bytes are gone.
async fn read_headers<R: AsyncRead + Unpin>(mut reader: R, mut commands: mpsc::Receiver<Command>, mut headers: mpsc::Sender<[u8; 8]>) -> io::Result<()> {
    let mut header = [0u8; 8];
    loop {
        futures::select! {
            res = reader.read_exact(&mut header).fuse() => { //~ select_arm_not_cancel_safe
                res?;
                if headers.send(header).await.is_err() {
                    return Ok(());
                }
            }
            cmd = commands.next() => match cmd {
                Some(Command::Ping) => tracing::trace!("ping"),
                Some(Command::Stop) | None => return Ok(()),
            },
        }
    }
}

// `select_biased!` with a priority branch: a ping is written into the middle of a frame whose
// `write_all` was cut off.
async fn write_frames<W: AsyncWrite + Unpin>(mut writer: W, mut frames: mpsc::Receiver<Vec<u8>>, mut pings: mpsc::Receiver<()>) -> io::Result<()> {
    while let Some(frame) = frames.next().await {
        futures::select_biased! {
            _ = pings.next() => writer.write_all(b"PING\n").await?,
            res = writer.write_all(&frame).fuse() => res?, //~ select_arm_not_cancel_safe
        }
    }
    Ok(())
}

// `select!` imported from `futures`: a newer status cuts the previous `write_all` short, and
// the terminal shows a truncated line followed by the new one.
async fn show_status<W: AsyncWrite + Unpin>(mut out: W, mut updates: mpsc::Receiver<String>) -> io::Result<()> {
    let mut status = String::from("starting\n");
    loop {
        select! {
            res = out.write_all(status.as_bytes()).fuse() => { //~ select_arm_not_cancel_safe
                res?;
                match updates.next().await {
                    Some(next) => status = next,
                    None => return Ok(()),
                }
            }
            update = updates.next() => match update {
                Some(next) => status = next,
                None => return Ok(()),
            },
        }
    }
}

// `future::select` in a loop: the left future is created on every iteration and dropped
// whenever the stop signal is the one that completes.
async fn count_records<R: AsyncRead + Unpin>(mut reader: R, mut stop: oneshot::Receiver<()>) -> io::Result<u64> {
    let mut record = [0u8; 64];
    let mut count = 0;
    loop {
        match future::select(reader.read_exact(&mut record), &mut stop).await { //~ select_arm_not_cancel_safe
            Either::Left((res, _)) => {
                res?;
                count += 1;
            }
            Either::Right(_) => return Ok(count),
        }
    }
}

pub struct Replicator<S> {
    primary: S,
    backup: S,
    out: S,
}

impl<S> Replicator<S>
where
    S: Sink<String, Error = io::Error> + Unpin,
{
    // Not reported: `select_all` drops the slower send with its line still inside. Both sinks
    // stay usable, and a one-shot message loss is reported only when a loop repeats it (known
    // problem: the replicas can drift apart here).
    async fn replicate(&mut self, line: String) -> io::Result<()> {
        let (res, _, _) = select_all(vec![
            self.primary.send(line.clone()),
            self.backup.send(line),
        ])
        .await;
        res
    }

    // Not reported: `default` runs when the send is not done on the first poll, and the line is
    // dropped with the future; the sink is intact and the caller is told (`false`). A one-shot
    // message loss is reported only when a loop repeats it.
    async fn try_send(&mut self, line: String) -> io::Result<bool> {
        futures::select! {
            res = self.out.send(line).fuse() => res.map(|()| true),
            default => Ok(false),
        }
    }
}

// Not reported: both reads are created and fused once, before the loop, and polled by name;
// `complete` ends the loop when both are done.
async fn read_both<A, B>(mut a: A, mut b: B) -> io::Result<([u8; 4], [u8; 4])>
where
    A: AsyncRead + Unpin,
    B: AsyncRead + Unpin,
{
    let (mut buf_a, mut buf_b) = ([0u8; 4], [0u8; 4]);
    {
        let mut read_a = a.read_exact(&mut buf_a).fuse();
        let mut read_b = b.read_exact(&mut buf_b).fuse();
        loop {
            futures::select! {
                res = read_a => res?,
                res = read_b => res?,
                complete => break,
            }
        }
    }
    Ok((buf_a, buf_b))
}

// Not reported: `next()` on a stream is cancel safe, and `default` only means "nothing queued".
async fn poll_command(commands: &mut mpsc::Receiver<Command>) -> Option<Command> {
    futures::select! {
        cmd = commands.next() => cmd,
        default => None,
    }
}

// Not reported: `select_ok` races connection attempts; a dropped attempt only closes a socket
// that was never used.
async fn connect_any(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let attempts = addrs.iter().map(|addr| Box::pin(TcpStream::connect(*addr)));
    let (stream, _others) = select_ok(attempts).await?;
    Ok(stream)
}

// `select_all` over two `write_all` calls on streams kept in `self`: the slower write is dropped
// after writing part of the record, and the next record on that stream starts mid-record.
pub struct Mirror {
    left: tokio::net::TcpStream,
    right: tokio::net::TcpStream,
}

impl Mirror {
    pub async fn mirror(&mut self, record: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let (res, _, _) = futures::future::select_all([
            self.left.write_all(record), //~ select_arm_not_cancel_safe
            self.right.write_all(record), //~ select_arm_not_cancel_safe
        ])
        .await;
        res
    }
}
