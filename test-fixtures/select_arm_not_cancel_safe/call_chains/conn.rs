//@ check-pass
// The connection types. Nothing is raced in this file; the selects are in lib.rs.

use std::io;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::proto::frame::{self, Event, Frame};

pub struct Conn {
    reader: OwnedReadHalf,
    writer: OwnedWriteHalf,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Conn {
        let (reader, writer) = stream.into_split();
        Conn { reader, writer }
    }

    // Not cancel safe: `read_exact` on `self.reader`, which outlives the call. The header and
    // payload bytes read so far are only in this future.
    pub async fn read_frame(&mut self) -> io::Result<Frame> {
        let mut header = [0u8; frame::HEADER_LEN];
        self.reader.read_exact(&mut header).await?;
        let (kind, len) = frame::decode_header(&header)?;
        let mut payload = vec![0u8; len];
        self.reader.read_exact(&mut payload).await?;
        Ok(Frame { kind, payload })
    }

    // Not cancel safe through `frame::read_header`, which is handed `&mut self.reader`.
    pub async fn read_event(&mut self) -> io::Result<Event> {
        let (kind, len) = frame::read_header(&mut self.reader).await?;
        let mut body = vec![0u8; len];
        self.reader.read_exact(&mut body).await?;
        Event::decode(kind, &body)
    }

    pub async fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.writer.write_all(&frame.encode()).await
    }
}

// The cancel-safe version, as mini-redis writes it: the bytes read so far live in
// `self.buffer`, not in the future.
pub struct BufferedConn {
    reader: OwnedReadHalf,
    writer: OwnedWriteHalf,
    buffer: BytesMut,
}

impl BufferedConn {
    pub fn new(stream: TcpStream) -> BufferedConn {
        let (reader, writer) = stream.into_split();
        BufferedConn {
            reader,
            writer,
            buffer: BytesMut::with_capacity(4096),
        }
    }

    pub async fn read_frame(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if let Some(frame) = Frame::parse(&mut self.buffer)? {
                return Ok(Some(frame));
            }
            if self.reader.read_buf(&mut self.buffer).await? == 0 {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    pub async fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.writer.write_all(&frame.encode()).await
    }
}
