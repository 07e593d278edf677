// A `block_on` method is the runtime's only when the receiver is a runtime. The crate's own
// types are looked at: their `block_on` blocks when its body does, and not when it hands the
// thread over first (`block_in_place`). A type from another crate that is not a runtime has no
// runtime `block_on`.

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::Handle;
use worker_pool::Pool;

// The crate's runtime wrapper: it moves the thread out of the scheduler with `block_in_place`
// before blocking on the future, which a multi-threaded runtime allows.
pub struct Runtime {
    handle: Handle,
}

impl Runtime {
    pub fn with_workers(workers: usize) -> std::io::Result<Runtime> {
        let _ = workers;
        Ok(Runtime { handle: Handle::current() })
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        tokio::task::block_in_place(|| self.handle.block_on(future))
    }
}

// A wrapper that blocks on the handle directly: the same panic as tokio's own `block_on`.
pub struct Blocking {
    handle: Handle,
}

impl Blocking {
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let started = std::time::Instant::now();
        let output = self.handle.block_on(future);
        tracing::debug!(elapsed = ?started.elapsed(), "blocked");
        output
    }
}

async fn answer() -> u32 {
    42
}

// Not reported: the crate's `Runtime::block_on` goes through `block_in_place`.
pub async fn bridge(runtime: &Runtime) -> u32 {
    runtime.block_on(answer())
}

// Not reported: the same through a local made by an associated fn and `?`, and through `Arc`.
pub async fn bridge_made_here() -> std::io::Result<u32> {
    let runtime = Runtime::with_workers(2)?;
    let shared = Arc::new(runtime);
    let again = Arc::clone(&shared);
    Ok(shared.block_on(answer()) + again.block_on(answer()))
}

// Not reported: `worker_pool::Pool` is another crate's type, not a runtime.
pub async fn on_the_pool(pool: &Pool) -> u32 {
    pool.block_on(answer())
}

// Reported: the crate's `Blocking::block_on` blocks on the handle itself; a label points there.
pub async fn bridge_blocking(blocking: &Blocking) -> u32 {
    blocking.block_on(answer()) //~ block_on_in_async: `blocking.block_on` blocks the thread
}

// Reported: tokio's handle, and a receiver whose type is not known.
pub async fn bridge_handle(handle: Handle) -> u32 {
    let unknown = make_runtime();
    handle.block_on(answer()) + unknown.block_on(answer()) //~ block_on_in_async //~ block_on_in_async
}
