//@ check-pass
// Buffers that do not lose data when a race drops the future: the buffer lives in the struct
// that owns the stream, the function is never raced, the buffer is filled by a loop that does
// not await, the buffer lives within one iteration, or the stream dies with the function.

use std::io;
use std::net::SocketAddr;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub struct Record {
    pub id: u32,
    pub body: Vec<u8>,
}

impl Record {
    fn parse(buffer: &mut BytesMut) -> Option<Record> {
        if buffer.len() < 8 {
            return None;
        }
        let len = u32::from_be_bytes(buffer[4..8].try_into().unwrap()) as usize;
        if buffer.len() < 8 + len {
            return None;
        }
        let id = buffer.get_u32();
        buffer.advance(4);
        let body = buffer.split_to(len).to_vec();
        Some(Record { id, body })
    }
}

// mini-redis's `Connection`: the bytes read so far live in `self.buffer`, so a dropped
// `read_record` loses nothing and the next call picks up where it stopped.
pub struct Connection {
    stream: TcpStream,
    buffer: BytesMut,
}

impl Connection {
    async fn read_record(&mut self) -> io::Result<Option<Record>> {
        loop {
            if let Some(record) = Record::parse(&mut self.buffer) {
                return Ok(Some(record));
            }
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Ok(None);
            }
        }
    }

    // The `Vec` is filled by a loop with no await in it, after the only await.
    async fn read_available(&mut self) -> io::Result<Vec<Record>> {
        self.stream.read_buf(&mut self.buffer).await?;
        let mut records = Vec::new();
        while let Some(record) = Record::parse(&mut self.buffer) {
            records.push(record);
        }
        Ok(records)
    }

    async fn run(&mut self, mut commands: mpsc::Receiver<String>) -> io::Result<()> {
        loop {
            tokio::select! {
                record = self.read_record() => match record? {
                    Some(record) => tracing::debug!(id = record.id, len = record.body.len(), "record"),
                    None => return Ok(()),
                },
                Some(command) = commands.recv() => tracing::info!(%command, "command"),
            }
        }
    }

    async fn run_batched(&mut self, token: CancellationToken) -> io::Result<u64> {
        let mut seen = 0;
        loop {
            tokio::select! {
                records = self.read_available() => seen += records?.len() as u64,
                _ = token.cancelled() => return Ok(seen),
            }
        }
    }
}

// Never raced: the same local buffer as a bug elsewhere, but every caller awaits it to the end.
pub async fn read_message(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut message = Vec::new();
    loop {
        let mut chunk = [0u8; 512];
        let n = stream.read(&mut chunk).await?;
        message.extend_from_slice(&chunk[..n]);
        if n == 0 || message.ends_with(b"\n") {
            return Ok(message);
        }
    }
}

async fn session(mut stream: TcpStream) -> io::Result<()> {
    loop {
        let message = read_message(&mut stream).await?;
        if message.is_empty() {
            return Ok(());
        }
        stream.write_all(&message).await?;
    }
}

// The buffer lives within one iteration: each datagram is decoded into a fresh `Vec` and handed
// on before the next await. Nothing is carried across an await.
async fn decode_datagrams(socket: &UdpSocket, out: &mpsc::UnboundedSender<Vec<String>>) -> io::Result<()> {
    loop {
        let mut datagram = [0u8; 1500];
        let n = socket.recv(&mut datagram).await?;
        let mut fields = Vec::new();
        for field in datagram[..n].split(|b| *b == b'|') {
            fields.push(String::from_utf8_lossy(field).into_owned());
        }
        if out.send(fields).is_err() {
            return Ok(());
        }
    }
}

async fn listen(socket: UdpSocket, out: mpsc::UnboundedSender<Vec<String>>, token: CancellationToken) -> io::Result<()> {
    tokio::select! {
        res = decode_datagrams(&socket, &out) => res,
        _ = token.cancelled() => Ok(()),
    }
}

// A scratch array reused by every read: each `recv` overwrites it whole and its content is
// handed on before the next await, so nothing accumulates in it.
async fn forward_datagrams(socket: &UdpSocket, out: &mpsc::UnboundedSender<Bytes>) -> io::Result<()> {
    let mut datagram = [0u8; 1500];
    loop {
        let n = socket.recv(&mut datagram).await?;
        if out.send(Bytes::copy_from_slice(&datagram[..n])).is_err() {
            return Ok(());
        }
    }
}

async fn relay(socket: UdpSocket, out: mpsc::UnboundedSender<Bytes>, token: CancellationToken) -> io::Result<()> {
    tokio::select! {
        res = forward_datagrams(&socket, &out) => res,
        _ = token.cancelled() => Ok(()),
    }
}

// The stream is opened inside the function and dropped with it: the buffered bytes belong to
// a connection nobody else reads.
async fn fetch(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    let mut response = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(response);
        }
        response.extend_from_slice(&chunk[..n]);
    }
}

async fn fetch_or_cancel(addr: SocketAddr, token: CancellationToken) -> io::Result<Option<Vec<u8>>> {
    tokio::select! {
        response = fetch(addr, b"GET /status\r\n") => response.map(Some),
        _ = token.cancelled() => Ok(None),
    }
}
