//@ check-pass
// Transports behind traits: one of the three `Transport` impls reads a frame in two
// `read_exact`s and is not cancel safe, which makes `Transport::recv` not cancel safe wherever
// the impl is not known (a generic, `impl Transport`). The `Link` trait goes through
// `#[async_trait]` so that it can be a trait object. `Source` documents its contract.

use std::io;

use async_trait::async_trait;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Message(pub Vec<u8>);

/// A way to receive messages.
pub trait Transport {
    async fn recv(&mut self) -> io::Result<Message>;
}

/// Messages from an in-process channel: `recv` takes a whole message or nothing.
pub struct ChannelTransport {
    rx: mpsc::Receiver<Message>,
}

impl Transport for ChannelTransport {
    async fn recv(&mut self) -> io::Result<Message> {
        self.rx
            .recv()
            .await
            .ok_or_else(|| io::ErrorKind::BrokenPipe.into())
    }
}

/// Length-prefixed frames on TCP: the prefix and the body are read with `read_exact`.
pub struct TcpTransport {
    stream: TcpStream,
}

impl Transport for TcpTransport {
    async fn recv(&mut self) -> io::Result<Message> {
        let len = self.stream.read_u32().await? as usize;
        let mut body = vec![0; len];
        self.stream.read_exact(&mut body).await?;
        Ok(Message(body))
    }
}

/// Messages queued in memory.
pub struct LoopbackTransport {
    pending: Vec<Message>,
}

impl Transport for LoopbackTransport {
    async fn recv(&mut self) -> io::Result<Message> {
        Ok(self.pending.pop().unwrap_or(Message(Vec::new())))
    }
}

/// A link that can be a trait object.
#[async_trait]
pub trait Link: Send {
    async fn recv_frame(&mut self) -> io::Result<Message>;
    async fn ping(&mut self) -> io::Result<()>;
}

#[async_trait]
impl Link for TcpTransport {
    async fn recv_frame(&mut self) -> io::Result<Message> {
        let mut header = [0u8; 8];
        self.stream.read_exact(&mut header).await?;
        Ok(Message(header.to_vec()))
    }

    async fn ping(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[async_trait]
impl Link for ChannelTransport {
    async fn recv_frame(&mut self) -> io::Result<Message> {
        self.rx.recv().await.ok_or_else(|| io::ErrorKind::BrokenPipe.into())
    }

    async fn ping(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Events from somewhere.
pub trait Source {
    /// Receives one event.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: implementations keep partial reads in `self`.
    async fn next_event(&mut self) -> io::Result<Message>;
}

impl Source for TcpTransport {
    async fn next_event(&mut self) -> io::Result<Message> {
        // Breaks the documented contract; the contract is what callers rely on.
        let mut header = [0u8; 8];
        self.stream.read_exact(&mut header).await?;
        Ok(Message(header.to_vec()))
    }
}
