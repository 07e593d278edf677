//@ check-pass
// Handles that are kept: the task's lifetime is part of the program's structure.

use tokio::task::{JoinHandle, JoinSet};

pub fn start() -> JoinHandle<()> {
    tokio::spawn(async {})
}

pub async fn start_and_wait() {
    let handle = tokio::spawn(async {});
    handle.await.unwrap();
}

pub fn start_many(handles: &mut Vec<JoinHandle<()>>) {
    handles.push(tokio::spawn(async {}));
}

pub async fn in_a_set() {
    let mut set = JoinSet::new();
    set.spawn(async {});
    while set.join_next().await.is_some() {}
}

// A named binding is taken as deliberate.
pub async fn named() {
    let _task = tokio::spawn(async {});
    tokio::task::yield_now().await;
}

// A thread is not a task.
pub fn thread() {
    std::thread::spawn(|| {});
}
