// Silent: `pub(crate) mod crate_only;` is not reachable from outside the crate.
pub trait CrateOnly {
    async fn call(&self);
}
