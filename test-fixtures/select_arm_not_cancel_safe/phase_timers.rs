// Shapes from real fixes: a request loop raced once against a phase timer (the timer wins in the
// normal course of things, and the request in hand is lost); a stream reached through an
// `Option` field; a send future assigned to a local in the loop and raced by name.

use std::io;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use futures::channel::mpsc::Sender;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Request(pub Vec<u8>);
pub struct Closed;

pub struct Phase {
    requests: mpsc::Receiver<Request>,
    handled: u64,
}

impl Phase {
    async fn next_request(&mut self) -> Result<Request, Closed> {
        self.requests.recv().await.ok_or(Closed)
    }

    async fn handle(&mut self, request: &Request) {
        self.handled += request.0.len() as u64;
        tokio::task::yield_now().await;
    }

    async fn process_single(&mut self) -> Result<(), Closed> {
        let request = self.next_request().await?;
        self.handle(&request).await;
        Ok(())
    }

    async fn process_loop(&mut self) -> Result<(), Closed> {
        loop {
            self.process_single().await?;
        }
    }

    // The phase ends when its time is up; a request taken and being handled then is lost.
    pub async fn process_during(&mut self, duration: Duration) -> Result<(), Closed> {
        tokio::select! {
            result = self.process_loop() => result, //~ select_arm_not_cancel_safe: `self.process_loop(..)`
            _ = tokio::time::sleep(duration) => Ok(()),
        }
    }
}

pub struct Link {
    recv_stream: Option<TcpStream>,
}

impl Link {
    async fn receive_message(&mut self) -> io::Result<Vec<u8>> {
        let stream = self.recv_stream.as_mut().unwrap();
        let len = stream.read_u32().await? as usize;
        let mut message = vec![0; len];
        self.recv_stream.as_mut().unwrap().read_exact(&mut message).await?;
        Ok(message)
    }

    pub async fn pump(&mut self, mut ticks: tokio::time::Interval) {
        loop {
            tokio::select! {
                message = self.receive_message() => drop(message), //~ select_arm_not_cancel_safe
                _ = ticks.tick() => {}
            }
        }
    }
}

// The send future is made when a message arrives and raced by name on every iteration: a new
// message replaces it while the old send may still be pending.
pub async fn relay(mut sink: Sender<Vec<u8>>, mut input: mpsc::Receiver<Vec<u8>>) {
    let mut pending = futures::future::Fuse::terminated();
    loop {
        tokio::select! {
            Some(message) = input.recv() => {
                pending = sink.send(message).fuse();
            }
            _ = &mut pending => {} //~ select_arm_not_cancel_safe
        }
    }
}
