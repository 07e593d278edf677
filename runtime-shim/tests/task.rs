//! Eager tasks: start on creation, abort on drop, report panics and cancellation, and run their
//! continuations on their own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cancel_check::task::{Task, TaskError};
use tokio::sync::{mpsc, oneshot};

/// Sends on its channel when dropped: proves that the work was dropped (aborted).
struct DropSignal(Option<oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[tokio::test]
async fn a_task_runs_without_being_awaited() {
    let (tx, rx) = oneshot::channel();
    let task = Task::spawn(async move {
        tx.send("ran").unwrap();
        1
    });
    assert_eq!(rx.await.unwrap(), "ran");
    assert_eq!(task.await.unwrap(), 1);
}

#[tokio::test]
async fn dropping_a_task_aborts_the_work() {
    let (started_tx, started) = oneshot::channel();
    let (dropped_tx, dropped) = oneshot::channel();
    let task = Task::spawn(async move {
        let _signal = DropSignal(Some(dropped_tx));
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await
    });
    started.await.unwrap();
    drop(task);
    dropped.await.unwrap();
}

#[tokio::test]
async fn a_detached_task_runs_on() {
    let (tx, rx) = oneshot::channel();
    Task::spawn(async move {
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        tx.send(()).unwrap();
    })
    .detach();
    rx.await.unwrap();
}

#[tokio::test]
async fn panics_and_cancellations_are_told_apart() {
    let panicked = Task::spawn(async { panic!("boom") }).await;
    match panicked {
        Err(TaskError::Panicked(panic)) => {
            assert_eq!(panic.message(), "boom");
            assert_eq!(
                TaskError::Panicked(panic).to_string(),
                "the task panicked: boom"
            );
        }
        other => panic!("{other:?}"),
    }
    let task = Task::spawn(std::future::pending::<()>());
    task.abort();
    let cancelled = task.await.unwrap_err();
    assert!(matches!(cancelled, TaskError::Cancelled), "{cancelled:?}");
    assert_eq!(cancelled.to_string(), "the task was cancelled");
}

#[tokio::test]
async fn a_continuation_runs_although_nobody_awaits_it() {
    let (tx, mut rx) = mpsc::channel(1);
    Task::spawn(async { 20 })
        .then(move |result| async move {
            tx.send(result.unwrap() + 1).await.unwrap();
        })
        .detach();
    assert_eq!(rx.recv().await, Some(21));
}

#[tokio::test]
async fn continuations_chain_and_see_failures() {
    let (tx, mut rx) = mpsc::channel(4);
    let seen = tx.clone();
    Task::spawn(async { "input" })
        .and_then(|input| async move { input.len() })
        .and_then(move |len| async move {
            seen.send(format!("length {len}")).await.unwrap();
        })
        .detach();
    assert_eq!(rx.recv().await.unwrap(), "length 5");

    let called = Arc::new(AtomicBool::new(false));
    let was_called = called.clone();
    let failed = Task::spawn(async { panic!("no input") })
        .and_then(move |()| async move { was_called.store(true, Ordering::SeqCst) })
        .then(move |result| async move {
            let message = match result {
                Err(TaskError::Panicked(panic)) => panic.message().to_string(),
                other => format!("{other:?}"),
            };
            tx.send(message).await.unwrap();
        });
    failed.detach();
    assert_eq!(rx.recv().await.unwrap(), "no input");
    assert!(!called.load(Ordering::SeqCst));
}

#[tokio::test]
async fn dropping_a_continuation_aborts_the_chain() {
    let (dropped_tx, dropped) = oneshot::channel();
    let (started_tx, started) = oneshot::channel();
    let first = Task::spawn(async move {
        let _signal = DropSignal(Some(dropped_tx));
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await
    });
    let continuation = first.then(|_| async {});
    started.await.unwrap();
    drop(continuation);
    dropped.await.unwrap();
}

#[test]
fn continuations_are_spawned_on_the_task_runtime() {
    assert!(Task::try_spawn(async {}).is_err());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (tx, mut rx) = mpsc::channel(1);
    // Outside any runtime: the continuation uses the handle the task was created with.
    Task::spawn_on(async { 2 }, runtime.handle())
        .then(move |result| async move {
            let on_runtime = tokio::runtime::Handle::try_current().is_ok();
            tx.send((result.unwrap(), on_runtime)).await.unwrap();
        })
        .detach();
    assert_eq!(rx.blocking_recv(), Some((2, true)));
}
