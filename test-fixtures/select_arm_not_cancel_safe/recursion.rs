// Recursive and mutually recursive async functions: summaries reach a fixed point and the
// analysis terminates; the unsafe one is found through the cycle.

use std::future::Future;
use std::pin::Pin;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Tree {
    stream: TcpStream,
}

impl Tree {
    // Reads a node, then its children, recursively; `read_exact` on `self.stream` makes the
    // whole walk not cancel safe.
    fn read_node(&mut self, depth: u32) -> Pin<Box<dyn Future<Output = std::io::Result<u32>> + Send + '_>> {
        Box::pin(async move {
            let mut header = [0u8; 2];
            self.stream.read_exact(&mut header).await?;
            let mut total = 1;
            for _ in 0..header[0] {
                total += self.read_child(depth + 1).await?;
            }
            Ok(total)
        })
    }

    async fn read_child(&mut self, depth: u32) -> std::io::Result<u32> {
        self.read_node(depth).await
    }

    // Mutual recursion over safe calls only: nothing to report, and no endless loop.
    async fn ping(&mut self, rx: &mut mpsc::Receiver<u32>, n: u32) -> Option<u32> {
        if n == 0 {
            return rx.recv().await;
        }
        Box::pin(self.pong(rx, n - 1)).await
    }

    async fn pong(&mut self, rx: &mut mpsc::Receiver<u32>, n: u32) -> Option<u32> {
        Box::pin(self.ping(rx, n)).await
    }

    pub async fn run(&mut self, mut rx: mpsc::Receiver<u32>, mut stop: mpsc::Receiver<()>) {
        loop {
            tokio::select! {
                nodes = self.read_child(0) => tracing::info!(?nodes, "tree"), //~ select_arm_not_cancel_safe
                Some(()) = stop.recv() => tracing::info!("stop requested"),
            }
            tokio::select! {
                value = self.ping(&mut rx, 3) => tracing::info!(?value, "ping"),
                Some(()) = stop.recv() => tracing::info!("stop requested"),
            }
        }
    }
}
