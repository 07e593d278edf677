// Local buffers that collect data across `.await`s in a loop, in futures that are raced. The
// data read so far lives only in the future: when the race drops it, the bytes are gone from
// the stream and gone from the buffer. Each raced call below is also reported at the race
// (`select_arm_not_cancel_safe` or `timeout_not_cancel_safe`), because the buffer makes the
// callee not cancel safe.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{interval, timeout};
use tokio_util::sync::CancellationToken;

const HEADER_LEN: usize = 16;
const BATCH: usize = 64;
const IDLE: Duration = Duration::from_secs(10);

pub struct Conn {
    stream: TcpStream,
}

impl Conn {
    // A `Vec` that grows chunk by chunk until a newline arrives.
    async fn read_message(&mut self) -> io::Result<Vec<u8>> {
        let mut message = Vec::new(); //~ buffer_held_across_await
        loop {
            let mut chunk = [0u8; 512];
            let n = self.stream.read(&mut chunk).await?;
            message.extend_from_slice(&chunk[..n]);
            if n == 0 || message.ends_with(b"\n") {
                return Ok(message);
            }
        }
    }

    // An array filled piecewise: a hand-written `read_exact`.
    async fn read_header(&mut self) -> io::Result<[u8; HEADER_LEN]> {
        let mut header = [0u8; HEADER_LEN]; //~ buffer_held_across_await
        let mut filled = 0;
        while filled < HEADER_LEN {
            let n = self.stream.read(&mut header[filled..]).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            filled += n;
        }
        Ok(header)
    }

    async fn run(&mut self, mut commands: mpsc::Receiver<String>) -> io::Result<()> {
        loop {
            tokio::select! {
                message = self.read_message() => handle(&message?), //~ select_arm_not_cancel_safe
                Some(command) = commands.recv() => tracing::info!(%command, "command"),
            }
        }
    }

    async fn run_binary(&mut self, token: CancellationToken) -> io::Result<()> {
        let mut status = interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                header = self.read_header() => handle(&header?), //~ select_arm_not_cancel_safe
                _ = status.tick() => tracing::trace!("connection alive"),
                _ = token.cancelled() => return Ok(()),
            }
        }
    }
}

// A `String` that collects the lines of a block up to an empty line. `next_line` itself is
// cancel safe, but the lines already taken are only in `block`.
async fn read_block(lines: &mut Lines<BufReader<OwnedReadHalf>>) -> io::Result<String> {
    let mut block = String::new(); //~ buffer_held_across_await
    while let Some(line) = lines.next_line().await? {
        if line.is_empty() {
            break;
        }
        block.push_str(&line);
        block.push('\n');
    }
    Ok(block)
}

// The retry loop drops `read_block` whenever the peer pauses for `IDLE` in the middle of a
// block.
async fn read_blocks(mut lines: Lines<BufReader<OwnedReadHalf>>, out: mpsc::Sender<String>) -> io::Result<()> {
    loop {
        match timeout(IDLE, read_block(&mut lines)).await { //~ timeout_not_cancel_safe
            Ok(block) => {
                if out.send(block?).await.is_err() {
                    return Ok(());
                }
            }
            Err(_) => tracing::debug!("peer idle"),
        }
    }
}

// A `BytesMut` that collects a fixed-size record over as many reads as it takes.
async fn read_record(reader: &mut OwnedReadHalf, len: usize) -> io::Result<BytesMut> {
    let mut record = BytesMut::with_capacity(len); //~ buffer_held_across_await
    while record.len() < len {
        let mut chunk = [0u8; 1024];
        let want = (len - record.len()).min(chunk.len());
        let n = reader.read(&mut chunk[..want]).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        record.extend_from_slice(&chunk[..n]);
    }
    Ok(record)
}

// Raced through another function: `next_record` awaits `read_record`, and the select drops
// `next_record`.
pub struct RecordStream {
    reader: OwnedReadHalf,
    record_len: usize,
}

impl RecordStream {
    async fn next_record(&mut self) -> io::Result<BytesMut> {
        read_record(&mut self.reader, self.record_len).await
    }
}

async fn copy_records(mut records: RecordStream, out: mpsc::Sender<BytesMut>) -> io::Result<()> {
    let mut status = interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            record = records.next_record() => { //~ select_arm_not_cancel_safe
                if out.send(record?).await.is_err() {
                    return Ok(());
                }
            }
            _ = status.tick() => tracing::trace!(capacity = out.capacity(), "copying records"),
        }
    }
}

// A `VecDeque` batch filled from a channel: when the flush timer wins, the messages collected
// so far are dropped.
async fn next_batch(rx: &mut mpsc::Receiver<String>) -> Option<VecDeque<String>> {
    let mut batch = VecDeque::with_capacity(BATCH); //~ buffer_held_across_await
    while batch.len() < BATCH {
        match rx.recv().await {
            Some(message) => batch.push_back(message),
            None if batch.is_empty() => return None,
            None => break,
        }
    }
    Some(batch)
}

async fn batcher(mut rx: mpsc::Receiver<String>, out: mpsc::UnboundedSender<VecDeque<String>>) {
    let mut flush = interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            batch = next_batch(&mut rx) => match batch { //~ select_arm_not_cancel_safe
                Some(batch) => {
                    let _ = out.send(batch);
                }
                None => return,
            },
            _ = flush.tick() => tracing::trace!("no full batch this period"),
        }
    }
}

// An `async` block as the branch: the bytes of the current line are collected in a `Vec`
// local to the block, which the status tick drops.
async fn read_lines(stream: TcpStream, out: mpsc::UnboundedSender<Vec<u8>>) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut status = interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            line = async { //~ select_arm_not_cancel_safe
                let mut line = Vec::new(); //~ buffer_held_across_await
                loop {
                    let byte = reader.read_u8().await?;
                    if byte == b'\n' {
                        return Ok::<_, io::Error>(line);
                    }
                    line.push(byte);
                }
            } => {
                let _ = out.send(line?);
            }
            _ = status.tick() => tracing::trace!("reader alive"),
        }
    }
}

fn handle(bytes: &[u8]) {
    tracing::debug!(len = bytes.len(), "received");
}
