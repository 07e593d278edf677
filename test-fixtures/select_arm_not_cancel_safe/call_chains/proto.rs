//@ check-pass
// The wire protocol.

pub mod frame;
