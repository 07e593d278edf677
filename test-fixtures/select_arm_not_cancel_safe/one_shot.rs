// One-shot selects (no loop). They lose progress only when the resource outlives the select:
// it is used again afterwards, it is a field of `self`, or it is a `&mut` parameter that the
// caller keeps using.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

const NUDGE_AFTER: Duration = Duration::from_secs(2);

pub struct Frame {
    pub kind: u8,
    pub payload: Vec<u8>,
}

pub struct Session {
    stream: TcpStream,
    shutdown: broadcast::Receiver<()>,
}

impl Session {
    // `self.stream` outlives the call: if shutdown wins, the header bytes already read are
    // lost and the next call to `next_header` starts in the middle of a frame.
    async fn next_header(&mut self) -> io::Result<Option<[u8; 8]>> {
        let mut header = [0u8; 8];
        tokio::select! {
            res = self.stream.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                res?;
                Ok(Some(header))
            }
            _ = self.shutdown.recv() => Ok(None),
        }
    }

    // Writing to a field of `self`: a cancelled `write_all` leaves a partial frame on the wire
    // and the session goes on using the stream.
    async fn send_frame(&mut self, frame: &Frame) -> io::Result<bool> {
        let mut buf = Vec::with_capacity(frame.payload.len() + 1);
        buf.push(frame.kind);
        buf.extend_from_slice(&frame.payload);
        tokio::select! {
            res = self.stream.write_all(&buf) => res.map(|()| true), //~ select_arm_not_cancel_safe
            _ = self.shutdown.recv() => Ok(false),
        }
    }
}

// A `&mut` parameter: the caller still owns the stream and reads the next frame from it, so
// a length prefix that was partly read here is lost for good.
async fn read_len(stream: &mut TcpStream, token: &CancellationToken) -> io::Result<Option<u32>> {
    tokio::select! {
        len = stream.read_u32() => len.map(Some), //~ select_arm_not_cancel_safe
        _ = token.cancelled() => Ok(None),
    }
}

// Not reported: `read_to_end` appends straight into the caller's `Vec`, so the bytes read
// before cancellation stay in `body` and a second call resumes (tokio lists it as not cancel
// safe only because the returned count restarts; see the knowledge base entry).
async fn read_body(reader: &mut BufReader<TcpStream>, body: &mut Vec<u8>, token: &CancellationToken) -> io::Result<bool> {
    tokio::select! {
        res = reader.read_to_end(body) => res.map(|_| true),
        _ = token.cancelled() => Ok(false),
    }
}

// Used again after the select: when the nudge timer wins, the half-read greeting line is
// dropped and the second `read_line` starts in the middle of it.
async fn greet(stream: TcpStream) -> io::Result<String> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut greeting = String::new();
    let n = tokio::select! {
        n = reader.read_line(&mut greeting) => n?, //~ select_arm_not_cancel_safe
        _ = tokio::time::sleep(NUDGE_AFTER) => {
            write.write_all(b"HELO?\r\n").await?;
            0
        }
    };
    if n == 0 {
        greeting.clear();
        reader.read_line(&mut greeting).await?;
    }
    Ok(greeting)
}

// The stream is returned to the caller after the select, so it outlives it: a cancelled
// handshake read leaves the connection out of sync.
async fn handshake(mut stream: TcpStream, token: CancellationToken) -> io::Result<Option<TcpStream>> {
    let mut magic = [0u8; 4];
    let accepted = tokio::select! {
        res = stream.read_exact(&mut magic) => { //~ select_arm_not_cancel_safe
            res?;
            magic == *b"CCK1"
        }
        _ = token.cancelled() => false,
    };
    Ok(accepted.then_some(stream))
}

// Not reported: a local stream that is dropped when the select returns. Nobody can observe
// the bytes that were lost with the cancelled read.
async fn probe(addr: std::net::SocketAddr, token: CancellationToken) -> io::Result<Option<[u8; 4]>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(b"PING").await?;
    let mut reply = [0u8; 4];
    tokio::select! {
        res = stream.read_exact(&mut reply) => {
            res?;
            Ok(Some(reply))
        }
        _ = token.cancelled() => Ok(None),
    }
}

// Not reported: the reader is owned here, used only before the select, and the function
// returns right after it.
async fn read_banner(stream: TcpStream, token: CancellationToken) -> io::Result<Option<String>> {
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(b"BANNER\r\n").await?;
    let mut banner = String::new();
    tokio::select! {
        res = reader.read_line(&mut banner) => res.map(|_| Some(banner)),
        _ = token.cancelled() => Ok(None),
    }
}

// Not reported: the stream is a `&` parameter used with a cancel-safe call (`readable`), and
// the only other branch is a plain timer in a one-shot select.
async fn wait_readable(stream: &TcpStream) -> io::Result<bool> {
    tokio::select! {
        res = stream.readable() => res.map(|()| true),
        _ = tokio::time::sleep(Duration::from_millis(250)) => Ok(false),
    }
}
