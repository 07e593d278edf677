// No allow reaches this module.

pub fn start() {
    tokio::spawn(async {}); //~ detached_spawn
}
