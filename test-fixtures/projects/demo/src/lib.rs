//! A tiny framed-protocol peer: frames come from the socket, commands from a channel.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Relays frames and commands until the command channel closes.
///
/// Not cancel safe: when a command wins the race, `read_exact` is dropped with the header bytes
/// it has already taken off the socket, and the next frame is read from the wrong offset.
pub async fn relay(mut stream: TcpStream, mut commands: mpsc::Receiver<Vec<u8>>) -> std::io::Result<()> {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            res = stream.read_exact(&mut header) => {
                res?;
                let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
                stream.read_exact(&mut body).await?;
            }
            cmd = commands.recv() => match cmd {
                Some(bytes) => stream.write_all(&bytes).await?,
                None => return Ok(()),
            },
        }
    }
}

/// Counts the bytes received until the command channel closes.
///
/// Cancel safe: `read` returns as soon as it has data, so a dropped `read` has taken nothing.
pub async fn count_bytes(mut stream: TcpStream, mut commands: mpsc::Receiver<Vec<u8>>) -> std::io::Result<usize> {
    let mut buffer = vec![0u8; 4096];
    let mut total = 0;
    loop {
        tokio::select! {
            n = stream.read(&mut buffer) => total += n?,
            cmd = commands.recv() => if cmd.is_none() { return Ok(total) },
        }
    }
}
