// A `JoinHandle` dropped at once: the task is detached.

use tokio::sync::mpsc;
use tokio::task::spawn;

// Reported: `tokio::spawn(..);` as a statement.
pub async fn start_logger(mut lines: mpsc::Receiver<String>) {
    tokio::spawn(async move { //~ detached_spawn
        while let Some(line) = lines.recv().await {
            println!("{line}");
        }
    });
}

// Reported: `let _ = ..` drops the handle at once.
pub fn start_ticker() {
    let _ = tokio::spawn(async { //~ detached_spawn
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    });
}

// Reported: `spawn` imported from `tokio::task`.
pub fn start_flusher(tx: mpsc::Sender<()>) {
    spawn(async move { //~ detached_spawn
        let _ = tx.send(()).await;
    });
}
