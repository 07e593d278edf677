//! Races calls into `fixture-dep`, whose docs are the only knowledge about them. Never built:
//! `tokio` is not even a dependency (the workspace has no registry dependencies, so
//! `cargo metadata --offline` needs nothing from the network), and the analysis does not need it.

use fixture_dep::{Lines, Wire};
use tokio::sync::mpsc;

/// `recv_packet` is documented as not cancel safe: a packet half received when the command
/// arrives is lost.
pub async fn relay(wire: &mut Wire, commands: &mut mpsc::Receiver<u8>) {
    loop {
        tokio::select! {
            packet = wire.recv_packet() => {
                if packet.is_none() {
                    break;
                }
            }
            Some(_command) = commands.recv() => continue,
        }
    }
}

/// `Lines::read_line` is documented as cancel safe (unlike tokio's `read_line`).
pub async fn follow(lines: &mut Lines, commands: &mut mpsc::Receiver<u8>) {
    let mut buf = String::new();
    loop {
        tokio::select! {
            read = lines.read_line(&mut buf) => {
                if read.is_none() {
                    break;
                }
            }
            Some(_command) = commands.recv() => continue,
        }
    }
}
