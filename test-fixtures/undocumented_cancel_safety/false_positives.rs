//@ check-pass
// Public async fns that looked not cancel safe to an earlier version of the analysis.

use std::io;

use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};

pub struct Datagrams {
    socket: UdpSocket,
}

impl Datagrams {
    /// Sends one datagram.
    ///
    /// `buf` is a borrowed slice, so this is a datagram socket's `send(&[u8])`, which sends all or
    /// nothing, not a channel's `send(value)` that would drop the value.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send(buf).await
    }
}

pub enum AnyListener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

pub enum AnyStream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl AnyListener {
    /// Accepts the next connection. Each arm accepts once and returns at once: the item taken in
    /// one arm is never held across the other arm's await.
    pub async fn accept(&mut self) -> io::Result<AnyStream> {
        match self {
            AnyListener::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                Ok(AnyStream::Tcp(stream))
            }
            AnyListener::Unix(listener) => {
                let (stream, _) = listener.accept().await?;
                Ok(AnyStream::Unix(stream))
            }
        }
    }
}
