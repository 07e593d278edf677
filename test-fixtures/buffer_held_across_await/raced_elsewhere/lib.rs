// A line-protocol server whose decoding helpers live in `codec.rs`. The helpers' local buffers
// are reported there, because the selects here race them, directly or through
// `Session::next_request`. Each race is also a `select_arm_not_cancel_safe` finding.

mod codec;

use std::io;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::interval;
use tokio_util::sync::CancellationToken;

use crate::codec::Request;

pub struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Session {
    pub fn new(stream: TcpStream) -> Session {
        let (read, write) = stream.into_split();
        Session {
            reader: BufReader::new(read),
            writer: write,
        }
    }

    // Raced below: a notice that arrives mid-request drops the request bytes collected in
    // `codec::read_request`.
    async fn next_request(&mut self) -> io::Result<Request> {
        let request = codec::read_request(&mut self.reader).await?;
        tracing::debug!(verb = %request.verb, "request");
        Ok(request)
    }

    pub async fn run(&mut self, mut notices: mpsc::Receiver<String>, token: CancellationToken) -> io::Result<()> {
        loop {
            tokio::select! {
                request = self.next_request() => { //~ select_arm_not_cancel_safe
                    let reply = request?.reply();
                    self.writer.write_all(reply.as_bytes()).await?;
                }
                Some(notice) = notices.recv() => {
                    self.writer.write_all(notice.as_bytes()).await?;
                }
                _ = token.cancelled() => return Ok(()),
            }
        }
    }
}

// Raced directly: the idle tick drops `codec::read_line_crlf` with the bytes of the current
// line.
pub async fn tail(stream: TcpStream, out: mpsc::UnboundedSender<String>) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut idle = interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            line = codec::read_line_crlf(&mut reader) => { //~ select_arm_not_cancel_safe
                if out.send(line?).is_err() {
                    return Ok(());
                }
            }
            _ = idle.tick() => tracing::debug!("no complete line for a while"),
        }
    }
}

// Not raced: `read_greeting` has the same kind of buffer, but it is awaited to completion.
pub async fn handshake(session: &mut Session) -> io::Result<String> {
    let greeting = codec::read_greeting(&mut session.reader).await?;
    session.writer.write_all(b"WELCOME\r\n").await?;
    Ok(greeting)
}
