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

pub enum Request {
    Status { reply: tokio::sync::oneshot::Sender<u64> },
}

pub struct Handle {
    requests: tokio::sync::mpsc::Sender<Request>,
}

impl Handle {
    /// Asks the actor for its status. The request is built here: if the future is dropped while
    /// the channel is full, the request is dropped with it and nothing the caller had is lost.
    pub async fn status(&self) -> Option<u64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.requests.send(Request::Status { reply }).await.ok()?;
        answer.await.ok()
    }
}

/// Starts the event pump. The loop runs in a spawned task, not in this function's future:
/// dropping `start` cannot drop an event the task holds.
pub async fn start(mut events: tokio::sync::mpsc::Receiver<String>, log: std::sync::Arc<tokio::sync::Mutex<Vec<String>>>) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            log.lock().await.push(event);
        }
    });
    tokio::task::yield_now().await;
}
