// Calls reach `proto::frame::read_frame` through re-exports across crates, a glob, a renamed
// crate and `use super::*`.

mod handlers;

use net::prelude::*;
use tokio::net::TcpStream;
use tokio::time::Interval;

pub async fn through_a_glob(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = read_frame(stream) => drop(frame), //~ select_arm_not_cancel_safe: `read_frame(..)`
            _ = ticks.tick() => {}
        }
    }
}

pub async fn through_a_renamed_crate(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = net::wire::read_frame(stream) => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn through_a_renamed_item(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = net::next_frame(stream) => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

// `read_tag` reads one byte: nothing to lose.
pub async fn tags(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            tag = read_tag(stream) => drop(tag),
            _ = ticks.tick() => {}
        }
    }
}
