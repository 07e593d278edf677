// `select_all` and `select_ok` over futures built with `.map(|c| ..)`: the losers are dropped
// every time round the loop, and the closure's parameter is an element of what it iterates.

use std::io;

use futures::future::{select_all, select_ok};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

pub struct Conn {
    stream: TcpStream,
}

impl Conn {
    pub async fn read_frame(&mut self) -> io::Result<Vec<u8>> {
        let len = self.stream.read_u32().await? as usize;
        let mut frame = vec![0; len];
        self.stream.read_exact(&mut frame).await?;
        Ok(frame)
    }

    pub async fn ping(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub async fn first_frame(conns: &mut Vec<Conn>) {
    loop {
        let (frame, _, _) = select_all(conns.iter_mut().map(|c| Box::pin(c.read_frame()))).await; //~ select_arm_not_cancel_safe: `c.read_frame(..)`
        drop(frame);
    }
}

pub async fn any_frame(conns: &mut [Conn]) {
    loop {
        let found = select_ok(conns.iter_mut().map(|conn| Box::pin(conn.read_frame()))).await; //~ select_arm_not_cancel_safe
        drop(found);
    }
}

// Pings lose nothing.
pub async fn first_pong(conns: &mut Vec<Conn>) {
    loop {
        let (pong, _, _) = select_all(conns.iter_mut().map(|c| Box::pin(c.ping()))).await;
        drop(pong);
    }
}
