// `event_listener::Event` keeps no permit: a notification sent while no listener exists is
// lost, whatever count `notify` is given. `event.listen()` re-created in every iteration of a
// `select!` loop leaves a gap between dropping one listener and creating the next, and a
// notification that falls into the gap is never seen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use event_listener::{Event, Listener};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

pub struct Request {
    pub id: u64,
}

pub struct Response {
    pub id: u64,
}

// A watch task: requests, a progress tick, and a stop event. When a request or a tick wins, the
// stop listener is dropped; a `notify` that arrives before the next `listen()` is lost and the
// task runs on after it was told to stop.
async fn watch_task<S>(mut requests: S, responses: mpsc::Sender<Response>, stop: Arc<Event>, period: Duration)
where
    S: Stream<Item = Request> + Unpin,
{
    let mut ticker = tokio::time::interval(period);
    loop {
        tokio::select! {
            req = requests.next() => match req {
                Some(req) => {
                    let _ = responses.send(Response { id: req.id }).await;
                }
                None => break,
            },
            _ = stop.listen() => break, //~ select_arm_not_cancel_safe: `stop.listen(..)` is not cancel safe
            _ = ticker.tick() => tracing::trace!("progress"),
        }
    }
}

pub struct Worker {
    jobs: mpsc::Receiver<u64>,
    wakeup: Event,
    dirty: AtomicBool,
}

impl Worker {
    // The event is a field: a `notify(usize::MAX)` from `mark_dirty` between two iterations
    // reaches nobody, so the flush it asked for waits for the next job.
    async fn run(&mut self) {
        loop {
            tokio::select! {
                Some(job) = self.jobs.recv() => tracing::debug!(job, "job"),
                _ = self.wakeup.listen() => self.flush(), //~ select_arm_not_cancel_safe
            }
        }
    }

    pub fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Release);
        self.wakeup.notify(usize::MAX);
    }

    fn flush(&self) {
        self.dirty.store(false, Ordering::Release);
    }
}

// `futures::select!` with `fuse()`: the same gap.
async fn drain_until_closed(mut inbox: futures::channel::mpsc::Receiver<u64>, closed: &Event) {
    loop {
        futures::select! {
            item = inbox.next() => match item {
                Some(item) => tracing::debug!(item, "item"),
                None => return,
            },
            _ = closed.listen().fuse() => return, //~ select_arm_not_cancel_safe
        }
    }
}

// The listener is bound first and raced by value: it is still created anew in every iteration.
async fn serve_until_shutdown(mut conns: mpsc::Receiver<u64>, shutdown: Arc<Event>) {
    loop {
        let stopping = shutdown.listen();
        tokio::select! {
            _ = stopping => break, //~ select_arm_not_cancel_safe
            Some(conn) = conns.recv() => tracing::debug!(conn, "connection"),
        }
    }
}

// Not reported: the listener is created once, before the loop, raced by `&mut`, and replaced
// only after it fired. It stays registered while other branches win, so nothing is missed.
async fn watch_task_fixed(mut requests: mpsc::Receiver<Request>, stop: Arc<Event>, period: Duration) {
    let mut ticker = tokio::time::interval(period);
    let mut stopped = stop.listen();
    loop {
        tokio::select! {
            Some(req) = requests.recv() => tracing::debug!(req.id, "request"),
            _ = &mut stopped => {
                tracing::info!("stop requested");
                stopped = stop.listen();
            }
            _ = ticker.tick() => tracing::trace!("progress"),
        }
    }
}

// Not reported: the listen-check-wait idiom the crate documents, with no race. The flag is
// checked again after the listener exists, so a notification before `listen()` is not needed.
async fn wait_until_ready(ready: &AtomicBool, event: &Event) {
    loop {
        if ready.load(Ordering::Acquire) {
            return;
        }
        let listener = event.listen();
        if ready.load(Ordering::Acquire) {
            return;
        }
        listener.await;
    }
}

// Not reported: blocking wait on a thread, not a race.
pub fn wait_blocking(event: &Event, ready: &AtomicBool) {
    while !ready.load(Ordering::Acquire) {
        let listener = event.listen();
        if ready.load(Ordering::Acquire) {
            break;
        }
        listener.wait();
    }
}
