//@ check-pass
// The file of `#[cfg(test)] mod support;`.

pub async fn drive(mut events: tokio::sync::mpsc::Receiver<u32>) {
    let mut seen = 0u64;
    loop {
        tokio::select! {
            Some(_) = events.recv() => seen += 1,
            _ = tokio::time::sleep(std::time::Duration::from_millis(5)) => tracing::debug!(seen, "idle"),
        }
    }
}
