//@ check-pass
// A submodule of `legacy`: covered too.

pub fn start_inner() {
    tokio::spawn(async {});
}
