//@ check-pass
// Signatures that say `Send`, or that visibly choose single-threaded futures.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

pub trait Storage {
    fn load(&self, key: &str) -> impl Future<Output = Option<Vec<u8>>> + Send;
}

#[trait_variant::make(Backend: Send)]
pub trait LocalBackend {
    async fn get(&self) -> u64;
}

#[async_trait::async_trait(?Send)]
pub trait Widget {
    async fn render(&self) -> String;
}

#[allow(async_fn_in_trait)]
pub trait Plugin {
    async fn run(&self);
}

// A private trait is nobody else's API.
trait Internal {
    async fn tick(&self);
}

pub fn fetch(url: String) -> impl Future<Output = usize> + Send {
    async move { url.len() }
}

// A free fn's `impl Future` leaks its auto traits: callers see `Send` when the body is `Send`.
pub fn fetch_len(url: String) -> impl Future<Output = usize> {
    async move { url.len() }
}

#[tarpc::service]
pub trait World {
    async fn hello(name: String) -> String;
}

pub type Handler = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
pub type BoxedLocal = futures::future::LocalBoxFuture<'static, ()>;

// The body holds an `Rc`: the future is `!Send` on purpose.
pub fn count_local(counter: Rc<RefCell<u64>>) -> impl Future<Output = u64> {
    async move { *counter.borrow() }
}

pub struct Client;

// Trait impls follow the trait's signature.
impl std::future::IntoFuture for Client {
    type Output = ();
    type IntoFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async {})
    }
}
