// Channels other than tokio's in `select!` loops: flume, kanal, async-broadcast, postage,
// futures::channel, and tokio-util's `PollSender` and codecs. A send that owns its message
// loses it when another branch wins; kanal's receive can lose a value handed over as it is
// dropped. The receives of flume, async-broadcast, postage and futures keep the message in the
// channel until they return it.

use std::future::poll_fn;
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use kanal::{AsyncReceiver, AsyncSender};
use postage::prelude::{Sink as _, Stream as _};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::mpsc;
use tokio_util::codec::{FramedWrite, LengthDelimitedCodec};
use tokio_util::sync::{CancellationToken, PollSender};

pub enum Command {
    Flush,
    Stop,
}

pub struct Job {
    pub id: u64,
}

// flume: a full channel keeps the event in the `send_async` future; when a command wins, the
// future is dropped and the event with it.
async fn publish_events(events: flume::Sender<u64>, mut commands: mpsc::Receiver<Command>) {
    let mut seq = 0;
    loop {
        tokio::select! {
            res = events.send_async(seq) => { //~ select_arm_not_cancel_safe
                if res.is_err() {
                    return;
                }
                seq += 1;
            }
            Some(cmd) = commands.recv() => {
                if let Command::Stop = cmd {
                    return;
                }
            }
        }
    }
}

// flume: `recv_async` leaves the message in the channel until it returns it.
async fn consume_events(events: flume::Receiver<u64>, token: CancellationToken) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            Ok(seq) = events.recv_async() => tracing::debug!(seq, "event"),
            _ = ticker.tick() => tracing::trace!("tick"),
            _ = token.cancelled() => return,
        }
    }
}

// kanal documents its async receive as unfit for `select!`: a value a sender hands over while
// the `ReceiveFuture` is dropped is dropped with it.
async fn kanal_worker(jobs: AsyncReceiver<Job>, mut flushes: mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            job = jobs.recv() => match job { //~ select_arm_not_cancel_safe
                Ok(job) => tracing::debug!(job.id, "job"),
                Err(_) => return,
            },
            Some(()) = flushes.recv() => tracing::debug!("flush"),
        }
    }
}

// The same receive through a field of `self`.
pub struct KanalWorker {
    jobs: kanal::AsyncReceiver<Job>,
    control: mpsc::Receiver<Command>,
}

impl KanalWorker {
    async fn run(&mut self) {
        loop {
            tokio::select! {
                Ok(job) = self.jobs.recv() => tracing::debug!(job.id, "job"), //~ select_arm_not_cancel_safe
                Some(cmd) = self.control.recv() => {
                    if let Command::Stop = cmd {
                        return;
                    }
                }
            }
        }
    }
}

// kanal: the send owns the job; a dropped `SendFuture` that no receiver took drops it.
async fn kanal_dispatch(jobs: AsyncSender<Job>, mut incoming: mpsc::Receiver<u64>, mut ticks: tokio::time::Interval) {
    let mut next = 0;
    loop {
        tokio::select! {
            res = jobs.send(Job { id: next }) => { //~ select_arm_not_cancel_safe
                if res.is_err() {
                    return;
                }
                next += 1;
            }
            Some(id) = incoming.recv() => next = id,
            _ = ticks.tick() => tracing::trace!(next, "dispatching"),
        }
    }
}

// kanal's stream keeps its `ReceiveFuture` between polls: racing `stream.next()` on a stream
// created once loses nothing.
async fn kanal_worker_fixed(jobs: AsyncReceiver<Job>, mut flushes: mpsc::Receiver<()>) {
    let mut stream = jobs.stream();
    loop {
        tokio::select! {
            job = stream.next() => match job {
                Some(job) => tracing::debug!(job.id, "job"),
                None => return,
            },
            Some(()) = flushes.recv() => tracing::debug!("flush"),
        }
    }
}

// async-broadcast: `broadcast` keeps the message in its future while the channel is full.
async fn fan_out(hub: async_broadcast::Sender<Bytes>, mut source: mpsc::Receiver<Bytes>, mut stats: tokio::time::Interval) {
    let mut current = Bytes::new();
    loop {
        tokio::select! {
            res = hub.broadcast(current.clone()) => { //~ select_arm_not_cancel_safe
                if res.is_err() {
                    return;
                }
            }
            Some(next) = source.recv() => current = next,
            _ = stats.tick() => tracing::trace!(receivers = hub.receiver_count(), "hub"),
        }
    }
}

