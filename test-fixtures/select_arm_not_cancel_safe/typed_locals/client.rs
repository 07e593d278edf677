//@ check-pass
// The types the callers in lib.rs get from calls: their `recv` and `next_frame` read a frame in
// several awaits and are not cancel safe, although a channel's `recv` is.

use std::io;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Console {
    stream: TcpStream,
}

impl Console {
    pub async fn recv(&mut self) -> io::Result<Vec<u8>> {
        let len = self.stream.read_u16().await? as usize;
        let mut line = vec![0; len];
        self.stream.read_exact(&mut line).await?;
        Ok(line)
    }
}

pub async fn connect(addr: &str) -> io::Result<Console> {
    Ok(Console {
        stream: TcpStream::connect(addr).await?,
    })
}

pub struct Reader {
    stream: TcpStream,
}

impl Reader {
    pub async fn next_frame(&mut self) -> io::Result<Vec<u8>> {
        let len = self.stream.read_u32().await? as usize;
        let mut frame = vec![0; len];
        self.stream.read_exact(&mut frame).await?;
        Ok(frame)
    }
}

pub struct Writer;

pub struct Client {
    reader: Reader,
}

impl Client {
    pub fn open(stream: TcpStream) -> io::Result<Self> {
        Ok(Client {
            reader: Reader { stream },
        })
    }

    pub async fn recv(&mut self) -> io::Result<Vec<u8>> {
        self.reader.next_frame().await
    }
}

pub enum State {
    Open(Reader),
    Closed,
}

pub fn inbox() -> mpsc::Receiver<Vec<u8>> {
    mpsc::channel(8).1
}
