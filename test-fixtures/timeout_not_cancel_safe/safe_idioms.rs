//@ check-pass
// Cancel-safe uses of `timeout`: a future pinned outside the loop and polled by `&mut`,
// cancel-safe calls (`recv`, `accept`, `next_line`, `FramedRead::next`, `read_buf` into a
// buffer in `self`, `UdpSocket::send` of a borrowed buffer), and calls that only lose a
// queue position (`reserve`, `acquire`, `lock`).

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, Mutex, Semaphore};
use tokio::time::{self, timeout};
use tokio_util::codec::{FramedRead, LinesCodec};

const TICK: Duration = Duration::from_secs(1);

pub struct Connection {
    stream: TcpStream,
    buffer: BytesMut,
}

impl Connection {
    // `read_buf` appends to `self.buffer`, so a timed-out read keeps every byte it got.
    async fn fill(&mut self) -> io::Result<Option<usize>> {
        match timeout(TICK, self.stream.read_buf(&mut self.buffer)).await {
            Ok(n) => n.map(Some),
            Err(_) => Ok(None),
        }
    }
}

// The resume idiom: the read is created once and pinned; each timeout only pauses it to send
// a keepalive, and the next iteration polls the same future.
async fn read_header(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) -> io::Result<[u8; 16]> {
    let mut header = [0u8; 16];
    {
        let read = reader.read_exact(&mut header);
        tokio::pin!(read);
        loop {
            match timeout(TICK, &mut read).await {
                Ok(res) => {
                    res?;
                    break;
                }
                Err(_) => writer.write_all(b"KEEPALIVE\n").await?,
            }
        }
    }
    Ok(header)
}

// `recv` and `accept` are cancel safe: a timed-out call leaves the message or the connection
// where it was.
async fn serve(listener: TcpListener, mut control: mpsc::Receiver<u8>) -> io::Result<()> {
    loop {
        if let Ok(accepted) = timeout(TICK, listener.accept()).await {
            let (stream, peer) = accepted?;
            tracing::info!(%peer, "accepted");
            drop(stream);
        }
        while let Ok(Some(code)) = timeout(Duration::from_millis(5), control.recv()).await {
            tracing::debug!(code, "control");
        }
    }
}

// `next_line` and `FramedRead::next` keep partial lines in their own buffers.
async fn read_lines(stream: OwnedReadHalf, log: OwnedReadHalf) -> io::Result<()> {
    let mut lines = BufReader::new(stream).lines();
    let mut framed = FramedRead::new(log, LinesCodec::new());
    loop {
        match timeout(TICK, lines.next_line()).await {
            Ok(Ok(Some(line))) => tracing::info!(%line, "line"),
            Ok(Ok(None)) => return Ok(()),
            Ok(Err(err)) => return Err(err),
            Err(_) => {}
        }
        if let Ok(Some(entry)) = timeout(TICK, framed.next()).await {
            tracing::debug!(entry = ?entry, "log entry");
        }
    }
}

// Reserve, then send: only the wait for capacity is timed; the message is handed over after
// the timeout, where nothing can cancel it.
async fn forward(mut source: mpsc::Receiver<u64>, sink: mpsc::Sender<u64>) {
    while let Some(value) = source.recv().await {
        match timeout(TICK, sink.reserve()).await {
            Ok(Ok(permit)) => permit.send(value),
            Ok(Err(_)) => break,
            Err(_) => tracing::warn!(value, "downstream full, dropping on purpose"),
        }
    }
}

// Waiting for a permit or a lock only loses a place in the queue.
async fn guarded_update(state: Arc<Mutex<u64>>, limits: Arc<Semaphore>, mut ticks: time::Interval) {
    loop {
        ticks.tick().await;
        let Ok(Ok(_permit)) = timeout(TICK, limits.acquire()).await else {
            continue;
        };
        if let Ok(mut value) = timeout(TICK, state.lock()).await {
            *value += 1;
        }
    }
}

// `UdpSocket::send` of a borrowed datagram: it is sent whole or not at all.
async fn announce(socket: UdpSocket, datagram: Vec<u8>) -> io::Result<()> {
    loop {
        if timeout(TICK, socket.send(&datagram)).await.is_err() {
            tracing::warn!("announce timed out");
        }
        time::sleep(TICK).await;
    }
}
