// A file with one item syn rejects: that item is reported at its error, and every other item
// is analysed, so the lock held across an await below is still found.

use std::sync::Mutex;

async fn persist(_: &str) {}

pub struct Session {
    log: Mutex<Vec<String>>,
}

impl Session {
    pub async fn record(&self, line: String) {
        let mut entries = self.log.lock().unwrap(); //~ lock_held_across_await
        entries.push(line.clone());
        persist(&line).await;
    }

    // A half-written method: only it is left out.
    pub async fn flush(&self, backlog: ) { //~ parse_error: could not parse this item
        persist("flush").await;
    }

    pub async fn clear(&self) {
        self.log.lock().unwrap().clear();
        persist("cleared").await;
    }
}

pub fn half_written(count: usize {  //~ parse_error
    let _ = count;
}

pub async fn after_the_broken_item(log: &Mutex<u64>) {
    let guard = log.lock().unwrap(); //~ lock_held_across_await
    persist(&guard.to_string()).await;
}
