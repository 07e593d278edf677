// A `# Cancel safety` section may speak of two items: "this method is cancel safe ... however
// [`Pending::process`] must be awaited, and that part is not cancel safe" (a serial-console
// client split this way after a cancel-safety fix). Each statement is about the item it
// names: `recv` is documented safe, and its own verdict comes from the sentence about it.

use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_tungstenite::tungstenite::Message;

pub struct ConsoleHelper {
    stream: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
}

pub struct Pending<'a> {
    helper: &'a mut ConsoleHelper,
    message: Message,
}

impl ConsoleHelper {
    /// Receives the next message, holding it until it is processed.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel-safe and can be used in a `select!` loop without causing any
    /// messages to be dropped. However, [`Pending::process`] must be awaited to retrieve the
    /// inner [`Message`], and that portion is not cancel-safe.
    pub async fn recv(&mut self) -> Option<Pending<'_>> {
        let message = self.stream.next().await?.ok()?;
        Some(Pending { helper: self, message })
    }

    /// Sends a line.
    ///
    /// # Cancel safety
    ///
    /// [`send_raw`](Self::send_raw) is not cancel safe; use it only outside a `select!`.
    /// The returned future is not cancel safe either: it writes a frame in parts.
    pub async fn send_line(&mut self, line: &str) {
        self.send_raw(line.as_bytes()).await;
        self.send_raw(b"\n").await;
    }

    async fn send_raw(&mut self, _bytes: &[u8]) {}
}

impl Pending<'_> {
    /// # Cancel safety
    ///
    /// This method is *not* cancel-safe: if it is not awaited to completion, the message is
    /// lost and a pending migration does not complete.
    pub async fn process(self) -> Message {
        let _ = &self.helper;
        self.message
    }
}

pub async fn serial(mut console: ConsoleHelper, mut stdin: mpsc::Receiver<String>) {
    loop {
        tokio::select! {
            pending = console.recv() => {
                if let Some(pending) = pending {
                    println!("{:?}", pending.process().await);
                }
            }
            Some(line) = stdin.recv() => console.send_line(&line).await,
        }
    }
}

// Still reported: `send_line`'s own sentence says its future is not cancel safe.
pub async fn typed(mut console: ConsoleHelper, mut status: mpsc::Receiver<String>, line: String) {
    loop {
        tokio::select! {
            _ = console.send_line(&line) => {} //~ select_arm_not_cancel_safe
            Some(status) = status.recv() => println!("{status}"),
        }
    }
}
