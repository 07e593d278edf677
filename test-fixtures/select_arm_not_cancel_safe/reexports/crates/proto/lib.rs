//@ check-pass
// The protocol crate: a frame reader that is not cancel safe, in a private module that the crate
// root re-exports.

mod frame;

pub use frame::read_frame;
pub use frame::*;

pub mod codec {
    pub use super::frame::Frame;
}
