// Timeouts outside any loop. They lose progress only when the resource outlives the timeout:
// it is used again afterwards, it is a field of `self`, or it is a `&mut` parameter that the
// caller goes on using.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;

const FAST: Duration = Duration::from_millis(200);
const HANDSHAKE: Duration = Duration::from_secs(3);

pub struct Client {
    stream: BufReader<TcpStream>,
    read_timeout: Duration,
    outbox: mpsc::Sender<Vec<u8>>,
}

impl Client {
    // A field of `self`: after a timeout the client is still usable, and its next read starts
    // in the middle of the status line.
    async fn status(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        match timeout(self.read_timeout, self.stream.read_line(&mut line)).await { //~ timeout_not_cancel_safe
            Ok(res) => res.map(|_| Some(line)),
            Err(_) => Ok(None),
        }
    }

    // Not reported: `send` on a channel held in `self` drops the message when the timer wins,
    // but the channel itself is intact and the caller is told (`false`). A one-shot loss of a
    // message is reported only when a loop repeats it.
    async fn enqueue(&self, message: Vec<u8>) -> bool {
        timeout(FAST, self.outbox.send(message)).await.is_ok_and(|res| res.is_ok())
    }
}

// A `&mut` parameter: the caller keeps the stream after a timed-out header read.
async fn read_header(stream: &mut TcpStream) -> io::Result<[u8; 12]> {
    let mut header = [0u8; 12];
    timeout(HANDSHAKE, stream.read_exact(&mut header)) //~ timeout_not_cancel_safe
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    Ok(header)
}

// Used again after the timeout: the fallback read starts where the timed-out read stopped,
// so the length it returns is made of the wrong bytes.
async fn read_len_with_fallback(mut stream: TcpStream) -> io::Result<(u32, TcpStream)> {
    let len = match timeout(FAST, stream.read_u32()).await { //~ timeout_not_cancel_safe
        Ok(len) => len?,
        Err(_) => {
            tracing::warn!("slow peer, waiting without a timeout");
            stream.read_u32().await?
        }
    };
    Ok((len, stream))
}

// Used again after the timeout: on timeout the code still writes the trailer, after a
// greeting that may have been cut in the middle.
async fn greet(mut stream: TcpStream, name: &str) -> io::Result<()> {
    let greeting = format!("HELLO {name}\r\n");
    if timeout(FAST, stream.write_all(greeting.as_bytes())).await.is_err() { //~ timeout_not_cancel_safe
        tracing::warn!("greeting timed out");
    }
    stream.write_all(b"READY\r\n").await
}

// Not reported: the stream is a local and the function returns the timeout error at once, so
// the connection is dropped together with the half-read handshake.
async fn handshake(addr: std::net::SocketAddr) -> io::Result<[u8; 12]> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(b"HELLO").await?;
    let mut reply = [0u8; 12];
    timeout(HANDSHAKE, stream.read_exact(&mut reply))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    Ok(reply)
}

// Not reported: `recv` on a `&mut` receiver is cancel safe; a message is never lost.
async fn recv_with_timeout(rx: &mut mpsc::Receiver<Vec<u8>>) -> Option<Vec<u8>> {
    timeout(FAST, rx.recv()).await.ok().flatten()
}

// Not reported: the whole connection is moved into a local reader that is dropped on timeout.
async fn read_config(stream: TcpStream) -> io::Result<String> {
    let mut reader = BufReader::new(stream);
    let mut config = String::new();
    match timeout(HANDSHAKE, reader.read_to_string(&mut config)).await {
        Ok(res) => res.map(|_| config),
        Err(_) => Err(io::ErrorKind::TimedOut.into()),
    }
}
