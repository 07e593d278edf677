// In test code this lint is allowed by default (`lints-in-tests` changes that): a
// cancellation-injection test races a fresh `sleep` against a write on purpose, to cancel the
// write at every step and prove it is cancel safe, and a starved timer in a test loses nothing.
// The same loop in library code is reported.

use std::time::Duration;

use tokio::sync::mpsc;

async fn write_pending(_writer: &mut Vec<u8>) -> std::io::Result<usize> {
    Ok(0)
}

// Library code: reported.
pub async fn report_progress(mut events: mpsc::Receiver<u32>) {
    let mut seen = 0;
    loop {
        tokio::select! {
            Some(_) = events.recv() => seen += 1,
            _ = tokio::time::sleep(Duration::from_secs(10)) => tracing::info!(seen, "events"), //~ select_timer_reset
        }
    }
}

#[tokio::test]
async fn a_writer_survives_cancellation_at_every_step() {
    let mut writer = Vec::new();
    let (tx, mut acks) = mpsc::channel::<u32>(8);
    drop(tx);
    let mut cancelled = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(10)) => cancelled += 1,
            Some(_) = acks.recv() => cancelled += 0,
            written = write_pending(&mut writer) => {
                if written.unwrap() == 0 {
                    break;
                }
            }
        }
    }
    assert!(cancelled >= 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pump(mut events: mpsc::Receiver<u32>) {
        let mut seen = 0u64;
        loop {
            tokio::select! {
                Some(_) = events.recv() => seen += 1,
                _ = tokio::time::sleep(Duration::from_millis(5)) => tracing::debug!(seen, "idle"),
            }
        }
    }

    #[test]
    fn pumps() {
        let (_tx, rx) = mpsc::channel(1);
        drop(pump(rx));
    }
}
