// A timeout around a call to the crate's own async functions: whether it loses data depends on
// the callee's cancel-safety summary. `FrameReader::read_frame` reads with `read_exact` on
// `self.stream`, so it is not cancel safe; `BufferedReader::read_frame` keeps what it has read
// in `self.buffer` (mini-redis's `Connection`), so it is.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const IDLE: Duration = Duration::from_secs(15);
const HANDSHAKE: Duration = Duration::from_secs(3);

pub struct Frame {
    pub kind: u8,
    pub payload: Vec<u8>,
}

pub struct FrameReader {
    stream: TcpStream,
}

impl FrameReader {
    pub fn new(stream: TcpStream) -> FrameReader {
        FrameReader { stream }
    }

    // Not cancel safe: the header and payload bytes already read are lost with the future,
    // and `self.stream` is left in the middle of the frame.
    async fn read_frame(&mut self) -> io::Result<Frame> {
        let mut header = [0u8; 5];
        self.stream.read_exact(&mut header).await?;
        let len = u32::from_be_bytes(header[1..].try_into().unwrap()) as usize;
        let mut payload = vec![0u8; len];
        self.stream.read_exact(&mut payload).await?;
        Ok(Frame { kind: header[0], payload })
    }

    // Reported: a retry loop on `self`; after a ping the next attempt starts parsing in the
    // middle of the frame that timed out.
    async fn next_with_keepalive(&mut self) -> io::Result<Frame> {
        loop {
            match timeout(IDLE, self.read_frame()).await { //~ timeout_not_cancel_safe
                Ok(frame) => return frame,
                Err(_) => self.stream.write_all(b"PING\n").await?,
            }
        }
    }
}

pub struct BufferedReader {
    stream: TcpStream,
    buffer: BytesMut,
}

impl BufferedReader {
    pub fn new(stream: TcpStream) -> BufferedReader {
        BufferedReader {
            stream,
            buffer: BytesMut::with_capacity(8 * 1024),
        }
    }

    // Cancel safe: every byte read goes into `self.buffer` and stays there.
    async fn read_frame(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if self.buffer.len() >= 5 {
                let len = u32::from_be_bytes(self.buffer[1..5].try_into().unwrap()) as usize;
                if self.buffer.len() >= 5 + len {
                    let kind = self.buffer[0];
                    self.buffer.advance(5);
                    let payload = self.buffer.split_to(len).to_vec();
                    return Ok(Some(Frame { kind, payload }));
                }
            }
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Ok(None);
            }
        }
    }

    // Not reported: the same retry loop over the cancel-safe `read_frame`.
    async fn next_with_keepalive(&mut self) -> io::Result<Option<Frame>> {
        loop {
            match timeout(IDLE, self.read_frame()).await {
                Ok(frame) => return frame,
                Err(_) => self.stream.write_all(b"PING\n").await?,
            }
        }
    }
}

// Reported: a retry loop over a `&mut FrameReader` parameter, through a free function that
// calls `read_frame`.
async fn read_message(reader: &mut FrameReader) -> io::Result<String> {
    let frame = reader.read_frame().await?;
    String::from_utf8(frame.payload).map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
}

async fn poll_messages(reader: &mut FrameReader, max_idle: u32) -> io::Result<Vec<String>> {
    let mut messages = Vec::new();
    let mut idle = 0;
    while idle < max_idle {
        match timeout(IDLE, read_message(reader)).await { //~ timeout_not_cancel_safe
            Ok(message) => messages.push(message?),
            Err(_) => idle += 1,
        }
    }
    Ok(messages)
}

// Reported without a loop: the reader is a `&mut` parameter, so the caller goes on reading from
// a stream that is now in the middle of a frame.
async fn read_reply(reader: &mut FrameReader) -> io::Result<Frame> {
    timeout(HANDSHAKE, reader.read_frame()) //~ timeout_not_cancel_safe
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
}

// Not reported: the same retry loop over the cancel-safe reader.
async fn poll_buffered(reader: &mut BufferedReader, max_idle: u32) -> io::Result<Vec<Frame>> {
    let mut frames = Vec::new();
    let mut idle = 0;
    while idle < max_idle {
        match timeout(IDLE, reader.read_frame()).await {
            Ok(frame) => match frame? {
                Some(frame) => frames.push(frame),
                None => break,
            },
            Err(_) => idle += 1,
        }
    }
    Ok(frames)
}

// Not reported: a one-shot timeout on a reader that lives only in this function; on timeout the
// connection is dropped together with the half-read frame.
async fn probe(addr: SocketAddr) -> io::Result<Frame> {
    let stream = TcpStream::connect(addr).await?;
    let mut reader = FrameReader::new(stream);
    timeout(HANDSHAKE, reader.read_frame())
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
}
