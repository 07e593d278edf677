//@ check-pass
// Public async functions that are not cancel safe, or that inference takes for not cancel
// safe, and whose docs have a cancel-safety section: whatever the section says, and under any
// of the usual headings, the function is documented.

use std::future::Future;
use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub struct Conn {
    stream: TcpStream,
    events: mpsc::Sender<Vec<u8>>,
}

impl Conn {
    // tokio's wording under `# Cancel safety`.
    /// Reads a 4-byte big-endian length, then that many bytes.
    ///
    /// # Cancel safety
    ///
    /// This method is not cancel safe. If it is used as the event in a `tokio::select!`
    /// statement and some other branch completes first, then some data may already have been
    /// read from the stream, and the next call starts in the middle of a frame.
    pub async fn read_frame(&mut self) -> io::Result<Vec<u8>> {
        let len = self.stream.read_u32().await?;
        let mut frame = vec![0u8; len as usize];
        self.stream.read_exact(&mut frame).await?;
        Ok(frame)
    }

    // A level-two heading and the older "cancellation safe" wording.
    /// Writes a whole frame.
    ///
    /// ## Cancellation safety
    ///
    /// This method is not cancellation safe: a dropped future may leave part of the frame
    /// written.
    pub async fn write_frame(&mut self, frame: &[u8]) -> io::Result<()> {
        self.stream.write_u32(frame.len() as u32).await?;
        self.stream.write_all(frame).await
    }

    // A capitalised `# Cancel Safety` heading.
    /// Forwards an event to the application.
    ///
    /// # Cancel Safety
    ///
    /// This method is not cancel safe: the event is dropped if the future is dropped while the
    /// channel is full.
    pub async fn publish(&self, event: Vec<u8>) -> bool {
        self.events.send(event).await.is_ok()
    }

    // A `pub fn` returning `impl Future`, documented like an async fn.
    /// Reads the 8-byte trailer that ends a stream.
    ///
    /// # Cancel safety
    ///
    /// This method is not cancel safe.
    pub fn read_trailer(&mut self) -> impl Future<Output = io::Result<[u8; 8]>> + '_ {
        async move {
            let mut trailer = [0u8; 8];
            self.stream.read_exact(&mut trailer).await?;
            Ok(trailer)
        }
    }

    // The shim's attribute appends the section to the docs, so it documents the function.
    /// Skips a 4-byte heartbeat.
    #[cancel_check::not_cancel_safe(reason = "a heartbeat cut in half leaves the stream mid-frame")]
    pub async fn skip_heartbeat(&mut self) -> io::Result<()> {
        let mut heartbeat = [0u8; 4];
        self.stream.read_exact(&mut heartbeat).await?;
        Ok(())
    }
}

// Inference sees `read_exact` on a borrowed reader, but the section says it is cancel safe.
/// Reads a record from an in-memory snapshot.
///
/// ### Cancel safety
///
/// This function is cancel safe: `&[u8]` never waits, so the future completes the first time
/// it is polled.
pub async fn read_record(snapshot: &mut &[u8]) -> io::Result<[u8; 16]> {
    let mut record = [0u8; 16];
    snapshot.read_exact(&mut record).await?;
    Ok(record)
}

// A conditional statement documents the function too.
/// Reads a frame header from `reader`.
///
/// # Cancel safety
///
/// This function is only cancel safe if `reader` never waits, as with an in-memory `&[u8]` or
/// `Cursor`.
pub async fn read_header<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<[u8; 8]> {
    let mut header = [0u8; 8];
    reader.read_exact(&mut header).await?;
    Ok(header)
}

// A `# Cancellation safety` heading.
/// Reads one line into `line`, without the line ending.
///
/// # Cancellation safety
///
/// This method is not cancellation safe. A line read halfway is lost; use
/// `tokio::io::Lines::next_line` where that matters.
pub async fn read_command<R: AsyncBufRead + Unpin>(reader: &mut R, line: &mut String) -> io::Result<usize> {
    line.clear();
    let n = reader.read_line(line).await?;
    while line.ends_with(['\r', '\n']) {
        line.pop();
    }
    Ok(n)
}
