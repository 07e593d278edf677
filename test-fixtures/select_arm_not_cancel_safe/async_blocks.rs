// `async { .. }` blocks as select branches are analysed like function bodies. A block that
// takes an item off a long-lived queue and then awaits something else holds that item in the
// block's future: when another branch wins, the item is dropped with it. In a loop whose other
// branches go on, that happens again and again.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio::time::interval;
use tokio_util::sync::CancellationToken;

pub struct Job {
    pub id: u64,
    pub body: Bytes,
}

// Reported: the block takes a message off `rx`, then waits for room in `out`. A heartbeat
// that wins while `out` is full drops the message.
async fn forward(rx: &mut mpsc::Receiver<Bytes>, out: &mpsc::Sender<Bytes>) {
    let mut heartbeat = interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            res = async { //~ select_arm_not_cancel_safe
                let message = rx.recv().await?;
                out.send(message).await.ok()
            } => {
                if res.is_none() {
                    return;
                }
            }
            _ = heartbeat.tick() => tracing::trace!(capacity = out.capacity(), "forwarder alive"),
        }
    }
}

// Reported: the job is dequeued first and only then waits for a worker permit; a status tick
// during the wait drops the job. (Waiting for the permit alone would lose nothing.)
async fn dispatch(jobs: &mut mpsc::Receiver<Job>, workers: Arc<Semaphore>, token: CancellationToken) {
    let mut status = interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            next = async { //~ select_arm_not_cancel_safe
                let job = jobs.recv().await?;
                let permit = workers.clone().acquire_owned().await.ok()?;
                Some((job, permit))
            } => match next {
                Some((job, permit)) => {
                    tokio::spawn(async move {
                        run_job(job).await;
                        drop(permit);
                    });
                }
                None => return,
            },
            _ = status.tick() => tracing::info!(idle = workers.available_permits(), "dispatcher"),
            _ = token.cancelled() => return,
        }
    }
}

// Reported: the block accepts a connection and then writes the banner. When the stats tick wins
// during the write, the accepted connection is dropped and the client sees a reset.
async fn serve(listener: TcpListener, conns: mpsc::Sender<TcpStream>) -> io::Result<()> {
    let mut stats = interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            accepted = async { //~ select_arm_not_cancel_safe
                let (mut stream, _) = listener.accept().await?;
                stream.write_all(b"220 ready\r\n").await?;
                Ok::<_, io::Error>(stream)
            } => {
                if conns.send(accepted?).await.is_err() {
                    return Ok(());
                }
            }
            _ = stats.tick() => tracing::info!(queued = conns.max_capacity() - conns.capacity(), "connections"),
        }
    }
}

// Not reported: the block returns the message as soon as it has it, and `recv` itself is cancel
// safe.
async fn collect(rx: &mut mpsc::Receiver<Bytes>, token: CancellationToken) -> Vec<Bytes> {
    let mut collected = Vec::new();
    loop {
        tokio::select! {
            message = async {
                let message = rx.recv().await?;
                tracing::trace!(len = message.len(), "received");
                Some(message)
            } => match message {
                Some(message) => collected.push(message),
                None => return collected,
            },
            _ = token.cancelled() => return collected,
        }
    }
}

// Not reported: the block only awaits `readable`, which is cancel safe, and then reads with the
// non-blocking `try_read`, which takes bytes only when it returns them at once.
async fn read_ready(stream: &TcpStream, buf: &mut [u8], token: CancellationToken) -> io::Result<usize> {
    let mut ticks = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            res = async {
                loop {
                    stream.readable().await?;
                    match stream.try_read(buf) {
                        Err(err) if err.kind() == io::ErrorKind::WouldBlock => continue,
                        res => return res,
                    }
                }
            } => return res,
            _ = ticks.tick() => tracing::trace!("still waiting for the peer"),
            _ = token.cancelled() => return Ok(0),
        }
    }
}

// Not reported: a one-shot select. The block can drop one message, once, when the token fires;
// a message lost that way is reported only when a loop repeats it.
async fn forward_one(rx: &mut mpsc::Receiver<Bytes>, out: &mpsc::Sender<Bytes>, token: &CancellationToken) -> bool {
    tokio::select! {
        sent = async {
            let message = rx.recv().await?;
            out.send(message).await.ok()
        } => sent.is_some(),
        _ = token.cancelled() => false,
    }
}

async fn run_job(job: Job) {
    tracing::debug!(id = job.id, len = job.body.len(), "job done");
}
