//! The first file: a real finding.

mod broken;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub async fn pump(mut stream: TcpStream, mut rx: mpsc::Receiver<u32>) -> std::io::Result<()> {
    let mut header = [0u8; 8];
    loop {
        tokio::select! {
            res = stream.read_exact(&mut header) => { res?; }
            Some(n) = rx.recv() => println!("{n}"),
        }
    }
}
