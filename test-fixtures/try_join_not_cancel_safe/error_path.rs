// `try_join!` drops the other futures only when one of them fails, and then the join as a whole
// has failed. A read lost that way matters only where the code goes on with the resource after
// the error: a loop that handles it and goes round again, or a use after the join that the
// error does not skip. An exchange that is abandoned on error (the error returned with `?`,
// turned into "do not reuse", or unwrapped) loses nothing anyone reads.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Mirror {
    left: TcpStream,
    right: TcpStream,
}

impl Mirror {
    // Reported: a failed round is logged and the loop reads both streams again, one of them
    // from the middle of the header the dropped `read_exact` had started on.
    pub async fn compare_forever(&mut self) {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        loop {
            let round = tokio::try_join!(
                self.left.read_exact(&mut a), //~ try_join_not_cancel_safe
                self.right.read_exact(&mut b), //~ try_join_not_cancel_safe
            );
            if let Err(error) = round {
                tracing::warn!(%error, "round failed, trying the next one");
                continue;
            }
            if a != b {
                tracing::info!("streams differ");
            }
        }
    }

    // Not reported: `?` leaves on the first error, and the streams are the caller's. Whether
    // the caller reads them again after a failed exchange is not followed.
    pub async fn compare_once(&mut self) -> io::Result<bool> {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        tokio::try_join!(self.left.read_exact(&mut a), self.right.read_exact(&mut b))?;
        Ok(a == b)
    }
}

// Reported: the error is handled, and the code then reads the same stream again.
pub async fn handshake(control: &mut TcpStream, data: &mut TcpStream) -> io::Result<u8> {
    let mut hello = [0u8; 4];
    let mut banner = [0u8; 4];
    let joined = futures::future::try_join(
        control.read_exact(&mut hello), //~ try_join_not_cancel_safe
        data.read_exact(&mut banner),
    )
    .await;
    if joined.is_err() {
        tracing::debug!("no banner, going on without it");
    }
    control.read_u8().await
}

// Not reported: the two halves of a proxied exchange, each owning its end of a channel made for
// the join. When one fails, the result says the connections are not to be reused, and nothing
// reads either of them again.
pub struct Proxy {
    chunk: usize,
}

impl Proxy {
    async fn pump_down(&self, client: &mut TcpStream, mut from_up: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
        while let Some(chunk) = from_up.recv().await {
            client.write_all(&chunk).await?;
        }
        Ok(())
    }

    async fn pump_up(&self, upstream: &mut TcpStream, to_down: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
        loop {
            let mut chunk = vec![0u8; self.chunk];
            upstream.read_exact(&mut chunk).await?;
            if to_down.send(chunk).await.is_err() {
                return Ok(());
            }
        }
    }

    pub async fn exchange(&self, client: &mut TcpStream, upstream: &mut TcpStream) -> (bool, Option<io::Error>) {
        let (tx, rx) = mpsc::channel(16);
        let joined = tokio::try_join!(self.pump_down(client, rx), self.pump_up(upstream, tx));
        match joined {
            Ok(_) => (true, None),
            Err(error) => (false, Some(error)),
        }
    }
}

// Not reported: a failed join panics, and the task ends with the streams.
pub async fn check_pair(mut left: TcpStream, mut right: TcpStream) {
    let mut a = [0u8; 4];
    let mut b = [0u8; 4];
    loop {
        tokio::try_join!(left.read_exact(&mut a), right.read_exact(&mut b)).expect("pair of peers");
        assert_eq!(a, b);
    }
}
