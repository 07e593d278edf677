//@ check-pass
// A whole file that exists only on wasm (`#![cfg(..)]` at its top).

#![cfg(target_family = "wasm")]

pub trait IndexeddbStore {
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
}

pub type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
