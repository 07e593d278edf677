// The quick fixes for signatures without `Send` (see `fixes.rs.fixed`).

use std::future::Future;
use std::pin::Pin;

pub trait Store {
    // `MaybeIncorrect`: written as a fn returning `impl Future<..> + Send`; every implementor
    // must then return a `Send` future.
    async fn get(&self, key: &str) -> Option<Vec<u8>>; //~ missing_send_bound

    // Without a return type.
    async fn ping(&self); //~ missing_send_bound

    // No fix: a provided body would need `Self: Sync` as well.
    async fn touch(&self) { //~ missing_send_bound
        let _ = self.get("touched").await;
    }

    // `MaybeIncorrect`: `+ Send` on a trait method's `impl Future`.
    fn put(&self, key: &str) -> impl Future<Output = bool> + '_; //~ missing_send_bound

    // No fix: another bound may be `Send` where it matters (`Send` only outside wasm).
    fn latest(&self) -> impl Future<Output = u8> + SendOutsideWasm; //~ missing_send_bound
}

pub trait SendOutsideWasm {}

// Machine applicable: `+ Send` on the boxed future a pub fn returns.
pub fn fetch(url: String) -> Pin<Box<dyn Future<Output = usize>>> { //~ missing_send_bound
    Box::pin(async move { url.len() })
}

// `MaybeIncorrect`: every value of the alias must then be `Send`.
pub type Job = Pin<Box<dyn Future<Output = ()> + 'static>>; //~ missing_send_bound
