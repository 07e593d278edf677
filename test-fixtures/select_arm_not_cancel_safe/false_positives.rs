//@ check-pass
// Shapes that look like the bug but are not: each was a false positive on real code once.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

pub struct Downloader {
    client: reqwest::Client,
    timeout: Duration,
}

impl Downloader {
    // A one-shot select on a body: `response` is consumed here, and the `response` used in
    // `status_of` below is another function's local, not a later use of this one.
    pub async fn body(&self, url: &str, token: &CancellationToken) -> Option<Vec<u8>> {
        let response = self.client.get(url).send().await.ok()?;
        let body = tokio::select! {
            _ = token.cancelled() => return None,
            body = response.bytes() => body.ok()?,
        };
        Some(body.to_vec())
    }

    pub async fn status_of(&self, url: &str) -> Option<u16> {
        let response = self.client.get(url).send().await.ok()?;
        Some(response.status().as_u16())
    }

    // `send()` with no argument is reqwest's request builder, not a channel's `send(value)`:
    // there is no message to lose.
    pub async fn poll(&self, urls: &[String], token: &CancellationToken) {
        for url in urls {
            let request = self.client.get(url).send();
            tokio::select! {
                res = request => tracing::debug!(ok = res.is_ok(), "polled"),
                _ = tokio::time::sleep(self.timeout) => tracing::warn!(%url, "slow"),
                _ = token.cancelled() => return,
            }
        }
    }
}

// A user type whose `read_line()` takes no buffer is not tokio's `read_line(&mut buf)`.
pub struct LogTail {
    child: tokio::process::Child,
}

impl LogTail {
    pub async fn read_line(&mut self) -> Option<String> {
        None
    }
}

pub async fn follow(mut tail: LogTail, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        let line = tokio::select! {
            Some(()) = stop.recv() => continue,
            line = tail.read_line() => line,
        };
        if line.is_none() {
            break;
        }
    }
}

// Shadowing: the `frame` read after the select is a new binding, not the stream raced in it.
pub async fn one_header(stream: TcpStream, token: &CancellationToken) -> Option<[u8; 4]> {
    let mut frame = stream;
    let mut header = [0u8; 4];
    tokio::select! {
        res = frame.read_exact(&mut header) => { res.ok()?; }
        _ = token.cancelled() => return None,
    }
    let frame = header;
    Some(frame)
}

// `notified()` on a value whose type is visible and is not tokio's `Notify` (a door bell from
// another crate) is not `Notify::notified`: only extension-trait methods (`read_exact`,
// `SinkExt::send`...) apply to any type.
pub async fn door(mut visitors: tokio::sync::mpsc::Receiver<u32>) {
    let bell = doorbell::Bell::new();
    loop {
        tokio::select! {
            _ = bell.notified() => println!("ring"),
            Some(visitor) = visitors.recv() => {
                bell.notify_waiters();
                println!("visitor {visitor}");
            }
        }
    }
}
