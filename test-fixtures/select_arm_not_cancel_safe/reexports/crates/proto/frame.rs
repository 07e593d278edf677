//@ check-pass
use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

pub struct Frame(pub Vec<u8>);

pub async fn read_frame<R: AsyncRead + Unpin>(src: &mut R) -> io::Result<Frame> {
    let len = src.read_u32().await? as usize;
    let mut body = vec![0; len];
    src.read_exact(&mut body).await?;
    Ok(Frame(body))
}

pub async fn read_tag<R: AsyncRead + Unpin>(src: &mut R) -> io::Result<u8> {
    src.read_u8().await
}
