// Library code next to the test modules: reported.

pub async fn heartbeat(mut events: tokio::sync::mpsc::Receiver<u32>) {
    let mut seen = 0u64;
    loop {
        tokio::select! {
            Some(_) = events.recv() => seen += 1,
            _ = tokio::time::sleep(std::time::Duration::from_secs(15)) => tracing::info!(seen, "beat"), //~ select_timer_reset
        }
    }
}
