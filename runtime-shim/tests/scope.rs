//! Cancel scopes: request, observe, report, acknowledge; nesting, deadlines and shields; and
//! the bridges to and from tokio-util's `CancellationToken`, on a real runtime with real I/O.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
use cancel_check::scope::{CancelReason, CancelScope, CancelToken};
use cancel_check::testing::{check_cancellation, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Sets its flag when dropped: proves that the work's destructors ran.
struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[tokio::test]
async fn run_reports_a_requested_cancellation_and_drops_the_work() {
    let scope = CancelScope::new();
    let dropped = flag();
    let guard = Guard(dropped.clone());
    let work = async move {
        let _guard = guard;
        std::future::pending::<()>().await
    };
    let canceller = async {
        tokio::task::yield_now().await;
        assert_eq!(scope.running(), 1);
        scope.cancel();
    };
    let (report, ()) = tokio::join!(scope.run(work), canceller);
    let cancelled = report.unwrap_err();
    assert_eq!(cancelled.reason(), CancelReason::Requested);
    assert_eq!(
        cancelled.to_string(),
        "cancelled: cancellation was requested"
    );
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(scope.running(), 0);
}

#[tokio::test]
async fn work_in_a_cancelled_scope_is_never_polled() {
    let scope = CancelScope::new();
    scope.cancel();
    let polled = flag();
    let report = scope
        .run(async {
            polled.store(true, Ordering::SeqCst);
        })
        .await;
    assert!(report.is_err());
    assert!(!polled.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_result_that_is_ready_wins_over_a_cancellation() {
    let scope = CancelScope::new();
    let report = scope
        .run(async {
            scope.cancel();
            "finished"
        })
        .await;
    assert_eq!(report, Ok("finished"));
    assert!(scope.is_cancelled());
}

#[tokio::test]
async fn cancelling_the_outer_scope_cancels_the_inner_not_the_reverse() {
    let outer = CancelScope::new();
    let inner = outer.child();
    let innermost = inner.child();
    inner.cancel();
    assert!(innermost.is_cancelled());
    assert!(!outer.is_cancelled());

    let sibling = outer.child();
    let token = sibling.token();
    outer.cancel();
    let cancelled = token.check().unwrap_err();
    assert_eq!(cancelled.reason(), CancelReason::ParentCancelled);
    assert_eq!(cancelled.origin(), CancelReason::Requested);
    // The first reason stays.
    assert_eq!(
        innermost.check().unwrap_err().reason(),
        CancelReason::ParentCancelled
    );
    assert_eq!(inner.check().unwrap_err().reason(), CancelReason::Requested);
    // A child of a cancelled scope starts cancelled.
    assert!(outer.child().is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_cancels_the_scope_and_its_children() {
    let scope = CancelScope::with_timeout(Duration::from_secs(10));
    let child = scope.child();
    let token = child.token();
    assert!(!token.is_cancelled());
    let report = child.run(tokio::time::sleep(Duration::from_secs(60))).await;
    let cancelled = report.unwrap_err();
    assert_eq!(cancelled.reason(), CancelReason::ParentCancelled);
    assert_eq!(cancelled.origin(), CancelReason::DeadlineElapsed);
    assert_eq!(
        scope.check().unwrap_err().reason(),
        CancelReason::DeadlineElapsed
    );
    assert!(token.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn the_earlier_deadline_applies() {
    let request = CancelScope::with_timeout(Duration::from_secs(30));
    let attempt = request.child_with_timeout(Duration::from_secs(1));
    let cancelled = attempt.cancelled().await;
    assert_eq!(cancelled.reason(), CancelReason::DeadlineElapsed);
    assert!(!request.is_cancelled());

    let late = request.child_with_timeout(Duration::from_secs(300));
    assert_eq!(late.token().deadline(), request.deadline());
    let cancelled = late.cancelled().await;
    assert_eq!(cancelled.reason(), CancelReason::ParentCancelled);
    assert_eq!(cancelled.origin(), CancelReason::DeadlineElapsed);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_is_seen_by_is_cancelled_without_waiting() {
    let scope = CancelScope::with_timeout(Duration::from_millis(5));
    let child = scope.child();
    assert!(!child.is_cancelled());
    tokio::time::advance(Duration::from_millis(6)).await;
    assert_eq!(
        child.check().unwrap_err().origin(),
        CancelReason::DeadlineElapsed
    );
}

#[tokio::test(start_paused = true)]
async fn a_shielded_child_is_not_cancelled_with_its_parent_but_is_waited_for() {
    let outer = CancelScope::with_timeout(Duration::from_secs(1));
    let cleanup = outer.shielded_child();
    let cleaned = flag();
    let token = cleanup.token();
    let done = cleaned.clone();
    let worker = tokio::spawn(async move {
        // Runs past the outer deadline and the outer cancellation.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!token.is_cancelled());
        done.store(true, Ordering::SeqCst);
    });
    outer.cancel_and_wait().await;
    assert!(cleaned.load(Ordering::SeqCst));
    assert!(!cleanup.is_cancelled());
    worker.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_and_wait_returns_after_the_work_has_stopped() {
    let scope = CancelScope::new();
    let stopped = Arc::new(AtomicUsize::new(0));
    for _ in 0..4 {
        let token = scope.token();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            // Cleanup that takes a while, still holding the token.
            tokio::time::sleep(Duration::from_millis(10)).await;
            stopped.fetch_add(1, Ordering::SeqCst);
            drop(token);
        });
    }
    // Work that only runs through `run`, dropped on cancellation.
    let dropped = flag();
    let guard = Guard(dropped.clone());
    let child = scope.child();
    let runner = tokio::spawn(async move {
        child
            .run(async move {
                let _guard = guard;
                std::future::pending::<()>().await
            })
            .await
    });
    tokio::task::yield_now().await;
    scope.cancel_and_wait().await;
    assert_eq!(stopped.load(Ordering::SeqCst), 4);
    assert_eq!(scope.running(), 0);
    let report = runner.await.unwrap().unwrap_err();
    assert_eq!(report.reason(), CancelReason::ParentCancelled);
    // The runner's future may still be finishing, but its work was dropped before `run`
    // stopped counting.
    assert!(dropped.load(Ordering::SeqCst) || scope.running() == 0);
}

#[tokio::test]
async fn stopped_waits_for_every_token_and_clone() {
    let scope = CancelScope::new();
    let token = scope.token();
    let clone = token.clone();
    assert_eq!(scope.running(), 2);
    let part: CancelToken = token.child().token();
    assert_eq!(scope.running(), 3);
    let released = Arc::new(AtomicUsize::new(0));
    for held in [token, clone, part] {
        let released = released.clone();
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            released.fetch_add(1, Ordering::SeqCst);
            drop(held);
        });
    }
    scope.stopped().await;
    assert_eq!(released.load(Ordering::SeqCst), 3);
    assert!(!scope.is_cancelled());
}

#[tokio::test]
async fn tokens_observe_cooperatively() {
    let scope = CancelScope::new();
    let token = scope.token();
    let worker = tokio::spawn(async move {
        let mut steps = 0u32;
        while token.check().is_ok() {
            steps += 1;
            tokio::task::yield_now().await;
        }
        steps
    });
    tokio::task::yield_now().await;
    scope.cancel_and_wait().await;
    assert!(worker.await.unwrap() >= 1);
}

// ---- tokio-util's `CancellationToken`, both ways ----

/// Tasks alive on the current runtime: the bridges spawn none, except for a deadline.
fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Waits until the runtime's tasks have ended, for at most 10 s on tokio's clock (the tests
/// pause it: the clock jumps from timer to timer, so a task that would live on until a later
/// deadline fails the test quickly instead of hanging it).
async fn until_no_task_is_alive() {
    tokio::time::timeout(Duration::from_secs(10), async {
        while alive_tasks() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("a bridging task is still alive");
}

#[tokio::test]
async fn cancelling_a_scope_cancels_its_cancellation_tokens_in_the_same_call() {
    let scope = CancelScope::new();
    let child = scope.child();
    let shielded = scope.shielded_child();
    let token = scope.token();
    let from_scope = scope.cancellation_token();
    let from_child = child.cancellation_token();
    let from_token = token.cancellation_token();
    let from_shielded = shielded.cancellation_token();
    assert_eq!(alive_tasks(), 0, "no task without a deadline");
    assert!(!from_scope.is_cancelled() && !from_child.is_cancelled());

    scope.cancel();
    // No await in between: the cancellation arrived in `cancel` itself.
    assert!(from_scope.is_cancelled());
    assert!(from_child.is_cancelled());
    assert!(from_token.is_cancelled());
    assert!(!from_shielded.is_cancelled(), "a shield stops it");
    // A token asked for after the cancellation is cancelled from the start.
    assert!(child.cancellation_token().is_cancelled());
    shielded.cancel();
    assert!(from_shielded.is_cancelled());
}

#[tokio::test]
async fn cancelling_a_cancellation_token_cancels_nothing_else() {
    let scope = CancelScope::new();
    let mine = scope.cancellation_token();
    let theirs = scope.cancellation_token();
    let from_child = scope.child().cancellation_token();
    mine.cancel();
    assert!(!scope.is_cancelled());
    assert!(!theirs.is_cancelled());
    assert!(!from_child.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_cancels_the_token_through_one_task_that_ends_at_the_deadline() {
    let scope = CancelScope::with_timeout(Duration::from_secs(30));
    let first = scope.cancellation_token();
    let second = scope.child().cancellation_token();
    assert_eq!(alive_tasks(), 1, "one task for the scope's deadline");
    // Nobody asks the scope: the task notices the deadline.
    second.cancelled().await;
    assert!(first.is_cancelled());
    assert_eq!(
        scope.check().unwrap_err().reason(),
        CancelReason::DeadlineElapsed
    );
    until_no_task_is_alive().await;
}

#[tokio::test(start_paused = true)]
async fn the_deadline_task_ends_when_the_scope_is_cancelled_first() {
    let scope = CancelScope::with_timeout(Duration::from_secs(3600));
    let token = scope.cancellation_token();
    assert_eq!(alive_tasks(), 1);
    scope.cancel();
    assert!(token.is_cancelled());
    // Well before the deadline, an hour away.
    until_no_task_is_alive().await;
}

#[tokio::test(start_paused = true)]
async fn a_deadline_still_cancels_the_token_after_the_scope_is_dropped() {
    let token = CancelScope::with_timeout(Duration::from_secs(5)).cancellation_token();
    token.cancelled().await;
    until_no_task_is_alive().await;
}

#[test]
#[should_panic(expected = "must be called within a tokio runtime")]
fn the_token_of_a_scope_with_a_deadline_needs_a_runtime() {
    let scope = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async { CancelScope::with_timeout(Duration::from_secs(1)) });
    let _ = scope.cancellation_token();
}

#[tokio::test]
async fn a_cancellation_token_cancels_the_scope_made_from_it_but_not_the_reverse() {
    let shutdown = CancellationToken::new();
    let scope = CancelScope::from_cancellation_token(shutdown.clone());
    let child = scope.child();
    let shielded = scope.shielded_child();
    let from_child = child.cancellation_token();
    assert!(!scope.is_cancelled());

    // The other way round first: cancelling inside the tree leaves the source alone.
    let other = CancelScope::from(shutdown.clone()).child();
    other.cancel();
    assert!(!shutdown.is_cancelled());

    shutdown.cancel();
    // The tokens handed out follow the source at once (they are its children)...
    assert!(from_child.is_cancelled());
    // ...and the scopes notice it when asked.
    assert_eq!(scope.check().unwrap_err().reason(), CancelReason::Requested);
    let inherited = child.check().unwrap_err();
    assert_eq!(inherited.reason(), CancelReason::ParentCancelled);
    assert_eq!(inherited.origin(), CancelReason::Requested);
    assert!(!shielded.is_cancelled());
    assert_eq!(alive_tasks(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_of_a_scope_made_from_a_token_wake_when_it_is_cancelled() {
    let shutdown = CancellationToken::new();
    let scope = CancelScope::from_cancellation_token(shutdown.clone());
    let running = scope.child();
    let worker = tokio::spawn({
        let token = running.token();
        async move { token.run(std::future::pending::<()>()).await }
    });
    let waiter = tokio::spawn({
        let token = scope.token();
        async move { token.cancelled().await }
    });
    // Cancelled from another task, through tokio-util alone.
    tokio::spawn(async move { shutdown.cancel() });
    let report = worker.await.unwrap().unwrap_err();
    assert_eq!(report.reason(), CancelReason::ParentCancelled);
    assert_eq!(waiter.await.unwrap().reason(), CancelReason::Requested);
    // The acknowledgement: both tokens are gone.
    scope.stopped().await;
    assert_eq!(scope.running(), 0);
}

/// The use the bridge is for: a server's shutdown signal is a `CancellationToken`; each
/// connection handler runs in a scope made from it, reads frames over loopback TCP with a
/// cancel-safe reader, and stops at the signal; the server waits for every handler to stop. A
/// frame cut by the shutdown stays in the reader.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_token_stops_a_tcp_reader_and_the_scope_waits_for_it() {
    let frames: Vec<Vec<u8>> = (1..=4u8).map(|n| vec![n; 100 * n as usize]).collect();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (resume_tx, resume) = tokio::sync::oneshot::channel::<()>();
    let sent = frames.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut writer = CancelSafeWriter::new(&mut socket);
        for frame in &sent[..3] {
            writer.write_frame(frame).await.unwrap();
        }
        // Half of the last frame, then the rest only after the shutdown.
        let last = [&(sent[3].len() as u32).to_be_bytes()[..], &sent[3]].concat();
        writer.write_all(&last[..last.len() / 2]).await.unwrap();
        resume.await.unwrap();
        writer.write_all(&last[last.len() / 2..]).await.unwrap();
        writer.shutdown().await.unwrap();
    });

    let shutdown = CancellationToken::new();
    let server = CancelScope::from_cancellation_token(shutdown.clone());
    let (received_tx, mut received) = tokio::sync::mpsc::unbounded_channel();
    let handler = tokio::spawn({
        let token = server.child().token();
        let socket = TcpStream::connect(address).await.unwrap();
        async move {
            let mut reader = CancelSafeReader::new(socket);
            loop {
                tokio::select! {
                    _ = token.cancelled() => return reader,
                    frame = reader.read_frame() => {
                        received_tx.send(frame.unwrap().unwrap().to_vec()).unwrap();
                    }
                }
            }
        }
    });
    for frame in &frames[..3] {
        assert_eq!(&received.recv().await.unwrap(), frame);
    }
    shutdown.cancel();
    // Returns once the handler has stopped (its token dropped).
    server.stopped().await;
    let mut reader = handler.await.unwrap();
    resume_tx.send(()).unwrap();
    assert_eq!(reader.read_frame().await.unwrap().unwrap(), frames[3]);
    assert!(reader.read_frame().await.unwrap().is_none());
}

/// `CancelScope::cancelled` of a scope made from a token, checked with the shim's own helper:
/// dropping the wait after any number of polls leaves the scope as it was, and a new wait sees
/// the cancellation that a peer task sends through tokio-util over a real pipe.
#[tokio::test]
async fn waiting_on_a_scope_made_from_a_token_is_cancel_safe() {
    struct State {
        scope: CancelScope,
        peer: tokio::task::JoinHandle<()>,
    }
    check_cancellation(
        // A peer that cancels the token once it has read a byte from a pipe, which it gets
        // after a few round trips.
        async || {
            let shutdown = CancellationToken::new();
            let (mut near, mut far) = tokio::io::duplex(8);
            let peer = tokio::spawn({
                let shutdown = shutdown.clone();
                async move {
                    let mut byte = [0];
                    far.read_exact(&mut byte).await.unwrap();
                    shutdown.cancel();
                }
            });
            tokio::spawn(async move {
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
                near.write_all(b"!").await.unwrap();
                // Keep the pipe open until the peer has read.
                std::future::pending::<()>().await;
            });
            State {
                scope: CancelScope::from_cancellation_token(shutdown),
                peer,
            }
        },
        async |state: &mut State| state.scope.cancelled().await,
        async |state, outcome| {
            let reason = match outcome {
                Outcome::Completed { output, .. } => output.reason(),
                Outcome::Cancelled { .. } => state.scope.cancelled().await.reason(),
            };
            (&mut state.peer).await.map_err(|e| e.to_string())?;
            if reason == CancelReason::Requested {
                Ok(())
            } else {
                Err(format!("reported {reason:?}"))
            }
        },
    )
    .await
    .unwrap();
}
