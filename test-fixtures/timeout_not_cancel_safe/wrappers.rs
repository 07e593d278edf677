// The user's own race wrappers: a function that races its future parameter against a timer
// (with `select!`, `timeout` or `futures::future::select`) makes every call a race site, and so
// does a function that hands its future on to such a wrapper.

use std::future::Future;
use std::io;
use std::time::Duration;

use futures::future::{self, Either};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

const LIMIT: Duration = Duration::from_millis(500);

pub struct Elapsed;

async fn with_deadline<F: Future>(fut: F, limit: Duration) -> Option<F::Output> {
    tokio::select! {
        out = fut => Some(out),
        _ = tokio::time::sleep(limit) => None,
    }
}

async fn my_timeout<F: Future>(limit: Duration, fut: F) -> Result<F::Output, Elapsed> {
    let fut = Box::pin(fut);
    match future::select(fut, Box::pin(tokio::time::sleep(limit))).await {
        Either::Left((out, _)) => Ok(out),
        Either::Right(_) => Err(Elapsed),
    }
}

async fn bounded<F: Future>(fut: F) -> Option<F::Output> {
    tokio::time::timeout(LIMIT, fut).await.ok()
}

// Hands its future on: a wrapper too.
async fn patiently<F: Future>(fut: F) -> Option<F::Output> {
    with_deadline(fut, LIMIT * 4).await
}

pub async fn poll_headers(stream: &mut TcpStream) -> io::Result<()> {
    let mut header = [0u8; 4];
    loop {
        if with_deadline(stream.read_exact(&mut header), LIMIT).await.is_none() { //~ select_arm_not_cancel_safe: raced in `with_deadline`
            continue;
        }
        let _ = my_timeout(LIMIT, stream.read_exact(&mut header)).await; //~ select_arm_not_cancel_safe
        let _ = bounded(stream.read_u32()).await; //~ timeout_not_cancel_safe
        let _ = patiently(stream.read_u64()).await; //~ select_arm_not_cancel_safe
    }
}

// A cancel-safe read through the same wrapper is fine.
pub async fn poll_bytes(stream: &mut TcpStream, buf: &mut bytes::BytesMut) {
    loop {
        if with_deadline(stream.read_buf(buf), LIMIT).await.is_none() {
            continue;
        }
    }
}

// A function that awaits its future parameter without racing it is not a wrapper.
async fn logged<F: Future>(fut: F) -> F::Output {
    let out = fut.await;
    println!("done");
    out
}

pub async fn read_logged(stream: &mut TcpStream) {
    let mut header = [0u8; 4];
    loop {
        let _ = logged(stream.read_exact(&mut header)).await;
    }
}
