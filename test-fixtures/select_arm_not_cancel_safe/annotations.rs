// Cancel-safety annotations override what inference finds: a `# Cancel safety` doc section or
// the shim's `#[cancel_safe]` / `#[not_cancel_safe(..)]` attributes. Each function below is
// raced in a select loop whose other branch goes on, so only its annotation decides.

use std::io::{self, Cursor};
use std::time::Duration;

use rumqttc::{AsyncClient, ClientError, QoS};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::interval;
use tokio_util::sync::CancellationToken;

pub struct Reading {
    pub sensor: u16,
    pub value: f32,
}

impl Reading {
    fn encode(&self) -> Vec<u8> {
        let mut out = self.sensor.to_be_bytes().to_vec();
        out.extend_from_slice(&self.value.to_be_bytes());
        out
    }
}

/// Replays recorded traffic from memory, through the same code path as the network.
pub struct Replay {
    recorded: Cursor<Vec<u8>>,
}

impl Replay {
    /// Reads the next recorded frame.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe. The recording is in memory, so `read_u32` and `read_exact`
    /// never wait: the future completes the first time it is polled.
    async fn next_frame(&mut self) -> io::Result<Vec<u8>> {
        let len = self.recorded.read_u32().await?;
        let mut frame = vec![0u8; len as usize];
        self.recorded.read_exact(&mut frame).await?;
        Ok(frame)
    }
}

/// Decodes records from a snapshot that is already in memory.
pub struct SnapshotReader<'a> {
    data: &'a [u8],
}

impl<'a> SnapshotReader<'a> {
    // Marked safe with the shim's attribute: a `&[u8]` reader never waits either.
    #[cancel_check::cancel_safe]
    async fn next_record(&mut self) -> io::Result<[u8; 32]> {
        let mut record = [0u8; 32];
        self.data.read_exact(&mut record).await?;
        Ok(record)
    }
}

pub struct Publisher {
    client: AsyncClient,
    topic: String,
}

impl Publisher {
    /// Publishes one reading.
    ///
    /// # Cancel Safety
    ///
    /// This method is not cancel safe: the client's request queue is bounded, and a reading
    /// that is waiting for room in it is lost when the future is dropped.
    async fn report(&self, reading: Reading) -> Result<(), ClientError> {
        self.client.publish(&self.topic, QoS::AtLeastOnce, false, reading.encode()).await
    }
}

pub enum Request {
    Apply { key: String, value: Vec<u8>, reply: oneshot::Sender<u64> },
}

pub struct StoreHandle {
    requests: mpsc::UnboundedSender<Request>,
}

impl StoreHandle {
    // Marked unsafe with the shim's attribute: inference sees only a local `oneshot` receiver,
    // but the store applies the write whether or not anyone waits for the reply.
    #[cancel_check::not_cancel_safe(reason = "the write is applied even when the future is dropped; a retry applies it twice")]
    async fn apply(&self, key: String, value: Vec<u8>) -> io::Result<u64> {
        let (reply, version) = oneshot::channel();
        self.requests
            .send(Request::Apply { key, value, reply })
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        version.await.map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

/// Reads a frame header from `reader`.
///
/// # Cancellation safety
///
/// This function is only cancel safe if `reader` never waits, as with an in-memory `&[u8]` or
/// `Cursor`: then it completes the first time it is polled.
async fn read_header<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<[u8; 8]> {
    let mut header = [0u8; 8];
    reader.read_exact(&mut header).await?;
    Ok(header)
}

// Not reported: inference sees `read_exact` on `self.recorded`, but the docs say the method is
// cancel safe.
async fn replay(mut recording: Replay, frames: mpsc::Sender<Vec<u8>>, token: CancellationToken) -> io::Result<()> {
    let mut progress = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            frame = recording.next_frame() => {
                if frames.send(frame?).await.is_err() {
                    return Ok(());
                }
            }
            _ = progress.tick() => tracing::debug!(at = recording.recorded.position(), "replaying"),
            _ = token.cancelled() => return Ok(()),
        }
    }
}

// Not reported: `#[cancel_check::cancel_safe]` on `next_record`.
async fn load_snapshot(mut reader: SnapshotReader<'_>, mut progress: mpsc::Receiver<oneshot::Sender<usize>>) -> io::Result<Vec<[u8; 32]>> {
    let mut records = Vec::new();
    loop {
        tokio::select! {
            record = reader.next_record() => match record {
                Ok(record) => records.push(record),
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(records),
                Err(err) => return Err(err),
            },
            Some(ask) = progress.recv() => {
                let _ = ask.send(records.len());
            }
        }
    }
}

// Reported: inference knows nothing about `AsyncClient::publish`, but the docs of `report`
// say it is not cancel safe. Each status tick that wins loses a reading.
async fn publish_readings(publisher: &Publisher, mut readings: mpsc::Receiver<Reading>) {
    let mut status = interval(Duration::from_secs(30));
    while let Some(reading) = readings.recv().await {
        tokio::select! {
            res = publisher.report(reading) => { //~ select_arm_not_cancel_safe
                if let Err(err) = res {
                    tracing::warn!(%err, "publish failed");
                }
            }
            _ = status.tick() => tracing::info!("publisher alive"),
        }
    }
}

// Reported: `#[cancel_check::not_cancel_safe(..)]` on `apply`. When the deadline tick wins, the
// write is retried and applied twice.
async fn apply_all(store: &StoreHandle, mut writes: mpsc::Receiver<(String, Vec<u8>)>) {
    let mut deadline = interval(Duration::from_millis(200));
    while let Some((key, value)) = writes.recv().await {
        deadline.reset();
        loop {
            tokio::select! {
                version = store.apply(key.clone(), value.clone()) => { //~ select_arm_not_cancel_safe
                    tracing::debug!(version = version.ok(), %key, "applied");
                    break;
                }
                _ = deadline.tick() => tracing::warn!(%key, "apply is slow, retrying"),
            }
        }
    }
}

// Not reported: the docs of `read_header` make its cancel safety conditional on the reader.
async fn scan(data: Vec<u8>) -> io::Result<u64> {
    let mut input = Cursor::new(data);
    let mut headers = 0;
    let mut progress = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            header = read_header(&mut input) => match header {
                Ok(_) => headers += 1,
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(headers),
                Err(err) => return Err(err),
            },
            _ = progress.tick() => tracing::debug!(headers, "scanning"),
        }
    }
}
