// A peer connection actor: one task owns the socket halves and races reads, writes and
// commands in a `tokio::select!` loop. Every racy call below is re-created on each iteration,
// so when another branch wins, the progress it made is dropped.

use std::io;
use std::sync::Arc;

use bytes::Bytes;
use futures::SinkExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Notify};
use tokio_util::codec::{FramedWrite, LinesCodec};
use tokio_util::sync::CancellationToken;

pub enum Command {
    Send(Bytes),
    Close,
}

pub enum Event {
    Frame(Bytes),
    Line(String),
}

pub struct Peer {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<Event>,
    token: CancellationToken,
}

impl Peer {
    pub fn new(stream: TcpStream, commands: mpsc::Receiver<Command>, events: mpsc::Sender<Event>) -> Self {
        let (read, write) = stream.into_split();
        Peer {
            reader: BufReader::new(read),
            writer: write,
            commands,
            events,
            token: CancellationToken::new(),
        }
    }

    // `read_u32` keeps the prefix bytes it has read so far inside its future: when a command
    // wins the race they are dropped, and the next frame is parsed from the wrong offset.
    async fn run(&mut self) -> io::Result<()> {
        loop {
            tokio::select! {
                len = self.reader.read_u32() => { //~ select_arm_not_cancel_safe
                    let mut body = vec![0u8; len? as usize];
                    self.reader.read_exact(&mut body).await?;
                    let _ = self.events.send(Event::Frame(body.into())).await;
                }
                Some(cmd) = self.commands.recv() => match cmd {
                    Command::Send(bytes) => self.writer.write_all(&bytes).await?,
                    Command::Close => return Ok(()),
                },
                _ = self.token.cancelled() => return Ok(()),
            }
        }
    }

    // Same loop with `read_line`: a half-received line is discarded when a command arrives.
    async fn run_text(&mut self) -> io::Result<()> {
        let mut line = String::new();
        loop {
            tokio::select! {
                n = self.reader.read_line(&mut line) => { //~ select_arm_not_cancel_safe
                    if n? == 0 {
                        return Ok(());
                    }
                    let _ = self.events.send(Event::Line(std::mem::take(&mut line))).await;
                }
                Some(cmd) = self.commands.recv() => {
                    if let Command::Close = cmd {
                        return Ok(());
                    }
                }
            }
        }
    }
}

// Writing side: when an urgent command wins the race, `write_all` is dropped half-way
// through a frame and the urgent bytes are written into the middle of it.
async fn pump_writes(mut writer: OwnedWriteHalf, mut frames: mpsc::Receiver<Bytes>, mut urgent: mpsc::Receiver<Command>) -> io::Result<()> {
    let mut pending = Bytes::new();
    loop {
        tokio::select! {
            res = writer.write_all(&pending), if !pending.is_empty() => { //~ select_arm_not_cancel_safe
                res?;
                pending = Bytes::new();
            }
            Some(frame) = frames.recv(), if pending.is_empty() => pending = frame,
            Some(cmd) = urgent.recv() => match cmd {
                Command::Send(bytes) => writer.write_all(&bytes).await?,
                Command::Close => return writer.shutdown().await,
            },
            else => return Ok(()),
        }
    }
}

// Not reported: `mpsc::Sender::send` takes the event by value, but the only branch that can
// beat it ends the loop, so at most the one in-flight event is dropped, at shutdown. Losing an
// item at shutdown is a policy choice, not a desync (see the lint's known problems).
async fn forward_events(mut source: mpsc::Receiver<Event>, sink: mpsc::Sender<Event>, token: CancellationToken) {
    while let Some(event) = source.recv().await {
        tokio::select! {
            res = sink.send(event) => {
                if res.is_err() {
                    break;
                }
            }
            _ = token.cancelled() => break,
        }
    }
}

// Not reported, for the same reason: the line owned by `SinkExt::send` is only dropped when
// the token ends the loop.
async fn send_lines(mut lines: FramedWrite<OwnedWriteHalf, LinesCodec>, mut outbox: mpsc::Receiver<String>, token: CancellationToken) {
    while let Some(line) = outbox.recv().await {
        tokio::select! {
            res = lines.send(line) => {
                if res.is_err() {
                    return;
                }
            }
            _ = token.cancelled() => return,
        }
    }
}

// `Notify::notified` is registered only while its future lives: a `notify_waiters` call
// (see `publish_config` below) that happens between two iterations of the loop is missed.
async fn wait_for_config(notify: Arc<Notify>, mut requests: mpsc::Receiver<u64>) {
    loop {
        tokio::select! {
            _ = notify.notified() => reload_config().await, //~ select_arm_not_cancel_safe
            Some(id) = requests.recv() => serve(id).await,
            else => break,
        }
    }
}

pub fn publish_config(notify: &Notify) {
    notify.notify_waiters();
}

// `tokio::io::copy` keeps the bytes it read but has not yet written in its own buffer:
// when a pause command wins, those bytes are gone.
async fn proxy(mut inbound: TcpStream, mut outbound: TcpStream, mut pause: mpsc::Receiver<()>) -> io::Result<()> {
    loop {
        tokio::select! {
            res = tokio::io::copy(&mut inbound, &mut outbound) => { //~ select_arm_not_cancel_safe
                res?;
                return Ok(());
            }
            Some(()) = pause.recv() => {
                tracing::info!("proxy paused");
            }
        }
    }
}

// Contrast: plain `read` returns as soon as some bytes arrive and keeps nothing in the
// future, so it is cancel safe in the same loop.
async fn drain(mut reader: OwnedReadHalf, token: CancellationToken) -> io::Result<u64> {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    loop {
        tokio::select! {
            n = reader.read(&mut buf) => {
                let n = n?;
                if n == 0 {
                    return Ok(total);
                }
                total += n as u64;
            }
            _ = token.cancelled() => return Ok(total),
        }
    }
}

async fn reload_config() {}

async fn serve(_id: u64) {}
