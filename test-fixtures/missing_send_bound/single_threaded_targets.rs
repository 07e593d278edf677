// wasm has no threads to send a future to: items that exist only on single-threaded targets,
// by their own `cfg` or an enclosing item's, are not reported. Their native twins carry `Send`.

use std::future::Future;
use std::pin::Pin;

#[cfg(not(target_family = "wasm"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
#[cfg(target_family = "wasm")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

pub trait RawX509Signer {
    #[cfg(not(target_family = "wasm"))]
    fn sign(&self, data: &[u8]) -> impl Future<Output = Vec<u8>> + Send;
    #[cfg(target_family = "wasm")]
    fn sign(&self, data: &[u8]) -> impl Future<Output = Vec<u8>>;
}

#[cfg(target_arch = "wasm32")]
pub mod web {
    pub trait JsBridge {
        async fn call(&self, method: &str) -> String;
    }

    pub fn spawn_local_future() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
        Box::pin(async {})
    }
}

#[cfg(all(target_arch = "wasm32", not(target_os = "wasi")))]
pub trait Browser {
    async fn fetch(&self, url: &str) -> Vec<u8>;
}

#[cfg(any(target_arch = "wasm32", target_arch = "wasm64"))]
pub trait AnyWasm {
    async fn run(&self);
}

// Names that say single-threaded: `LocalBoxFuture`, `boxed_local`.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

pub fn boxed_local<F: Future<Output = ()> + 'static>(future: F) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(future)
}

// Still reported: only on native targets, or on wasm and others.
#[cfg(not(target_family = "wasm"))]
pub trait Native {
    async fn run(&self); //~ missing_send_bound
}

#[cfg(any(target_arch = "wasm32", unix))]
pub trait Portable {
    async fn run(&self); //~ missing_send_bound
}

// Still reported: a public trait whose method hands out a future without `Send`, next to one
// with it.
pub trait RoomExt {
    fn timeline(&self) -> impl Future<Output = Vec<u8>> + Send;
    fn latest_event(&self) -> impl Future<Output = Option<String>>; //~ missing_send_bound
}
