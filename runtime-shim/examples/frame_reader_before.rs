//! Before: a frame reader raced against a heartbeat timer in a `select!` loop.
//!
//! `read_frame` keeps what it has read in its own future (the length prefix, then the payload
//! buffer of `read_exact`). When the heartbeat wins the race, that future is dropped with the
//! bytes in it, and the next `read_frame` starts in the middle of a frame: the stream is out of
//! sync. `cargo cancel-check` reports the branch (`select_arm_not_cancel_safe`).
//! `frame_reader_after.rs` is the fix.
//!
//! Run: `cargo run -p cancel-check --example frame_reader_before`

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame this protocol allows.
const MAX_FRAME: usize = 1024;

async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> {
    let len = reader.read_u32().await? as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes: the stream is out of sync"),
        ));
    }
    let mut frame = vec![0; len];
    reader.read_exact(&mut frame).await?;
    Ok(frame)
}

/// Sends `count` frames, each in two halves with a pause in between, as a slow network would.
async fn send_frames<W: AsyncWrite + Unpin>(mut writer: W, count: usize) -> io::Result<()> {
    for n in 0..count {
        let payload = format!("frame number {n}");
        let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(payload.as_bytes());
        let (first, second) = bytes.split_at(bytes.len() / 2);
        writer.write_all(first).await?;
        tokio::time::sleep(Duration::from_millis(3)).await;
        writer.write_all(second).await?;
    }
    writer.shutdown().await
}

#[tokio::main]
async fn main() {
    let (mut reader, writer) = tokio::io::duplex(64);
    let sender = tokio::spawn(send_frames(writer, 5));
    let mut heartbeat = tokio::time::interval(Duration::from_millis(1));
    let mut frames = Vec::new();
    let mut beats = 0;
    loop {
        tokio::select! {
            frame = read_frame(&mut reader) => match frame {
                Ok(frame) => frames.push(String::from_utf8_lossy(&frame).into_owned()),
                Err(error) => {
                    println!("read failed: {error}");
                    break;
                }
            },
            _ = heartbeat.tick() => beats += 1,
        }
    }
    sender.abort();
    println!(
        "{beats} heartbeats, {} frames received intact: {frames:?}",
        frames.len()
    );
    println!("(5 were sent: the dropped reads lost the bytes they held)");
}
