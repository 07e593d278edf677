// A user type with a method named like a library method. `Console::recv` reads a whole
// command line with `read_line`, so it is not cancel safe; tokio's `mpsc::Receiver::recv` is.
// Which one a `.recv()` calls depends on the receiver's type, not on the name.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Stdin};
use tokio::sync::mpsc;
use tokio::time::interval;

pub struct Console {
    input: BufReader<Stdin>,
    prompt: &'static str,
}

impl Console {
    pub fn new(prompt: &'static str) -> Console {
        Console {
            input: BufReader::new(tokio::io::stdin()),
            prompt,
        }
    }

    // Not cancel safe: `read_line` moves the bytes it has read out of `self.input` into the
    // local `line`; dropping the future loses a half-typed command.
    async fn recv(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        if self.input.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end().to_string()))
    }
}

// A second user type with a `recv` that only forwards to `mpsc::Receiver::recv`: cancel safe.
pub struct Inbox {
    rx: mpsc::Receiver<String>,
    seen: u64,
}

impl Inbox {
    async fn recv(&mut self) -> Option<String> {
        let message = self.rx.recv().await;
        if message.is_some() {
            self.seen += 1;
        }
        message
    }
}

pub struct Shell {
    console: Console,
    notices: mpsc::UnboundedReceiver<String>,
}

impl Shell {
    // `self.console` is declared as a `Console`: its `recv` is the user's, and a notice
    // arriving mid-line cancels it. `self.notices.recv()` is tokio's and is fine.
    async fn run(&mut self) -> io::Result<()> {
        loop {
            tokio::select! {
                line = self.console.recv() => match line? { //~ select_arm_not_cancel_safe
                    Some(line) => execute(&line),
                    None => return Ok(()),
                },
                Some(notice) = self.notices.recv() => println!("\n{notice}"),
            }
        }
    }
}

// A typed `&mut Console` parameter: the redraw tick cancels `Console::recv` on every
// iteration.
async fn repl(console: &mut Console, mut events: mpsc::Receiver<String>) -> io::Result<()> {
    let mut redraw = interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            line = console.recv() => match line? { //~ select_arm_not_cancel_safe
                Some(line) => execute(&line),
                None => return Ok(()),
            },
            Some(event) = events.recv() => println!("{event}"),
            _ = redraw.tick() => print!("{}", console.prompt),
        }
    }
}

// Not reported: `rx` is a tokio `mpsc::Receiver`, so `rx.recv()` is tokio's cancel-safe
// `recv`, not `Console::recv`.
async fn pump(rx: &mut mpsc::Receiver<String>, out: &mut Vec<String>) {
    let mut flush = interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            message = rx.recv() => match message {
                Some(message) => out.push(message),
                None => return,
            },
            _ = flush.tick() => tracing::debug!(pending = out.len(), "flush"),
        }
    }
}

// Not reported: `Inbox::recv` is the user's method, and it is cancel safe.
async fn drain_inbox(inbox: &mut Inbox, mut stop: mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            message = inbox.recv() => match message {
                Some(message) => execute(&message),
                None => return,
            },
            Some(()) = stop.recv() => tracing::info!(seen = inbox.seen, "stop requested, draining"),
        }
    }
}

fn execute(line: &str) {
    tracing::info!(%line, "command");
}
