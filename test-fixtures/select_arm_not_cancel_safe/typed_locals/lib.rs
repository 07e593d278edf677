// Locals whose type comes from what a call returns (through `.await`, `?`, `unwrap`, `expect`,
// `if let Ok(..)`), and places reached through tuples, options and enum variants: with the
// type known, `recv` is the user's own method, not a channel's.

mod client;

use std::io;

use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Interval;

use client::{connect, inbox, Client, Reader, State, Writer};

pub async fn console(addr: &str, mut stop: mpsc::Receiver<()>) -> io::Result<()> {
    let mut console = connect(addr).await?;
    loop {
        tokio::select! {
            line = console.recv() => drop(line), //~ select_arm_not_cancel_safe: `console.recv(..)`
            _ = stop.recv() => {}
        }
    }
}

pub async fn opened(stream: TcpStream, mut ticks: Interval) -> io::Result<()> {
    let mut client = Client::open(stream)?;
    loop {
        tokio::select! {
            frame = client.recv() => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn unwrapped(stream: TcpStream, mut ticks: Interval) {
    let mut client = Client::open(stream).expect("a client");
    loop {
        tokio::select! {
            frame = client.recv() => drop(frame), //~ select_arm_not_cancel_safe
            _ = ticks.tick() => {}
        }
    }
}

pub async fn if_opened(stream: TcpStream, mut ticks: Interval) {
    if let Ok(mut client) = Client::open(stream) {
        loop {
            tokio::select! {
                frame = client.recv() => drop(frame), //~ select_arm_not_cancel_safe
                _ = ticks.tick() => {}
            }
        }
    }
}

// A channel's `recv` is cancel safe, also when the receiver comes from a call.
pub async fn channel(mut ticks: Interval) {
    let mut rx = inbox();
    loop {
        tokio::select! {
            message = rx.recv() => drop(message),
            _ = ticks.tick() => {}
        }
    }
}

pub struct Pair {
    halves: Option<(Writer, Reader)>,
    conn: Option<(Writer, Reader)>,
    state: State,
    ticks: Interval,
}

impl Pair {
    pub async fn through_a_tuple(&mut self) {
        let (_, reader) = self.halves.as_mut().expect("open");
        loop {
            tokio::select! {
                frame = reader.next_frame() => drop(frame), //~ select_arm_not_cancel_safe
                _ = self.ticks.tick() => {}
            }
        }
    }

    pub async fn through_an_option(&mut self) {
        if let Some((_, ref mut reader)) = self.conn {
            tokio::select! {
                frame = reader.next_frame() => drop(frame), //~ select_arm_not_cancel_safe
                _ = self.ticks.tick() => {}
            }
        }
    }

    pub async fn through_a_variant(&mut self) {
        match &mut self.state {
            State::Open(reader) => loop {
                tokio::select! {
                    frame = reader.next_frame() => drop(frame), //~ select_arm_not_cancel_safe
                    _ = self.ticks.tick() => {}
                }
            },
            State::Closed => {}
        }
    }
}
