#!/usr/bin/env -S cargo +nightly -Zscript
---cargo
[dependencies]
tokio = { version = "1", features = ["full"] }
---

// A cargo script (RFC 3503): its front matter holds the manifest, and the rest is analysed.

use std::sync::Mutex;

async fn persist(_: &str) {}

pub async fn record(log: &Mutex<Vec<String>>, line: String) {
    let mut entries = log.lock().unwrap(); //~ lock_held_across_await
    entries.push(line.clone());
    persist(&line).await;
}
