// Calls through trait objects, generics and `impl Trait` reach the trait's method; whether it
// is cancel safe is what its docs say, else whether every impl in the analysed code is.

mod session;
mod transport;

use tokio::sync::mpsc;
use tokio::time::Interval;

use transport::{Link, Source, Transport};

pub async fn pump_generic<T: Transport>(conn: &mut T, mut ticks: Interval) {
    loop {
        tokio::select! {
            message = conn.recv() => drop(message), //~ select_arm_not_cancel_safe: `conn.recv(..)` is not cancel safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn pump_impl(mut conn: impl Transport, mut ticks: Interval) {
    loop {
        tokio::select! {
            message = conn.recv() => drop(message), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn pump_where<C>(conn: &mut C, mut ticks: Interval)
where
    C: Transport,
{
    loop {
        tokio::select! {
            message = conn.recv() => drop(message), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn pump_dyn(link: &mut dyn Link, mut ticks: Interval) {
    loop {
        tokio::select! {
            frame = link.recv_frame() => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn pump_boxed(mut links: Vec<Box<dyn Link>>, mut stop: mpsc::Receiver<()>) {
    let mut link = links.pop().unwrap();
    loop {
        tokio::select! {
            frame = link.recv_frame() => drop(frame), //~ select_arm_not_cancel_safe
            _ = stop.recv() => {}
        }
    }
}

// Every impl of `ping` is cancel safe.
pub async fn keep_alive(link: &mut Box<dyn Link>, mut ticks: Interval) {
    loop {
        tokio::select! {
            pong = link.ping() => drop(pong),
            _ = ticks.tick() => {}
        }
    }
}

// `Source::next_event` documents that it is cancel safe: the contract holds for every impl.
pub async fn drain<S: Source>(source: &mut S, mut ticks: Interval) {
    loop {
        tokio::select! {
            event = source.next_event() => drop(event),
            _ = ticks.tick() => {}
        }
    }
}

// `T` is this fn's generic parameter, whatever the test module below calls `T`.
pub async fn pump_named_t<T: Transport>(conn: &mut T, mut ticks: Interval) {
    loop {
        tokio::select! {
            message = conn.recv() => drop(message), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    pub struct T;

    impl T {
        pub async fn recv(&mut self) -> std::io::Result<crate::transport::Message> {
            Ok(crate::transport::Message(Vec::new()))
        }
    }
}
