// A chat client split over modules. The select loops live here; the calls they race are
// defined in `conn.rs` and `proto/frame.rs`, so whether a branch is cancel safe depends on
// the summaries of functions in other files.

mod conn;
pub mod proto;

use std::io;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::interval;
use tokio_util::sync::CancellationToken;

use crate::conn::{BufferedConn, Conn};
use crate::proto::frame::{Event, Frame};

pub struct Client {
    conn: Conn,
    unread: u64,
}

impl Client {
    pub fn new(stream: TcpStream) -> Client {
        Client {
            conn: Conn::new(stream),
            unread: 0,
        }
    }

    // Two levels: `Conn::read_frame` (conn.rs) reads the header and the payload with
    // `read_exact` on `self.reader`, so this method is not cancel safe either.
    async fn next_message(&mut self) -> io::Result<Frame> {
        let frame = self.conn.read_frame().await?;
        self.unread += 1;
        Ok(frame)
    }

    // Three levels: `Conn::read_event` (conn.rs) calls the free function
    // `proto::frame::read_header` (proto/frame.rs), which uses `read_exact` on the reader it is
    // lent.
    async fn next_event(&mut self) -> io::Result<Event> {
        self.conn.read_event().await
    }

    async fn send(&mut self, frame: &Frame) -> io::Result<()> {
        self.conn.write_frame(frame).await
    }
}

// Reported: every outgoing frame cancels `next_message`, which drops a half-read incoming
// frame two calls down; the next call parses its tail as a header.
pub async fn run(mut client: Client, mut outbox: mpsc::Receiver<Frame>, token: CancellationToken) -> io::Result<()> {
    loop {
        tokio::select! {
            frame = client.next_message() => handle(frame?), //~ select_arm_not_cancel_safe
            Some(frame) = outbox.recv() => client.send(&frame).await?,
            _ = token.cancelled() => return Ok(()),
        }
    }
}

// Reported: the keepalive tick cancels `next_event` three calls above the `read_exact` that
// loses the header bytes.
pub async fn watch_events(client: &mut Client, events: mpsc::Sender<Event>) -> io::Result<()> {
    let mut keepalive = interval(Duration::from_secs(20));
    loop {
        tokio::select! {
            event = client.next_event() => { //~ select_arm_not_cancel_safe
                if events.send(event?).await.is_err() {
                    return Ok(());
                }
            }
            _ = keepalive.tick() => client.send(&Frame::ping()).await?,
        }
    }
}

// Not reported: `BufferedConn::read_frame` keeps what it has read in `self.buffer`
// (mini-redis's `Connection`), so a cancelled call loses nothing and the next call resumes.
pub async fn relay(mut upstream: BufferedConn, mut outbox: mpsc::Receiver<Frame>, token: CancellationToken) -> io::Result<()> {
    loop {
        tokio::select! {
            frame = upstream.read_frame() => match frame? {
                Some(frame) => handle(frame),
                None => return Ok(()),
            },
            Some(frame) = outbox.recv() => upstream.write_frame(&frame).await?,
            _ = token.cancelled() => return Ok(()),
        }
    }
}

fn handle(frame: Frame) {
    tracing::debug!(kind = frame.kind, len = frame.payload.len(), "frame");
}
