//! Task groups: the first failure cancels the siblings, and joining never leaves a child running.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cancel_check::group::{scope, GroupError, TaskGroup};

/// Sets its flag when dropped: proves that a child was stopped (its future dropped).
struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flags(n: usize) -> Vec<Arc<AtomicBool>> {
    (0..n).map(|_| Arc::new(AtomicBool::new(false))).collect()
}

fn all_set(flags: &[Arc<AtomicBool>]) -> bool {
    flags.iter().all(|flag| flag.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_come_in_spawn_order() {
    let mut group = TaskGroup::<usize, String>::new();
    for n in 0..20 {
        group.spawn(async move {
            tokio::time::sleep(Duration::from_micros(((20 - n) * 50) as u64)).await;
            Ok(n)
        });
    }
    assert_eq!(group.join().await.unwrap(), (0..20).collect::<Vec<_>>());
    assert!(group.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_error_cancels_the_siblings_and_join_waits_for_them() {
    let stopped = flags(8);
    let mut group = TaskGroup::<(), String>::new();
    for flag in &stopped {
        let guard = Guard(flag.clone());
        group.spawn(async move {
            let _guard = guard;
            // Busy siblings, with await points to be aborted at.
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
    }
    group.spawn(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Err("first".to_string())
    });
    group.spawn(async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        Err("second".to_string())
    });
    match group.join().await {
        Err(GroupError::Failed(error)) => assert_eq!(error, "first"),
        other => panic!("{other:?}"),
    }
    // Every sibling's future was dropped before `join` returned.
    assert!(all_set(&stopped));
    assert!(group.is_empty());
}

#[tokio::test]
async fn a_panic_is_the_first_error() {
    let stopped = flags(1);
    let mut group = TaskGroup::<u8, String>::new();
    let guard = Guard(stopped[0].clone());
    group.spawn(async move {
        let _guard = guard;
        std::future::pending().await
    });
    group.spawn(async {
        tokio::task::yield_now().await;
        panic!("child panicked")
    });
    match group.join().await {
        Err(GroupError::Panicked(panic)) => assert_eq!(panic.message(), "child panicked"),
        other => panic!("{other:?}"),
    }
    assert!(all_set(&stopped));
}

#[tokio::test]
async fn a_group_can_be_reused_after_join() {
    let mut group = TaskGroup::<u8, &str>::new();
    group.spawn(async { Err("failed") });
    assert!(matches!(
        group.join().await,
        Err(GroupError::Failed("failed"))
    ));
    assert!(!group.has_failed());
    group.spawn(async { Ok(2) });
    assert_eq!(group.join().await.unwrap(), [2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawning_into_a_failed_group_drops_the_work() {
    let mut group = TaskGroup::<(), &str>::new();
    // A child that blocks its thread, so the group cannot finish stopping it until released.
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let (started_tx, started) = tokio::sync::oneshot::channel();
    group.spawn(async move {
        started_tx.send(()).unwrap();
        let _ = gate.recv();
        Ok(())
    });
    started.await.unwrap();
    group.spawn(async { Err("failed") });
    // Joins dropped midway until the failure has been seen.
    while !group.has_failed() {
        if let Ok(result) = tokio::time::timeout(Duration::from_millis(1), group.join()).await {
            panic!("join returned {result:?} while a child was still running");
        }
    }
    let (dropped, ran) = (flags(1), flags(1));
    let guard = Guard(dropped[0].clone());
    let marker = ran[0].clone();
    group.spawn(async move {
        let _guard = guard;
        marker.store(true, Ordering::SeqCst);
        Ok(())
    });
    assert!(all_set(&dropped));
    release.send(()).unwrap();
    assert!(matches!(
        group.join().await,
        Err(GroupError::Failed("failed"))
    ));
    assert!(!all_set(&ran));
}

#[tokio::test]
async fn dropping_the_group_aborts_every_child() {
    let stopped = Arc::new(AtomicUsize::new(0));
    let (all_stopped_tx, all_stopped) = tokio::sync::oneshot::channel::<()>();
    let all_stopped_tx = Arc::new(std::sync::Mutex::new(Some(all_stopped_tx)));
    struct Counter(
        Arc<AtomicUsize>,
        Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
    );
    impl Drop for Counter {
        fn drop(&mut self) {
            if self.0.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                if let Some(tx) = self.1.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
        }
    }
    let group = TaskGroup::<(), ()>::new();
    for _ in 0..3 {
        let counter = Counter(stopped.clone(), all_stopped_tx.clone());
        group.spawn(async move {
            let _counter = counter;
            std::future::pending().await
        });
    }
    tokio::task::yield_now().await;
    drop(group);
    all_stopped.await.unwrap();
    assert_eq!(stopped.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn join_is_cancel_safe() {
    let mut group = TaskGroup::<u32, ()>::new();
    let (release_tx, release) = tokio::sync::watch::channel(false);
    for n in 0..4 {
        let mut release = release.clone();
        group.spawn(async move {
            if n % 2 == 1 {
                release.wait_for(|go| *go).await.unwrap();
            }
            Ok(n)
        });
    }
    // The even children finish; the join is dropped while the odd ones wait.
    assert!(
        tokio::time::timeout(Duration::from_millis(20), group.join())
            .await
            .is_err()
    );
    release_tx.send(true).unwrap();
    assert_eq!(group.join().await.unwrap(), [0, 1, 2, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_cancels_the_body_and_the_children_on_a_failure() {
    let stopped = flags(4);
    let body_stopped = flags(1);
    let guards: Vec<Guard> = stopped.iter().map(|flag| Guard(flag.clone())).collect();
    let body_guard = Guard(body_stopped[0].clone());
    let result = scope(async |group: &TaskGroup<(), &'static str>| {
        let _body_guard = body_guard;
        for guard in guards {
            group.spawn(async move {
                let _guard = guard;
                std::future::pending().await
            });
        }
        group.spawn(async {
            tokio::time::sleep(Duration::from_millis(2)).await;
            Err("child failed")
        });
        // The body waits for ever: the failure must cancel it.
        std::future::pending::<()>().await;
        Ok(())
    })
    .await;
    assert!(matches!(result, Err(GroupError::Failed("child failed"))));
    assert!(all_set(&stopped));
    assert!(all_set(&body_stopped));
}

#[tokio::test]
async fn scope_fails_with_the_body_error_and_stops_the_children() {
    let stopped = flags(2);
    let guards: Vec<Guard> = stopped.iter().map(|flag| Guard(flag.clone())).collect();
    let result = scope(async |group: &TaskGroup<(), String>| {
        for guard in guards {
            group.spawn(async move {
                let _guard = guard;
                std::future::pending().await
            });
        }
        tokio::task::yield_now().await;
        Err("body failed".to_string())
    })
    .await;
    match result {
        Err(GroupError::Failed(error)) => assert_eq!(error, "body failed"),
        other => panic!("{other:?}"),
    }
    assert!(all_set(&stopped));
}

#[tokio::test]
async fn scope_waits_for_children_spawned_late() {
    let result = scope(async |group: &TaskGroup<u32, ()>| {
        group.spawn(async { Ok(1) });
        tokio::time::sleep(Duration::from_millis(2)).await;
        group.spawn(async {
            tokio::time::sleep(Duration::from_millis(2)).await;
            Ok(2)
        });
        Ok(())
    })
    .await;
    assert_eq!(result.unwrap(), [1, 2]);
}
