// The quick fix creates the timer once before the loop, races `&mut timer` and resets it when
// it fires (`MaybeIncorrect`: the timer then fires every period; see `fixes.rs.fixed`).

use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep, sleep_until, Instant};

pub async fn batch(mut rx: mpsc::Receiver<u64>) {
    let mut pending = Vec::new();
    loop {
        tokio::select! {
            Some(item) = rx.recv() => pending.push(item),
            _ = tokio::time::sleep(Duration::from_millis(100)) => pending.clear(), //~ select_timer_reset
        }
    }
}

// A block handler, an imported `sleep`, and a name `timer` already taken.
pub async fn flush(mut rx: mpsc::Receiver<u64>, timer: &str, every: Duration) {
    let mut pending = Vec::new();
    while !timer.is_empty() {
        tokio::select! {
            Some(item) = rx.recv() => pending.push(item),
            _ = sleep(every * 2) => { //~ select_timer_reset
                println!("{}", pending.len());
                pending.clear();
            }
        }
    }
}

pub async fn heartbeat(mut rx: mpsc::Receiver<u64>) {
    let period = Duration::from_secs(1);
    let mut total = 0;
    loop {
        tokio::select! {
            Some(n) = rx.recv() => total += n,
            _ = sleep_until(Instant::now() + period) => println!("{total}"), //~ select_timer_reset
        }
    }
}

// No fix: the loop is not a statement of its own.
pub async fn counted(mut rx: mpsc::Receiver<u64>) -> usize {
    let mut seen = 0;
    let total = loop {
        tokio::select! {
            Some(_) = rx.recv() => seen += 1,
            _ = sleep(Duration::from_secs(1)) => println!("{seen}"), //~ select_timer_reset
        }
    };
    total
}
