use std::future::Future;
use std::pin::Pin;

// The type is re-exported (`pub use client::Client`), so its pub methods are API.
pub struct Client;

impl Client {
    pub fn request(&self) -> Pin<Box<dyn Future<Output = u32>>> { //~ missing_send_bound
        Box::pin(async { 1 })
    }
}

// Silent: not re-exported, in a private module.
pub struct Pool;

impl Pool {
    pub fn checkout(&self) -> Pin<Box<dyn Future<Output = u32>>> {
        Box::pin(async { 2 })
    }
}
