//@ check-pass
// Blocking on a future where blocking is allowed.

use tokio::runtime::{Handle, Runtime};
use tokio::task;

async fn load() -> u64 {
    7
}

// A synchronous `main` building its own runtime.
fn main() {
    let runtime = Runtime::new().unwrap();
    let value = runtime.block_on(load());
    println!("{value}");
}

// Inside `spawn_blocking`: a blocking thread, not a runtime worker.
async fn from_blocking_pool(handle: Handle) -> u64 {
    task::spawn_blocking(move || handle.block_on(load())).await.unwrap()
}

// Inside `std::thread::spawn`.
async fn on_a_thread(handle: Handle) -> u64 {
    std::thread::spawn(move || handle.block_on(load())).join().unwrap()
}

// Inside `block_in_place`, which moves the task off the worker first.
async fn in_place(handle: Handle) -> u64 {
    task::block_in_place(|| handle.block_on(load()))
}

// A synchronous helper (called from sync code).
pub fn load_sync(handle: &Handle) -> u64 {
    handle.block_on(load())
}

// Awaiting is the async way.
async fn awaited() -> u64 {
    load().await
}

// The closure built in a block, as `spawn_blocking({ ..; move || .. })`.
async fn from_block(handle: Handle) -> u64 {
    task::spawn_blocking({
        let handle = handle.clone();
        move || handle.block_on(load())
    })
    .await
    .unwrap()
}

// A thread from `std::thread::Builder`.
async fn named_thread(handle: Handle) -> u64 {
    std::thread::Builder::new()
        .name("loader".into())
        .spawn(move || handle.block_on(load()))
        .unwrap()
        .join()
        .unwrap()
}

// A closure stored for later (a mock's `returning`): where it runs is not known here.
async fn stored(handle: Handle) -> impl Fn() -> u64 {
    move || handle.block_on(load())
}
