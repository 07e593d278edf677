//@ check-pass
// Covered by the comment above `mod metrics;` in lib.rs.

pub fn report() {
    tokio::spawn(async {});
}
