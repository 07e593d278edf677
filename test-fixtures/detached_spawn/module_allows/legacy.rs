//@ check-pass
// Covered by the allow on `mod legacy;` in lib.rs.

pub mod inner;

pub fn start() {
    tokio::spawn(async {
        println!("legacy worker");
    });
}
