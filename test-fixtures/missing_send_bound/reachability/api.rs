// `pub mod api;`: its pub items are API.
pub trait Api {
    async fn call(&self) -> u32; //~ missing_send_bound
}
