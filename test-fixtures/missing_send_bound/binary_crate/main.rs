//@ check-pass
// A binary crate has no public API: nothing other crates could spawn.

pub trait Handler {
    async fn handle(&self, request: Vec<u8>) -> Vec<u8>;
}

pub fn job() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(async {})
}

fn main() {}
