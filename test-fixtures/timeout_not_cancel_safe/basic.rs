// `tokio::time::timeout` around a call that is not cancel safe, in a loop: when the timer
// wins, the wrapped future is dropped with the progress it made, and the next iteration
// starts over on a resource that has already moved on.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};

const IDLE: Duration = Duration::from_secs(30);
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

// A keepalive loop: on timeout a ping is sent and the header read is started again, but the
// bytes of the header that had arrived are gone.
async fn read_messages(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf, out: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let mut header = [0u8; 4];
    loop {
        match tokio::time::timeout(IDLE, reader.read_exact(&mut header)).await { //~ timeout_not_cancel_safe
            Ok(res) => {
                res?;
                let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
                reader.read_exact(&mut body).await?;
                if out.send(body).await.is_err() {
                    return Ok(());
                }
            }
            Err(_elapsed) => writer.write_all(b"PING\n").await?,
        }
    }
}

// `read_u64` under a timeout in a `while` loop: a slow sender makes the loop skip part of a
// sequence number and every later number is misaligned.
async fn read_sequence(mut stream: TcpStream, max_missed: u32) -> io::Result<u64> {
    let mut last = 0;
    let mut missed = 0;
    while missed < max_missed {
        match tokio::time::timeout(IDLE, stream.read_u64()).await { //~ timeout_not_cancel_safe
            Ok(seq) => last = seq?,
            Err(_) => missed += 1,
        }
    }
    Ok(last)
}

// A timed-out `write_all` has already written part of the frame; the loop moves on to the
// next frame and the peer reads garbage.
async fn write_frames(mut writer: OwnedWriteHalf, mut frames: mpsc::Receiver<Vec<u8>>) -> io::Result<u32> {
    let mut timed_out = 0;
    while let Some(frame) = frames.recv().await {
        if tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(&frame)).await.is_err() { //~ timeout_not_cancel_safe
            timed_out += 1;
            tracing::warn!(len = frame.len(), "frame write timed out");
        }
    }
    Ok(timed_out)
}

// `Sender::send` under a timeout: when the channel stays full, the event is dropped with the
// future, although the loop carries on with the next one.
async fn publish(mut events: mpsc::Receiver<String>, downstream: mpsc::Sender<String>) {
    while let Some(event) = events.recv().await {
        if let Err(_elapsed) = tokio::time::timeout(WRITE_TIMEOUT, downstream.send(event)).await { //~ timeout_not_cancel_safe
            tracing::warn!("downstream is full, event dropped");
        }
    }
}

// `Notify::notified` under a timeout in a loop: a `notify_waiters` between two iterations is
// missed, so a reload can wait a full period.
async fn watch_reload(reload: Arc<Notify>) {
    loop {
        match tokio::time::timeout(IDLE, reload.notified()).await { //~ timeout_not_cancel_safe
            Ok(()) => tracing::info!("reload requested"),
            Err(_) => tracing::trace!("no reload in this period"),
        }
        reload_config().await;
    }
}

pub fn request_reload(reload: &Notify) {
    reload.notify_waiters();
}

// Not reported: `recv` and `accept` are cancel safe, so timing them out in a loop loses
// nothing.
async fn serve(listener: TcpListener, mut control: mpsc::Receiver<u8>) -> io::Result<()> {
    loop {
        match tokio::time::timeout(IDLE, listener.accept()).await {
            Ok(accepted) => {
                let (stream, peer) = accepted?;
                tracing::info!(%peer, "accepted");
                drop(stream);
            }
            Err(_) => tracing::debug!("no connection in the last period"),
        }
        if let Ok(Some(code)) = tokio::time::timeout(Duration::from_millis(10), control.recv()).await {
            tracing::debug!(code, "control");
        }
    }
}

async fn reload_config() {}
