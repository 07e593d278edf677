// A reader that keeps every byte it has read in `self.state` is cancel safe: a dropped call
// resumes where it stopped. Its `match` arms bind buffers of the state by the same names that a
// `let` in another arm uses for the next state; that `let` is out of scope in the other arm and
// is not the buffer read into there.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

enum ReadState {
    Header { header: [u8; 4], filled: usize },
    Body { body: Vec<u8>, filled: usize },
}

pub struct FrameReader<R> {
    input: R,
    state: ReadState,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub async fn next_frame(&mut self) -> std::io::Result<Vec<u8>> {
        loop {
            match &mut self.state {
                ReadState::Header { header, filled } => {
                    while *filled < header.len() {
                        let n = self.input.read(&mut header[*filled..]).await?;
                        if n == 0 {
                            return Err(std::io::ErrorKind::UnexpectedEof.into());
                        }
                        *filled += n;
                    }
                    let len = u32::from_be_bytes(*header) as usize;
                    let body = vec![0u8; len];
                    self.state = ReadState::Body { body, filled: 0 };
                }
                ReadState::Body { body, filled } => {
                    while *filled < body.len() {
                        let n = self.input.read(&mut body[*filled..]).await?;
                        if n == 0 {
                            return Err(std::io::ErrorKind::UnexpectedEof.into());
                        }
                        *filled += n;
                    }
                    let frame = std::mem::take(body);
                    self.state = ReadState::Header { header: [0; 4], filled: 0 };
                    return Ok(frame);
                }
            }
        }
    }
}

// Not reported: `next_frame` keeps its progress in the reader.
async fn pump<R: AsyncRead + Unpin>(
    mut reader: FrameReader<R>,
    mut idle: tokio::time::Interval,
    out: mpsc::Sender<Vec<u8>>,
) {
    loop {
        tokio::select! {
            frame = reader.next_frame() => match frame {
                Ok(frame) => {
                    if out.send(frame).await.is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            _ = idle.tick() => tracing::trace!("idle"),
        }
    }
}

// The same frame read with its progress in locals of the call: lost when the call is dropped.
async fn read_frame(input: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut header = [0u8; 4];
    input.read_exact(&mut header).await?;
    let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
    input.read_exact(&mut body).await?;
    Ok(body)
}

async fn pump_stream(mut stream: TcpStream, mut idle: tokio::time::Interval, out: mpsc::Sender<Vec<u8>>) {
    loop {
        tokio::select! {
            frame = read_frame(&mut stream) => match frame { //~ select_arm_not_cancel_safe
                Ok(frame) => {
                    if out.send(frame).await.is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            _ = idle.tick() => tracing::trace!("idle"),
        }
    }
}
