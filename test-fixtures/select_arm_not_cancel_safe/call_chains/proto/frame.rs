//@ check-pass
// Frame encoding: a 5-byte header (kind, big-endian payload length) and the payload.

use std::io;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

pub const HEADER_LEN: usize = 5;
const MAX_PAYLOAD: usize = 1 << 20;

pub struct Frame {
    pub kind: u8,
    pub payload: Vec<u8>,
}

pub enum Event {
    Joined(String),
    Left(String),
}

impl Frame {
    pub fn ping() -> Frame {
        Frame { kind: 0, payload: Vec::new() }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        out.push(self.kind);
        out.extend_from_slice(&(self.payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Takes one frame off the front of `buffer` if it holds a whole one.
    pub fn parse(buffer: &mut BytesMut) -> io::Result<Option<Frame>> {
        if buffer.len() < HEADER_LEN {
            return Ok(None);
        }
        let header: [u8; HEADER_LEN] = buffer[..HEADER_LEN].try_into().unwrap();
        let (kind, len) = decode_header(&header)?;
        if buffer.len() < HEADER_LEN + len {
            return Ok(None);
        }
        buffer.advance(HEADER_LEN);
        let payload = buffer.split_to(len).to_vec();
        Ok(Some(Frame { kind, payload }))
    }
}

impl Event {
    pub fn decode(kind: u8, body: &[u8]) -> io::Result<Event> {
        let name = String::from_utf8_lossy(body).into_owned();
        match kind {
            1 => Ok(Event::Joined(name)),
            2 => Ok(Event::Left(name)),
            _ => Err(io::Error::new(io::ErrorKind::InvalidData, "unknown event")),
        }
    }
}

pub fn decode_header(header: &[u8; HEADER_LEN]) -> io::Result<(u8, usize)> {
    let len = u32::from_be_bytes(header[1..].try_into().unwrap()) as usize;
    if len > MAX_PAYLOAD {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "frame too large"));
    }
    Ok((header[0], len))
}

// Not cancel safe: `read_exact` on a reader borrowed from the caller, who reads the rest of
// the frame from it afterwards.
pub async fn read_header<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<(u8, usize)> {
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header).await?;
    decode_header(&header)
}
