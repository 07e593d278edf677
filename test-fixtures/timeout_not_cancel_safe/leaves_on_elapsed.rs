// A timeout whose elapsed error leaves the loop drops the future at most once, at the end: only
// a resource that outlives the function (a field of `self`, a `&mut` parameter) or that is used
// again afterwards makes that loss matter.

use std::io;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

const READ_TIMEOUT: Duration = Duration::from_secs(5);

// Not reported: `let .. else { break }` leaves the loop when the time runs out, and the stream is
// dropped with the function.
async fn read_records(mut stream: TcpStream) -> io::Result<Vec<[u8; 16]>> {
    let mut records = Vec::new();
    loop {
        let mut record = [0u8; 16];
        let Ok(read) = timeout(READ_TIMEOUT, stream.read_exact(&mut record)).await else {
            break;
        };
        read?;
        records.push(record);
    }
    Ok(records)
}

// Not reported: `??` returns the elapsed error; the stream is a local that dies with the task.
async fn sum_counters(mut stream: TcpStream) -> Result<u64, Box<dyn std::error::Error>> {
    let mut total = 0;
    for _ in 0..8 {
        total += timeout(READ_TIMEOUT, stream.read_u64()).await??;
    }
    Ok(total)
}

// Not reported: the `Err` arm returns.
async fn first_lengths(mut stream: TcpStream) -> Vec<u32> {
    let mut lengths = Vec::new();
    while lengths.len() < 4 {
        match timeout(READ_TIMEOUT, stream.read_u32()).await {
            Ok(Ok(len)) => lengths.push(len),
            Ok(Err(_)) | Err(_) => return lengths,
        }
    }
    lengths
}

// Reported: the `Err` arm only logs, so the loop retries `read_u32` on a stream that may have
// given up two bytes of the length already.
async fn lengths_with_retry(mut stream: TcpStream) -> Vec<u32> {
    let mut lengths = Vec::new();
    while lengths.len() < 4 {
        match timeout(READ_TIMEOUT, stream.read_u32()).await { //~ timeout_not_cancel_safe
            Ok(Ok(len)) => lengths.push(len),
            Ok(Err(_)) => return lengths,
            Err(_) => tracing::warn!("slow peer, retrying"),
        }
    }
    lengths
}

pub struct Session {
    stream: TcpStream,
}

impl Session {
    // Reported although `??` leaves the loop: the stream is a field of `self`, so the next call
    // on this session reads from the middle of a length prefix.
    pub async fn next_len(&mut self) -> Result<u32, Box<dyn std::error::Error>> {
        loop {
            let len = timeout(READ_TIMEOUT, self.stream.read_u32()).await??; //~ timeout_not_cancel_safe
            if len > 0 {
                return Ok(len);
            }
        }
    }
}

// Not reported: the stream is used after the timeout, but only on the path where the read
// finished; the elapsed error returns. (Code after a race runs with the future dropped only when
// something else may win and go on.)
async fn read_then_reply(mut stream: TcpStream) -> io::Result<()> {
    let mut request = [0u8; 8];
    match timeout(READ_TIMEOUT, stream.read_exact(&mut request)).await {
        Ok(read) => read?,
        Err(_) => return Err(io::ErrorKind::TimedOut.into()),
    };
    stream.read_exact(&mut request).await?;
    Ok(())
}

// Reported: a guarded `Err` arm goes on to retry, so the elapsed error does not always leave;
// the retry reads mid-frame.
async fn read_with_retries(stream: &mut TcpStream) -> io::Result<[u8; 8]> {
    let mut request = [0u8; 8];
    let mut attempts = 0;
    loop {
        attempts += 1;
        match timeout(READ_TIMEOUT, stream.read_exact(&mut request)).await { //~ timeout_not_cancel_safe
            Ok(read) => return read.map(|_| request),
            Err(_) if attempts < 3 => continue,
            Err(_) => return Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

impl Session {
    // Not reported: `.unwrap()` panics when the time runs out. The task ends with the session,
    // and nothing reads the stream again.
    pub async fn next_len_or_panic(&mut self) -> u32 {
        timeout(READ_TIMEOUT, self.stream.read_u32()).await.unwrap().unwrap_or(0)
    }
}

// Not reported: the same with `.expect(..)`, written as a statement, on a `&mut` parameter.
async fn skip_header(stream: &mut TcpStream) {
    let mut header = [0u8; 8];
    timeout(READ_TIMEOUT, stream.read_exact(&mut header)).await.expect("peer too slow").ok();
}

// Not reported: the result is bound, and the next statement panics unless it is `Ok`, as tests
// write it.
async fn header_or_fail(stream: &mut TcpStream) -> u8 {
    let mut header = [0u8; 8];
    let read = timeout(READ_TIMEOUT, stream.read_exact(&mut header)).await;
    assert!(read.is_ok(), "peer too slow");
    header[0]
}

// Not reported: the same, checked with `unwrap` on the next line.
async fn header_or_panic(stream: &mut TcpStream) -> u8 {
    let mut header = [0u8; 8];
    let read = timeout(READ_TIMEOUT, stream.read_exact(&mut header)).await;
    read.unwrap().unwrap();
    header[0]
}

// Reported: the bound result is only logged, and the caller still has the stream.
async fn header_or_log(stream: &mut TcpStream) -> u8 {
    let mut header = [0u8; 8];
    let read = timeout(READ_TIMEOUT, stream.read_exact(&mut header)).await; //~ timeout_not_cancel_safe
    if read.is_err() {
        eprintln!("peer too slow");
    }
    header[0]
}

// Reported: `?` on the elapsed error returns it to the caller, who still has the stream; the
// `unwrap` after it is about the read's own result.
async fn header_or_elapsed(stream: &mut TcpStream) -> Result<u8, tokio::time::error::Elapsed> {
    let mut header = [0u8; 8];
    timeout(READ_TIMEOUT, stream.read_exact(&mut header)).await?.unwrap(); //~ timeout_not_cancel_safe
    Ok(header[0])
}

// A retry loop hands each attempt a clone of its argument: a dropped attempt loses only its copy,
// and the next attempt gets another.
pub struct Retrying {
    inner: Slices,
}

pub struct Slices;

impl Slices {
    pub async fn get(&self, range: std::ops::Range<usize>) -> Vec<u8> {
        tokio::task::yield_now().await;
        Vec::with_capacity(range.end - range.start)
    }
}

impl Retrying {
    pub async fn get(&self, range: std::ops::Range<usize>) -> Option<Vec<u8>> {
        for _ in 0..3 {
            let attempt = self.inner.get(range.clone());
            if let Ok(bytes) = tokio::time::timeout(std::time::Duration::from_secs(1), attempt).await {
                return Some(bytes);
            }
        }
        None
    }

    // Each range taken off the caller's queue moves into its attempt: when one times out, the
    // loop goes on to the next and that range is never fetched.
    pub async fn get_all(&self, pending: &mut Vec<std::ops::Range<usize>>) -> Vec<Vec<u8>> {
        let mut fetched = Vec::new();
        loop {
            let Some(range) = pending.pop() else { break };
            let attempt = self.inner.get(range);
            match tokio::time::timeout(std::time::Duration::from_secs(1), attempt).await { //~ timeout_not_cancel_safe
                Ok(bytes) => fetched.push(bytes),
                Err(_) => continue,
            }
        }
        fetched
    }
}
