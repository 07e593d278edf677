//@ check-pass
// Test code in files of their own: a module declared `#[cfg(test)] mod tests;` (its file and
// submodules) and a file in a `tests/` folder.

pub mod net;

#[cfg(test)]
mod support;
