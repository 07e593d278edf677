//! Cancel scopes: request, observe, report, acknowledge; nesting, deadlines and shields.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cancel_check::scope::{CancelReason, CancelScope, CancelToken};

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
