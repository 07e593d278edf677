// Bounds next to `Future` that promise `Send` through a marker trait, as SDKs that also build
// for wasm write them: the trait has `Send` among its supertraits on native targets and is
// empty on wasm, with a blanket impl for both.

use std::future::Future;
use std::pin::Pin;

#[cfg(not(target_family = "wasm"))]
pub trait SendOutsideWasm: Send {}
#[cfg(not(target_family = "wasm"))]
impl<T: Send> SendOutsideWasm for T {}

#[cfg(target_family = "wasm")]
pub trait SendOutsideWasm {}
#[cfg(target_family = "wasm")]
impl<T> SendOutsideWasm for T {}

// `Send` through another marker trait.
pub trait AsyncTraitDeps: std::fmt::Debug + SendOutsideWasm + Sync {}

// A marker trait that does not mean `Send`.
pub trait Traced: std::fmt::Debug {}

pub trait EventStore {
    // Silent: `SendOutsideWasm: Send` on every multi-threaded build.
    fn load(&self, id: u64) -> impl Future<Output = Option<Vec<u8>>> + SendOutsideWasm;

    // Silent: through `AsyncTraitDeps: SendOutsideWasm`.
    fn save(&self, id: u64, event: Vec<u8>) -> impl Future<Output = ()> + AsyncTraitDeps;

    // Silent: a trait from a crate outside the analysed code whose name says `Send`.
    fn count(&self) -> impl Future<Output = usize> + maybe_sync::MaybeSend;

    // `Traced` is the workspace's and does not imply `Send`.
    fn trace(&self) -> impl Future<Output = ()> + Traced; //~ missing_send_bound

    // A trait outside the analysed code: not known, reported with a note naming it.
    fn watch(&self) -> impl Future<Output = ()> + observe::Observed; //~ missing_send_bound
}

// Silent: the boxed future of an alias promises `Send` through the marker.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + SendOutsideWasm + 'a>>;

// Reported: no bound that means `Send`.
pub type TracedFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Traced + 'a>>; //~ missing_send_bound
