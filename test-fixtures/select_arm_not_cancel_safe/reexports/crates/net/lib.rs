//@ check-pass
// Re-exports the protocol crate's module and its items under other names: a chain of
// re-exports across crates.

pub use proto as wire;
pub use proto::read_frame as next_frame;

pub mod prelude {
    pub use proto::*;
}
