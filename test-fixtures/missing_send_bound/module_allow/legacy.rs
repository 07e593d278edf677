//@ check-pass
pub trait OldStore {
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
}
