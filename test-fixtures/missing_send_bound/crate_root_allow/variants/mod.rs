//@ check-pass
pub mod io;
