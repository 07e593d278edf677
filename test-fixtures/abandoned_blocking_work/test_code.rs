// In test code this lint is allowed by default (`lints-in-tests` changes that): a `timeout`
// around blocking setup is a deadlock watchdog whose expiry fails the test. The same call in
// library code is reported.

use std::time::Duration;

use tokio::time::timeout;

async fn create_buffer(dir: &str) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await
}

// Library code: reported.
pub async fn open_buffer(dir: &str) -> std::io::Result<()> {
    match timeout(Duration::from_secs(1), create_buffer(dir)).await { //~ abandoned_blocking_work
        Ok(done) => done,
        Err(_) => Err(std::io::Error::other("slow disk")),
    }
}

#[tokio::test]
async fn reopening_does_not_deadlock() {
    let reopened = timeout(Duration::from_millis(500), create_buffer("/tmp/buffer")).await;
    assert!(reopened.is_ok(), "reopening the buffer took too long, likely deadlock");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn spawn_blocking_in_a_select() {
        tokio::select! {
            done = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(1))) => done.unwrap(),
            _ = tokio::time::sleep(Duration::from_secs(5)) => panic!("the blocking pool is stuck"),
        }
    }
}
