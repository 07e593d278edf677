// A `let` with nothing after `=`: the parser stops at the `;` where an expression should be.

use std::io;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

async fn read_header(stream: &mut TcpStream) -> io::Result<u32> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await?;
    let len = ; //~ parse_error
    Ok(len)
}
