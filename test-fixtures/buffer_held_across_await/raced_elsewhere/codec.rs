// The decoding helpers. Each collects bytes in a local buffer across reads; whether that is
// reported depends on whether some select in the crate races the helper (see lib.rs).

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt};

const MAX_LINE: usize = 8 * 1024;

pub struct Request {
    pub verb: String,
    pub args: Vec<String>,
}

impl Request {
    pub fn reply(&self) -> String {
        format!("OK {} {}\r\n", self.verb, self.args.len())
    }
}

// Reported (raced through `Session::next_request`): the request line and its argument lines
// are collected in `lines` until an empty line.
pub async fn read_request<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Request> {
    let mut lines = Vec::new(); //~ buffer_held_across_await
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut lines = lines.into_iter();
    let verb = lines.next().ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
    Ok(Request { verb, args: lines.collect() })
}

// Reported (raced directly in `tail`): a CRLF line assembled byte by byte.
pub async fn read_line_crlf<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<String> {
    let mut line = Vec::with_capacity(128); //~ buffer_held_across_await
    loop {
        let byte = reader.read_u8().await?;
        if byte == b'\n' && line.last() == Some(&b'\r') {
            line.pop();
            return String::from_utf8(line).map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err));
        }
        if line.len() == MAX_LINE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        line.push(byte);
    }
}

// Not reported: the same shape, but only `handshake` calls it and nothing races it.
pub async fn read_greeting<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<String> {
    let mut greeting = Vec::new();
    loop {
        let byte = reader.read_u8().await?;
        if byte == b'\n' {
            return Ok(String::from_utf8_lossy(&greeting).trim_end().to_string());
        }
        greeting.push(byte);
    }
}
