//@ check-pass
// Every form of suppression with known lint names: nothing unknown.

#[cancel_check::allow(detached_spawn, reason = "fire and forget")]
pub fn spawn_logger() {
    tokio::spawn(async {});
}

#[cfg_attr(any(), allow(cancel_check::detached_spawn, cancel_check::block_on_in_async))]
pub fn spawn_metrics() {
    tokio::spawn(async {});
}
