//@ check-pass
// The crate root allows rustc's `async_fn_in_trait`: lint levels flow down the module tree, so
// every file of the crate is covered.

#![allow(async_fn_in_trait)]

pub mod variants;
