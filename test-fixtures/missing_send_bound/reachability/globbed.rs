// A private module whose items a `pub use globbed::*` re-exports.
pub trait Globbed {
    async fn call(&self); //~ missing_send_bound
}
