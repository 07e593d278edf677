pub trait NewStore {
    async fn get(&self, key: &str) -> Option<Vec<u8>>; //~ missing_send_bound
}
