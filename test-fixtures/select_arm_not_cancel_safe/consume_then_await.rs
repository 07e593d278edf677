// "Consume then await": a wrapper that takes an item off a long-lived queue or listener and
// then awaits something else before returning it holds the item in its future. When a select
// drops that future, the item is gone: it is no longer in the queue and nobody got it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};
use tokio::time::interval;
use tokio_util::sync::CancellationToken;

pub struct Envelope {
    pub id: u64,
    pub body: String,
}

/// An in-memory audit trail. Appending only waits for the lock.
pub struct AuditLog {
    entries: Mutex<Vec<String>>,
}

impl AuditLog {
    async fn log(&self, entry: String) {
        self.entries.lock().await.push(entry);
    }
}

pub struct Mailbox {
    rx: mpsc::Receiver<Envelope>,
    audit: AuditLog,
}

impl Mailbox {
    // Not cancel safe: the envelope is off `self.rx` while `self.audit.log(..)` waits for the
    // audit lock. Dropping the future there loses the envelope.
    async fn recv(&mut self) -> Option<Envelope> {
        let envelope = self.rx.recv().await?;
        self.audit.log(format!("received {}", envelope.id)).await;
        Some(envelope)
    }

    // Cancel safe: the envelope is returned as soon as it is taken; the audit entry is written
    // by the caller, after the select.
    async fn recv_unlogged(&mut self) -> Option<Envelope> {
        let envelope = self.rx.recv().await?;
        tracing::trace!(id = envelope.id, "received");
        Some(envelope)
    }
}

pub struct Acceptor {
    listener: TcpListener,
    banner: &'static [u8],
}

impl Acceptor {
    // Not cancel safe: the connection is accepted, then the banner is written. Dropping the
    // future during the write closes a connection the client already sees as open.
    async fn accept(&mut self) -> io::Result<(TcpStream, SocketAddr)> {
        let (mut stream, peer) = self.listener.accept().await?;
        stream.write_all(self.banner).await?;
        Ok((stream, peer))
    }
}

// Reported: every heartbeat that wins while `recv` waits for the audit lock drops an envelope.
async fn deliver(mailbox: &mut Mailbox, out: mpsc::UnboundedSender<Envelope>) {
    let mut heartbeat = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            envelope = mailbox.recv() => match envelope { //~ select_arm_not_cancel_safe
                Some(envelope) => {
                    let _ = out.send(envelope);
                }
                None => return,
            },
            _ = heartbeat.tick() => tracing::trace!("mailbox alive"),
        }
    }
}

// Reported: a stats tick during the banner write drops the accepted connection.
async fn serve(mut acceptor: Acceptor, conns: mpsc::UnboundedSender<TcpStream>, token: CancellationToken) -> io::Result<()> {
    let mut stats = interval(Duration::from_secs(60));
    let mut accepted = 0u64;
    loop {
        tokio::select! {
            res = acceptor.accept() => { //~ select_arm_not_cancel_safe
                let (stream, peer) = res?;
                tracing::debug!(%peer, "accepted");
                accepted += 1;
                let _ = conns.send(stream);
            }
            _ = stats.tick() => tracing::info!(accepted, "acceptor"),
            _ = token.cancelled() => return Ok(()),
        }
    }
}

// Not reported: `recv_unlogged` hands the envelope over at once; logging happens in the
// handler, where nothing cancels it.
async fn deliver_then_log(mailbox: &mut Mailbox, out: mpsc::UnboundedSender<Envelope>) {
    let mut heartbeat = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            envelope = mailbox.recv_unlogged() => match envelope {
                Some(envelope) => {
                    mailbox.audit.log(format!("received {}", envelope.id)).await;
                    let _ = out.send(envelope);
                }
                None => return,
            },
            _ = heartbeat.tick() => tracing::trace!("mailbox alive"),
        }
    }
}

// Not reported: a one-shot select. At most one envelope is lost, once, when the token fires;
// a lost item is reported only when a loop repeats the loss.
async fn first_envelope(mailbox: &mut Mailbox, token: &CancellationToken) -> Option<Envelope> {
    tokio::select! {
        envelope = mailbox.recv() => envelope,
        _ = token.cancelled() => None,
    }
}
