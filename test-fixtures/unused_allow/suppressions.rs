// Suppressions that do their job, and the ones that suppress nothing. A select loop that
// re-creates `read_exact` is flagged by `select_arm_not_cancel_safe` unless a suppression covers
// the branch future.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

// A comment on the line above the branch future covers it.
pub async fn line_above(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            // cancel-check: allow(select_arm_not_cancel_safe) -- the peer resends whole frames
            read = socket.read_exact(&mut header) => {
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// A comment at the end of the flagged line covers that line.
pub async fn same_line(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { // cancel-check: allow(select_arm_not_cancel_safe)
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// A comment above a statement covers the whole statement, over several lines.
pub async fn whole_statement(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        // cancel-check: allow(select_arm_not_cancel_safe) -- resynchronised by the frame magic
        tokio::select! {
            biased;
            Some(limit) = control.recv() => println!("limit {limit}"),
            read = socket.read_exact(&mut header) => {
                if read.is_err() { break; }
            }
        }
    }
}

struct Session {
    socket: TcpStream,
    control: mpsc::Receiver<u32>,
}

// A comment above the doc comments and attributes of an item covers the whole item.
// cancel-check: allow(select_arm_not_cancel_safe, select_timer_reset) -- a test harness
/// Pumps the session until it is stopped.
#[allow(clippy::never_loop)]
impl Session {
    async fn pump(&mut self) {
        let mut header = [0u8; 4];
        loop {
            tokio::select! {
                read = self.socket.read_exact(&mut header) => {
                    if read.is_err() { break; }
                }
                _ = tokio::time::sleep(Duration::from_secs(5)) => println!("idle"),
                Some(limit) = self.control.recv() => println!("limit {limit}"),
            }
        }
    }
}

// The same with the shim's attribute and with `cfg_attr`, which compiles on stable.
#[cancel_check::allow(select_arm_not_cancel_safe, reason = "a test harness")]
pub async fn with_the_shim_attribute(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { if read.is_err() { break; } }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

#[cfg_attr(any(), allow(cancel_check::select_arm_not_cancel_safe))]
pub async fn with_cfg_attr(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { if read.is_err() { break; } }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// A suppression covers only what it covers: the second loop is still reported.
pub async fn covers_only_its_statement(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    // cancel-check: allow(select_arm_not_cancel_safe)
    tokio::select! {
        read = socket.read_exact(&mut header) => { let _ = read; }
        _ = control.recv() => {}
    }
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { if read.is_err() { break; } } //~ select_arm_not_cancel_safe
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// Nothing to suppress: the branch future is cancel safe.
pub async fn stale(mut rx: mpsc::Receiver<u32>, mut control: mpsc::Receiver<u32>) {
    loop {
        tokio::select! {
            // cancel-check: allow(select_arm_not_cancel_safe, select_timer_reset)
            Some(value) = rx.recv() => println!("{value}"),
            //~^^ unused_allow: `allow(select_arm_not_cancel_safe)` suppresses nothing
            //~^^^ unused_allow: `allow(select_timer_reset)` suppresses nothing
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// An allow of a lint that is allowed by default is not reported: it cannot be known to be stale.
// cancel-check: allow(detached_spawn)
pub fn spawns() {
    tokio::spawn(async {});
}

// A comment that starts like a suppression but is not one.
pub async fn malformed(mut rx: mpsc::Receiver<u32>) {
    // cancel-check: alow(select_arm_not_cancel_safe)
    //~^ unused_allow: malformed `cancel-check:` comment
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}

// The meta lints can be suppressed too.
// cancel-check: allow(unused_allow)
pub async fn quiet_stale(mut rx: mpsc::Receiver<u32>) {
    // cancel-check: allow(futurelock)
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}
