// The quick fix binds the handle to `_task`: the task is detached on purpose (`MaybeIncorrect`:
// it supervises nothing; see `fixes.rs.fixed`).

pub fn start() {
    tokio::spawn(async { //~ detached_spawn
        tokio::task::yield_now().await;
    });
    let _ = tokio::spawn(async {}); //~ detached_spawn
}
