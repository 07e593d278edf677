// Items taken off a resource that outlives the future, then held across a later await: through
// `ok_or`, `match`, `let .. else`, as an argument of an awaited call, through a wrapper that
// returns what it took, taken synchronously out of `self` or a caller's buffer, and values the
// caller handed over. Each `Worker` method below is raced in `run`'s select loop.

use std::collections::VecDeque;
use std::io;

use bytes::{Bytes, BytesMut};
use tokio::sync::{mpsc, Notify};
use tokio::time::Interval;

pub struct Job(pub Vec<u8>);

pub struct Closed;

pub struct Sink;

impl Sink {
    pub async fn write(&mut self, job: &Job) -> io::Result<()> {
        drop(job);
        Ok(())
    }

    pub async fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        drop(bytes);
        Ok(())
    }
}

async fn process(job: Option<Job>, out: &mut Sink) {
    if let Some(job) = job {
        let _ = out.write(&job).await;
    }
}

pub struct Worker {
    rx: mpsc::Receiver<Job>,
    out: Sink,
    ticks: Interval,
    done: u64,
    queue: VecDeque<Job>,
    space: Notify,
    pending: BytesMut,
}

impl Worker {
    async fn through_ok_or(&mut self) -> Result<(), Closed> {
        let job = self.rx.recv().await.ok_or(Closed)?;
        self.out.write(&job).await.map_err(|_| Closed)?;
        Ok(())
    }

    async fn through_match(&mut self) {
        let job = match self.rx.recv().await {
            Some(job) => job,
            None => return,
        };
        let _ = self.out.write(&job).await;
    }

    async fn through_let_else(&mut self) {
        let Some(job) = self.rx.recv().await else {
            return;
        };
        let _ = self.out.write(&job).await;
    }

    async fn as_an_argument(&mut self) {
        process(self.rx.recv().await, &mut self.out).await;
    }

    // Cancel safe: it gives back what it took and awaits nothing after taking it.
    pub async fn pull(&mut self) -> Option<Job> {
        self.rx.recv().await
    }

    // Cancel safe too, with bookkeeping after the receive.
    pub async fn recv_counted(&mut self) -> Option<Job> {
        let job = self.rx.recv().await;
        self.done += 1;
        job
    }

    async fn through_a_wrapper(&mut self) {
        if let Some(job) = self.pull().await {
            let _ = self.out.write(&job).await;
        }
    }

    async fn through_a_counting_wrapper(&mut self) {
        let job = self.recv_counted().await;
        if let Some(job) = &job {
            let _ = self.out.write(job).await;
        }
    }

    async fn out_of_the_queue(&mut self) {
        let job = self.queue.pop_front();
        if let Some(job) = &job {
            let _ = self.out.write(job).await;
        }
    }

    async fn push(&mut self, item: Job) {
        while self.queue.len() >= 8 {
            self.space.notified().await;
        }
        self.queue.push_back(item);
    }

    // A copyable value lost with the future costs nothing.
    async fn log(&mut self, count: u64) {
        self.space.notified().await;
        println!("{count}");
    }

    async fn out_of_the_buffer(&mut self) {
        let frame: Bytes = self.pending.split_to(4).freeze();
        let _ = self.out.write_bytes(&frame).await;
    }

    pub async fn run(&mut self, mut incoming: mpsc::Receiver<Job>) {
        loop {
            tokio::select! {
                _ = self.through_ok_or() => {} //~ select_arm_not_cancel_safe: `self.through_ok_or(..)`
                _ = self.through_match() => {} //~ select_arm_not_cancel_safe
                _ = self.through_let_else() => {} //~ select_arm_not_cancel_safe
                _ = self.as_an_argument() => {} //~ select_arm_not_cancel_safe
                job = self.pull() => drop(job),
                job = self.recv_counted() => drop(job),
                _ = self.through_a_wrapper() => {} //~ select_arm_not_cancel_safe
                _ = self.through_a_counting_wrapper() => {} //~ select_arm_not_cancel_safe
                _ = self.out_of_the_queue() => {} //~ select_arm_not_cancel_safe
                Some(job) = incoming.recv() => self.push(job).await,
                _ = self.log(self.done) => {}
                _ = self.out_of_the_buffer() => {} //~ select_arm_not_cancel_safe
                _ = self.ticks.tick() => {}
            }
        }
    }

    pub async fn feed(&mut self, mut incoming: mpsc::Receiver<Job>, mut more: mpsc::Receiver<Job>) {
        let mut next = incoming.recv().await;
        loop {
            let Some(job) = next.take() else { return };
            tokio::select! {
                _ = self.push(job) => {} //~ select_arm_not_cancel_safe: `self.push(..)`
                Some(other) = more.recv() => next = Some(other),
            }
        }
    }
}

// Bytes taken out of the caller's buffer are lost with the future; out of a local one, nothing
// anyone has is lost.
pub async fn forward(buf: &mut BytesMut, out: &mut Sink, mut ticks: Interval) {
    loop {
        tokio::select! {
            _ = forward_frame(buf, out) => {} //~ select_arm_not_cancel_safe: `forward_frame(..)`
            _ = ticks.tick() => {}
        }
    }
}

async fn forward_frame(buf: &mut BytesMut, out: &mut Sink) {
    let frame = buf.split_to(4);
    let _ = out.write_bytes(&frame).await;
}

pub async fn forward_local(out: &mut Sink, mut ticks: Interval) {
    loop {
        tokio::select! {
            _ = forward_local_frame(out) => {}
            _ = ticks.tick() => {}
        }
    }
}

async fn forward_local_frame(out: &mut Sink) {
    let mut local = BytesMut::from(&b"abcdefgh"[..]);
    let frame = local.split_to(4);
    let _ = out.write_bytes(&frame).await;
}

#[derive(Clone, Copy)]
pub struct Hash([u8; 32]);

pub struct Waiter {
    updates: tokio::sync::broadcast::Receiver<Hash>,
}

impl Waiter {
    async fn wait_for(&mut self, hash: Hash) -> Option<Hash> {
        loop {
            let seen = self.updates.recv().await.ok()?;
            if seen.0 == hash.0 {
                return Some(hash);
            }
        }
    }

    // `hash` is passed on every iteration, so it is `Copy` (or the loop would not compile):
    // a dropped `wait_for` loses nothing the caller has not still got.
    pub async fn confirm(&mut self, hash: Hash, mut ticks: Interval) -> Option<Hash> {
        loop {
            tokio::select! {
                found = self.wait_for(hash) => return found,
                _ = ticks.tick() => {}
            }
        }
    }
}