// async-broadcast: a receive takes a message only when it returns it.
async fn listen_hub(mut hub: async_broadcast::Receiver<Bytes>, token: CancellationToken) {
    loop {
        tokio::select! {
            msg = hub.recv() => match msg {
                Ok(msg) => tracing::debug!(len = msg.len(), "message"),
                Err(_) => return,
            },
            _ = token.cancelled() => return,
        }
    }
}

// postage: its `Sink::send` keeps the value in the future while the channel is full; its
// `Stream::recv` takes a message only when it returns it.
async fn postage_relay(mut rx: postage::mpsc::Receiver<u64>, mut tx: postage::broadcast::Sender<u64>, mut ticks: tokio::time::Interval) {
    let mut last = 0;
    loop {
        tokio::select! {
            Some(value) = rx.recv() => last = value,
            _ = tx.send(last) => tracing::trace!(last, "relayed"), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => tracing::trace!("tick"),
        }
    }
}

// futures::channel: `SinkExt::send` owns the message; `next()` on the receiver is cancel safe.
async fn futures_pipe(mut input: futures::channel::mpsc::Receiver<u64>, mut output: futures::channel::mpsc::Sender<u64>, mut ticks: tokio::time::Interval) {
    let mut pending = 0;
    loop {
        tokio::select! {
            Some(value) = input.next() => pending = value,
            _ = output.send(pending) => tracing::trace!(pending, "sent"), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => tracing::trace!("tick"),
        }
    }
}

// futures::channel::oneshot: polling `&mut rx` leaves the value in the channel.
async fn await_reply(mut reply: futures::channel::oneshot::Receiver<u64>, mut ticks: tokio::time::Interval) -> Option<u64> {
    loop {
        tokio::select! {
            value = &mut reply => return value.ok(),
            _ = ticks.tick() => tracing::trace!("still waiting"),
        }
    }
}

// tokio-util `PollSender` as a `Sink`: `send` owns the item until a slot is reserved.
async fn poll_sender_send(mut out: PollSender<u64>, mut source: mpsc::Receiver<u64>, mut ticks: tokio::time::Interval) {
    let mut next = 0;
    loop {
        tokio::select! {
            res = out.send(next) => { //~ select_arm_not_cancel_safe
                if res.is_err() {
                    return;
                }
            }
            Some(value) = source.recv() => next = value,
            _ = ticks.tick() => tracing::trace!("tick"),
        }
    }
}

// Reserve, then send: the arm waits only for a slot (kept in the `PollSender` if another branch
// wins); the item is handed over in the handler, where nothing can cancel it.
async fn poll_sender_reserve(mut out: PollSender<u64>, mut source: mpsc::Receiver<u64>, token: CancellationToken) {
    while let Some(value) = source.recv().await {
        loop {
            tokio::select! {
                res = poll_fn(|cx| out.poll_reserve(cx)) => {
                    if res.is_ok() && out.send_item(value).is_ok() {
                        break;
                    }
                    return;
                }
                _ = token.cancelled() => return,
            }
        }
    }
}

// tokio-util codecs: `feed` owns the frame like `send` does; `flush` works from the buffer in
// the `FramedWrite`, so a flush interrupted by a command resumes on the next iteration.
async fn write_frames(mut frames: FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>, mut commands: mpsc::Receiver<Command>, mut outbox: mpsc::Receiver<Bytes>) {
    let mut next = Bytes::new();
    loop {
        tokio::select! {
            res = frames.feed(next.clone()), if !next.is_empty() => { //~ select_arm_not_cancel_safe
                if res.is_err() {
                    return;
                }
                next = Bytes::new();
            }
            Some(frame) = outbox.recv(), if next.is_empty() => next = frame,
            Some(cmd) = commands.recv() => match cmd {
                Command::Flush => {
                    tokio::select! {
                        res = frames.flush() => {
                            if res.is_err() {
                                return;
                            }
                        }
                        _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    }
                }
                Command::Stop => return,
            },
        }
    }
}
