// An allow on a `mod name;` declaration reaches the module's file and its submodules, as
// `#[allow]` does in rustc; a module without one is still checked.

#[cfg_attr(any(), allow(cancel_check::detached_spawn))]
mod legacy;

// cancel-check: allow(detached_spawn) -- the metrics task lives as long as the process
mod metrics;

mod current;
