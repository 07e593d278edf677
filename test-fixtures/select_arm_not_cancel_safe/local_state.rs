// A reader whose state lives in a struct is cancel safe while the struct outlives the race; kept
// in a local of the raced future, its state dies with it.

use std::io;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tokio::time::Interval;

#[derive(Default)]
pub struct FrameReader {
    buf: BytesMut,
}

impl FrameReader {
    pub async fn next<R: AsyncRead + Unpin>(&mut self, stream: &mut R) -> io::Result<Vec<u8>> {
        while self.buf.len() < 4 {
            stream.read_buf(&mut self.buf).await?;
        }
        Ok(self.buf.split_to(4).to_vec())
    }
}

// The reader is made in the raced future: what it has read is lost with it.
async fn read_one(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut reader = FrameReader::default();
    reader.next(stream).await
}

pub async fn frames(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = read_one(stream) => drop(frame), //~ select_arm_not_cancel_safe: `read_one(..)`
            _ = ticks.tick() => {}
        }
    }
}

// The reader outlives the loop: the next call resumes with what it holds.
pub async fn frames_kept(stream: &mut TcpStream, mut ticks: Interval) {
    let mut reader = FrameReader::default();
    loop {
        tokio::select! {
            frame = reader.next(stream) => drop(frame),
            _ = ticks.tick() => {}
        }
    }
}
