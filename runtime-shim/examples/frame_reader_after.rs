//! After: the same loop with `CancelSafeReader::read_frame`, which keeps partial frames in the
//! reader. When the heartbeat wins, the bytes already read stay in the reader's buffer and the
//! next `read_frame` completes the frame. `cargo cancel-check` has nothing to report: the
//! method is marked `#[cancel_safe]`. `frame_reader_before.rs` is the bug.
//!
//! Run: `cargo run -p cancel-check --example frame_reader_after`

use std::io;
use std::time::Duration;

use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
use tokio::io::AsyncWrite;

/// The largest frame this protocol allows.
const MAX_FRAME: usize = 1024;

/// Sends `count` frames, each in two halves with a pause in between, as a slow network would.
async fn send_frames<W: AsyncWrite + Unpin>(writer: W, count: usize) -> io::Result<()> {
    let mut writer = CancelSafeWriter::new(writer);
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
async fn main() -> io::Result<()> {
    let (reader, writer) = tokio::io::duplex(64);
    let sender = tokio::spawn(send_frames(writer, 5));
    let mut reader = CancelSafeReader::new(reader).with_max_frame_len(MAX_FRAME);
    let mut heartbeat = tokio::time::interval(Duration::from_millis(1));
    let mut frames = Vec::new();
    let mut beats = 0;
    loop {
        tokio::select! {
            frame = reader.read_frame() => match frame? {
                Some(frame) => frames.push(String::from_utf8_lossy(&frame).into_owned()),
                None => break,
            },
            _ = heartbeat.tick() => beats += 1,
        }
    }
    sender.await??;
    println!(
        "{beats} heartbeats, {} frames received intact: {frames:?}",
        frames.len()
    );
    assert_eq!(frames.len(), 5);
    Ok(())
}
