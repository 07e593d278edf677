// Public API whose futures are not known to be `Send`.

use std::future::Future;
use std::pin::Pin;

// `async fn` in a pub trait: callers cannot require the future to be `Send`.
pub trait Storage {
    async fn load(&self, key: &str) -> Option<Vec<u8>>; //~ missing_send_bound

    // `impl Future` without `+ Send` in a trait method.
    fn store(&self, key: &str, value: Vec<u8>) -> impl Future<Output = bool>; //~ missing_send_bound
}

// A pub fn returning a boxed `dyn Future` without `Send`: trait objects hide auto traits.
pub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize>>> { //~ missing_send_bound
    Box::pin(async move { url.len() })
}

pub struct Client;

impl Client {
    // A pub inherent method boxing a `dyn Future` without `Send`.
    pub fn call(&self) -> Pin<Box<dyn Future<Output = u32>>> { //~ missing_send_bound
        Box::pin(async { 7 })
    }
}

// A pub type alias for a boxed future without `Send`.
pub type Handler = Pin<Box<dyn Future<Output = ()> + 'static>>; //~ missing_send_bound
