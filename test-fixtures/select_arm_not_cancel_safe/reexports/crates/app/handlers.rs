// `use super::*` reaches what the crate root imported through the glob.

use super::*;

pub async fn handle(stream: &mut TcpStream, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = read_frame(stream) => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}
