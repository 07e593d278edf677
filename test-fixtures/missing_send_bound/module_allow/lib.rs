//@ check-pass
// The allow on a `mod name;` declaration covers that module's file, not its siblings.

#[allow(async_fn_in_trait)]
pub mod legacy;
pub mod fresh;
