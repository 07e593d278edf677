// A session generic over its transport: the field's type is the impl's parameter `T`, bounded
// by `Transport`, so `self.transport.recv()` may be the TCP impl's.

use tokio::sync::mpsc;

use crate::transport::Transport;

pub struct Session<T: Transport> {
    transport: T,
    events: mpsc::Receiver<String>,
}

impl<T: Transport> Session<T> {
    pub async fn run(&mut self) {
        loop {
            tokio::select! {
                message = self.transport.recv() => { //~ select_arm_not_cancel_safe: `self.transport.recv(..)` is not cancel safe
                    drop(message);
                }
                Some(event) = self.events.recv() => println!("{event}"),
            }
        }
    }
}

/// The same with a `where` clause and a reference to the transport.
pub struct Relay<'a, T> {
    transport: &'a mut T,
}

impl<T> Relay<'_, T>
where
    T: Transport,
{
    pub async fn relay(&mut self, mut ticks: tokio::time::Interval) {
        loop {
            tokio::select! {
                message = self.transport.recv() => drop(message), //~ select_arm_not_cancel_safe
                _ = ticks.tick() => {}
            }
        }
    }
}
