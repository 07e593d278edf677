//@ check-pass
// The cancel-safe ways to write the same loops: futures created once and polled by `&mut`,
// calls that keep their progress in the resource (`read_buf` into a buffer in `self`,
// `next_line`, `FramedRead::next`), calls that only lose a queue position (`lock`, `acquire`,
// `reserve`), and the calls tokio documents as cancel safe.

use std::io;
use std::net::SocketAddr;
use std::process::ExitStatus;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::process::Child;
use tokio::sync::{mpsc, watch, Mutex, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{interval, Duration};
use tokio_util::codec::{FramedRead, LengthDelimitedCodec};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct Stats {
    pub frames: u64,
}

pub struct Connection {
    stream: TcpStream,
    buffer: BytesMut,
    token: CancellationToken,
}

impl Connection {
    // `read_buf` appends to `self.buffer`: bytes read before a cancellation stay in the
    // buffer and are parsed on the next call.
    async fn read_frame(&mut self) -> io::Result<Option<BytesMut>> {
        loop {
            if self.buffer.len() >= 4 {
                let len = u32::from_be_bytes(self.buffer[..4].try_into().unwrap()) as usize;
                if self.buffer.len() >= 4 + len {
                    self.buffer.advance(4);
                    return Ok(Some(self.buffer.split_to(len)));
                }
            }
            tokio::select! {
                n = self.stream.read_buf(&mut self.buffer) => {
                    if n? == 0 {
                        return Ok(None);
                    }
                }
                _ = self.token.cancelled() => return Ok(None),
            }
        }
    }
}

// The resume idiom: the read is created once, before the loop, pinned, and polled by `&mut`.
// A keepalive tick does not drop it, so no byte of the header is lost.
async fn read_header_with_keepalive(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) -> io::Result<[u8; 16]> {
    let mut header = [0u8; 16];
    let mut keepalive = interval(Duration::from_secs(15));
    {
        let read = reader.read_exact(&mut header);
        tokio::pin!(read);
        loop {
            tokio::select! {
                res = &mut read => {
                    res?;
                    break;
                }
                _ = keepalive.tick() => writer.write_all(b"KEEPALIVE\n").await?,
            }
        }
    }
    Ok(header)
}

// `recv` on an mpsc channel is cancel safe: a message is either returned or still queued.
async fn route(mut inbox: mpsc::Receiver<String>, mut control: mpsc::Receiver<u8>, token: CancellationToken) {
    loop {
        tokio::select! {
            Some(msg) = inbox.recv() => tracing::info!(%msg, "message"),
            Some(code) = control.recv() => tracing::debug!(code, "control"),
            _ = token.cancelled() => break,
            else => break,
        }
    }
}

// `next_line` keeps a partly read line inside `Lines`, so racing it in a loop loses nothing.
async fn read_commands(stream: OwnedReadHalf, mut config: watch::Receiver<u32>) -> io::Result<()> {
    let mut lines = BufReader::new(stream).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => tracing::info!(%line, "command"),
                None => return Ok(()),
            },
            Ok(()) = config.changed() => tracing::debug!(limit = *config.borrow(), "config changed"),
        }
    }
}

// Reserve, then send: the arm only waits for capacity; the message is handed over in the
// handler, where nothing can cancel it.
async fn forward(mut source: mpsc::Receiver<u64>, sink: mpsc::Sender<u64>, token: CancellationToken) {
    while let Some(value) = source.recv().await {
        tokio::select! {
            permit = sink.reserve() => match permit {
                Ok(permit) => permit.send(value),
                Err(_) => break,
            },
            _ = token.cancelled() => break,
        }
    }
}

// `FramedRead` keeps partial frames in its own buffer; `next()` on it is cancel safe.
async fn read_frames(stream: OwnedReadHalf, token: CancellationToken) -> io::Result<u64> {
    let mut frames = FramedRead::new(stream, LengthDelimitedCodec::new());
    let mut count = 0;
    loop {
        tokio::select! {
            frame = frames.next() => match frame {
                Some(frame) => {
                    frame?;
                    count += 1;
                }
                None => return Ok(count),
            },
            _ = token.cancelled() => return Ok(count),
        }
    }
}

// Waiting for a lock or a permit only loses a place in the queue, which this lint does not
// report.
async fn update_stats(stats: Arc<Mutex<Stats>>, limits: Arc<Semaphore>, mut ticks: mpsc::Receiver<()>, token: CancellationToken) {
    while let Some(()) = ticks.recv().await {
        tokio::select! {
            mut guard = stats.lock() => guard.frames += 1,
            _ = token.cancelled() => return,
        }
        tokio::select! {
            permit = limits.acquire() => drop(permit),
            _ = token.cancelled() => return,
        }
    }
}

// The other calls tokio documents as cancel safe: `accept`, `join_next`, `Child::wait`,
// `ctrl_c`, `recv_from`, `recv_many` and `read_u8` (a single byte is read or not).
async fn serve(listener: TcpListener, socket: UdpSocket, mut child: Child, mut tags: OwnedReadHalf, mut batch_rx: mpsc::Receiver<u32>) -> io::Result<Option<ExitStatus>> {
    let mut tasks = JoinSet::new();
    let mut datagram = [0u8; 1500];
    let mut batch = Vec::with_capacity(64);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                tasks.spawn(greet(stream));
            }
            Some(joined) = tasks.join_next() => {
                if let Ok(Ok(peer)) = joined {
                    tracing::debug!(%peer, "connection done");
                }
            }
            status = child.wait() => return status.map(Some),
            _ = tokio::signal::ctrl_c() => return Ok(None),
            res = socket.recv_from(&mut datagram) => {
                let (n, from) = res?;
                tracing::trace!(n, %from, "datagram");
            }
            n = batch_rx.recv_many(&mut batch, 64) => {
                tracing::trace!(n, "batch");
                batch.clear();
            }
            tag = tags.read_u8() => tracing::trace!(tag = tag?, "tag byte"),
        }
    }
}

// `UdpSocket::send` takes a borrowed buffer: a datagram is sent whole or not at all, and the
// buffer is still here for the next iteration.
async fn announce(socket: UdpSocket, mut updates: watch::Receiver<Vec<u8>>, token: CancellationToken) -> io::Result<()> {
    loop {
        let datagram = updates.borrow_and_update().clone();
        tokio::select! {
            res = socket.send(&datagram) => {
                res?;
            }
            _ = token.cancelled() => return Ok(()),
        }
        if updates.changed().await.is_err() {
            return Ok(());
        }
    }
}

async fn greet(mut stream: TcpStream) -> io::Result<SocketAddr> {
    let peer = stream.peer_addr()?;
    stream.write_all(b"hello\n").await?;
    stream.shutdown().await?;
    Ok(peer)
}

// `notify_one` stores a permit when nobody waits, so a `notified()` re-created every iteration
// misses nothing. This file never calls `notify_waiters`, so the loop below is fine.
async fn purge_when_told(wakeup: std::sync::Arc<tokio::sync::Notify>, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            _ = wakeup.notified() => tracing::debug!("purging"),
            Some(()) = stop.recv() => tracing::debug!("stop requested, finishing this round"),
        }
    }
}

pub fn wake_purger(wakeup: &tokio::sync::Notify) {
    wakeup.notify_one();
}
