//! A relay that uses the runtime shim as a dependency: its `# Cancel safety` docs are mined from
//! the dependency's sources, so the shim's methods are known to be cancel safe. The last
//! function keeps the plain `mpsc::Sender::send`, which is not.

use std::io;
use std::time::Duration;

use cancel_check::io::CancelSafeReader;
use cancel_check::outbox::{Closed, Outbox};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Reads frames while a heartbeat ticks: the reader keeps partial frames.
pub async fn frames(socket: TcpStream, out: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let mut reader = CancelSafeReader::new(socket);
    let mut heartbeat = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            frame = reader.read_frame() => match frame? {
                Some(frame) => {
                    if out.send(frame.to_vec()).await.is_err() {
                        return Ok(());
                    }
                }
                None => return Ok(()),
            },
            _ = heartbeat.tick() => println!("alive"),
        }
    }
}

/// Forwards events; the outbox keeps an event the timer interrupted.
pub async fn relay(mut events: mpsc::Receiver<u32>, out: mpsc::Sender<u32>) -> Result<(), Closed> {
    let mut outbox = Outbox::new(out);
    let mut progress = tokio::time::interval(Duration::from_millis(100));
    while let Some(event) = events.recv().await {
        tokio::select! {
            sent = outbox.send(event) => sent?,
            _ = progress.tick() => println!("waiting for the consumer"),
        }
    }
    outbox.flush().await
}

/// The same relay without the outbox: the event moved into `send` is lost when the timer wins.
pub async fn lossy_relay(mut events: mpsc::Receiver<u32>, out: mpsc::Sender<u32>) {
    let mut progress = tokio::time::interval(Duration::from_millis(100));
    while let Some(event) = events.recv().await {
        tokio::select! {
            sent = out.send(event) => if sent.is_err() { return },
            _ = progress.tick() => println!("waiting for the consumer"),
        }
    }
}
