// A small client library. Its public async functions are raced by callers in other crates,
// so each one that is not cancel safe should say so in a `# Cancel safety` section. Nothing
// in this file races them.

use std::collections::HashSet;
use std::future::Future;
use std::io;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};

pub struct FrameReader {
    stream: TcpStream,
    buffer: BytesMut,
}

impl FrameReader {
    // `read_exact` on `self.stream`; the docs have an `# Errors` section but no cancel-safety one.
    /// Reads the next length-prefixed frame.
    ///
    /// # Errors
    ///
    /// Fails when the peer closes the connection in the middle of a frame.
    pub async fn read_frame(&mut self) -> io::Result<Vec<u8>> { //~ undocumented_cancel_safety
        let len = self.stream.read_u32().await?;
        let mut frame = vec![0u8; len as usize];
        self.stream.read_exact(&mut frame).await?;
        Ok(frame)
    }

    // A `pub fn` returning `impl Future`: the async block reads with `read_exact` on `self.stream`.
    /// Reads the 8-byte trailer that ends a stream.
    pub fn read_trailer(&mut self) -> impl Future<Output = io::Result<[u8; 8]>> + '_ { //~ undocumented_cancel_safety
        async move {
            let mut trailer = [0u8; 8];
            self.stream.read_exact(&mut trailer).await?;
            Ok(trailer)
        }
    }

    // Not cancel safe through the private `read_greeting`.
    /// Performs the opening handshake.
    pub async fn handshake(&mut self) -> io::Result<u16> { //~ undocumented_cancel_safety
        let version = self.read_greeting().await?;
        self.stream.write_u8(1).await?;
        Ok(version)
    }

    // Not reported: private. It is not cancel safe, and it makes `handshake` not cancel safe.
    async fn read_greeting(&mut self) -> io::Result<u16> {
        let mut greeting = [0u8; 6];
        self.stream.read_exact(&mut greeting).await?;
        Ok(u16::from_be_bytes([greeting[4], greeting[5]]))
    }

    // Not reported: cancel safe, the bytes go into `self.buffer`.
    /// Reads whatever the peer has sent into the internal buffer.
    pub async fn fill(&mut self) -> io::Result<usize> {
        self.stream.read_buf(&mut self.buffer).await
    }

    // Not reported: not async.
    /// How many bytes are buffered.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}

pub struct Job {
    pub id: u64,
    pub payload: Vec<u8>,
}

pub struct JobQueue {
    rx: mpsc::Receiver<Job>,
    started: Mutex<HashSet<u64>>,
}

impl JobQueue {
    // Takes the job off `self.rx`, then waits for the lock while holding it.
    /// Takes the next job and marks it as started.
    pub async fn next_job(&mut self) -> Option<Job> { //~ undocumented_cancel_safety
        let job = self.rx.recv().await?;
        self.started.lock().await.insert(job.id);
        Some(job)
    }

    // Not reported: the job is returned as soon as `recv` gives it.
    /// Takes the next job.
    pub async fn recv(&mut self) -> Option<Job> {
        self.rx.recv().await
    }
}

// A free function that collects bytes in a local `Vec` across awaits on a borrowed reader.
/// Reads one newline-terminated message from `reader`.
pub async fn read_message<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> { //~ undocumented_cancel_safety
    let mut message = Vec::new();
    loop {
        let byte = reader.read_u8().await?;
        if byte == b'\n' {
            return Ok(message);
        }
        message.push(byte);
    }
}

// Not reported: the stream is created here and dies with a dropped future.
/// Connects and says hello.
pub async fn connect(addr: std::net::SocketAddr) -> io::Result<FrameReader> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(b"HELLO\r\n").await?;
    Ok(FrameReader {
        stream,
        buffer: BytesMut::with_capacity(4096),
    })
}

pub struct Forwarder {
    out: tokio::sync::mpsc::Sender<String>,
}

impl Forwarder {
    /// Forwards a line. The caller's `line` is moved into `send`; dropping the future while the
    /// channel is full drops the line.
    pub async fn forward(&self, line: String) -> bool { //~ undocumented_cancel_safety
        self.out.send(line).await.is_ok()
    }
}
