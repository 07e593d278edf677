// Whose resource a dropped future loses progress on: a by-value reader given a borrow, a `&mut`
// parameter passed on as it is, the client's own connection behind `self`, a socket behind a
// shared lock. No loop is needed when the resource outlives the call.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(1);

// Takes its reader by value: it loses nothing of its own, but `&mut stream` is a reader too.
async fn read_frame(mut src: impl AsyncRead + Unpin) -> io::Result<Vec<u8>> {
    let len = src.read_u32().await? as usize;
    let mut frame = vec![0; len];
    src.read_exact(&mut frame).await?;
    Ok(frame)
}

async fn read_frame_generic<R: AsyncRead + Unpin>(mut src: R) -> io::Result<Vec<u8>> {
    let mut frame = vec![0; 16];
    src.read_exact(&mut frame).await?;
    Ok(frame)
}

pub async fn borrowed(stream: &mut TcpStream) -> io::Result<()> {
    let first = timeout(LIMIT, read_frame(&mut *stream)).await; //~ timeout_not_cancel_safe: `read_frame(..)`
    drop(first);
    let second = timeout(LIMIT, read_frame_generic(&mut *stream)).await; //~ timeout_not_cancel_safe
    drop(second);
    Ok(())
}

// Given the stream itself, the future owns it: nothing outlives the timeout.
pub async fn owned(stream: TcpStream) {
    let _ = timeout(LIMIT, read_frame(stream)).await;
}

// `reader` is `&mut`: passing it on is an implicit reborrow, and the caller keeps it.
pub async fn drain<R: AsyncRead + Unpin>(reader: &mut R) {
    let _ = timeout(LIMIT, read_header(reader)).await; //~ timeout_not_cancel_safe
}

async fn read_header<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<u64> {
    reader.read_u64().await
}

pub struct Client {
    conn: TcpStream,
    shared: Arc<Mutex<TcpStream>>,
}

impl Client {
    async fn get(&mut self, key: &[u8]) -> io::Result<Vec<u8>> {
        self.conn.write_all(key).await?;
        let mut value = vec![0; 32];
        self.conn.read_exact(&mut value).await?;
        Ok(value)
    }

    // The connection is the client's: the next call reads the rest of this reply.
    pub async fn get_with_timeout(&mut self, key: &[u8]) -> io::Result<Vec<u8>> {
        match timeout(LIMIT, self.get(key)).await { //~ timeout_not_cancel_safe: `self.get(..)`
            Ok(value) => value,
            Err(_) => Err(io::ErrorKind::TimedOut.into()),
        }
    }

    // The socket is shared behind a lock: the guard reaches it.
    pub async fn send(&self, frame: &[u8]) -> io::Result<()> {
        let mut guard = self.shared.lock().await;
        match timeout(LIMIT, guard.write_all(frame)).await { //~ timeout_not_cancel_safe
            Ok(done) => done,
            Err(_) => Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

// A wrapper that hands its by-value reader on to a by-value reader loses what that one loses:
// a borrow given to the wrapper is still the caller's stream.
async fn read_message(src: impl AsyncRead + Unpin, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let frame = read_frame(src).await?;
    Ok((frame.len() <= limit).then_some(frame))
}

// A wrapper around a single `read`, which is cancel safe: handing the reader on loses nothing.
async fn read_some(mut src: impl AsyncRead + Unpin, buf: &mut [u8]) -> io::Result<usize> {
    src.read(buf).await
}

async fn read_available(src: impl AsyncRead + Unpin, buf: &mut [u8]) -> io::Result<usize> {
    read_some(src, buf).await
}

pub async fn wrapped(stream: &mut TcpStream) {
    let _ = timeout(LIMIT, read_message(&mut *stream, 64)).await; //~ timeout_not_cancel_safe: `read_message(..)`
}

pub async fn wrapped_owned(stream: TcpStream) {
    let _ = timeout(LIMIT, read_message(stream, 64)).await;
}

pub async fn wrapped_safe(stream: &mut TcpStream, buf: &mut [u8]) {
    let _ = timeout(LIMIT, read_available(&mut *stream, buf)).await;
}
