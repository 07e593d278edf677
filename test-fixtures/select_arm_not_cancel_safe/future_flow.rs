// Futures bound with `let` before they are raced or awaited, and buffers the loop creates anew
// for reads that keep their partial progress in the caller's buffer.

use std::io;

use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::Interval;

async fn handle(message: Vec<u8>) {
    drop(message);
}

// An `async` block bound in the loop and raced: created anew each time round, and it holds the
// message it took while it handles it.
pub async fn blocks<S>(messages: &mut S, mut ticks: Interval)
where
    S: futures::Stream<Item = Vec<u8>> + Unpin,
{
    loop {
        let task = async {
            let message = messages.next().await?;
            handle(message).await;
            Some(())
        };
        tokio::select! {
            done = task => drop(done), //~ select_arm_not_cancel_safe: `async { .. }`
            _ = ticks.tick() => {}
        }
    }
}

// The same block pinned before the loop is resumed, not lost.
pub async fn pinned_block<S>(messages: &mut S, mut ticks: Interval)
where
    S: futures::Stream<Item = Vec<u8>> + Unpin,
{
    let task = async {
        let message = messages.next().await?;
        handle(message).await;
        Some(())
    };
    tokio::pin!(task);
    loop {
        tokio::select! {
            done = &mut task => return drop(done),
            _ = ticks.tick() => {}
        }
    }
}

pub struct Conn {
    stream: TcpStream,
}

impl Conn {
    // The read is bound first and awaited later: it is still `read_exact` on the stream.
    async fn read_header(&mut self) -> io::Result<[u8; 4]> {
        let mut header = [0u8; 4];
        let read = self.stream.read_exact(&mut header);
        read.await?;
        Ok(header)
    }

    pub async fn run(&mut self, mut ticks: Interval) {
        loop {
            tokio::select! {
                header = self.read_header() => drop(header), //~ select_arm_not_cancel_safe: `self.read_header(..)`
                _ = ticks.tick() => {}
            }
        }
    }
}

// `read_until` keeps what it read in `line`; the loop makes a new `line` each time round, so a
// tick drops the partial line.
pub async fn lines(reader: &mut BufReader<TcpStream>, mut ticks: Interval) {
    loop {
        let mut line = Vec::new();
        tokio::select! {
            read = reader.read_until(b'\n', &mut line) => drop(read), //~ select_arm_not_cancel_safe: `reader.read_until(..)`
            _ = ticks.tick() => {}
        }
    }
}

// With `line` declared before the loop, the next call resumes with the partial line.
pub async fn lines_kept(reader: &mut BufReader<TcpStream>, mut ticks: Interval) {
    let mut line = Vec::new();
    loop {
        tokio::select! {
            read = reader.read_until(b'\n', &mut line) => {
                drop(read);
                line.clear();
            }
            _ = ticks.tick() => {}
        }
    }
}

// A helper that reads into a local buffer loses the partial line with its future.
async fn read_one_line(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut line = Vec::new();
    let _ = reader.read_until(b'\n', &mut line).await;
    line
}

pub async fn helper_lines(reader: &mut BufReader<TcpStream>, mut ticks: Interval) {
    loop {
        tokio::select! {
            line = read_one_line(reader) => drop(line), //~ select_arm_not_cancel_safe: `read_one_line(..)`
            _ = ticks.tick() => {}
        }
    }
}
