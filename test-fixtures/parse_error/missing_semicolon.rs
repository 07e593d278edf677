// A missing `;` between two statements, inside an otherwise valid `select!` loop: the error is
// reported at the start of the next statement, and no other lint runs on this file.

use std::io;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

async fn run(mut stream: TcpStream, token: CancellationToken) -> io::Result<()> {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            res = stream.read_exact(&mut header) => res?,
            _ = token.cancelled() => return Ok(()),
        }
        let len = u32::from_be_bytes(header) as usize
        let mut body = vec![0u8; len]; //~ parse_error
        stream.read_exact(&mut body).await?;
    }
}
