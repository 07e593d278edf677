// Text inside string literals is never a suppression: a test that writes a suppression comment
// into a generated file, or a help text that shows the syntax, holds the marker in a multi-line
// string, a raw string or a byte string. Only the real comment at the end suppresses anything,
// and only it can be unused.

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub const GENERATED: &str = "
pub async fn pump() {
    // cancel-check: allow(select_arm_not_cancel_safe) -- the peer resends whole frames
    loop {}
}
";

pub const RAW: &str = r#"
    // cancel-check: allow(select_timer_reset, futurelock)
    let x = "quoted";
"#;

pub const BYTES: &[u8] = b"first\n// cancel-check: allow(futurelock)\n";

pub const ESCAPED: &str = "a \" quote, then\n// cancel-check: allow(futurelock)\n";

pub fn help() -> String {
    format!(
        "{}\n// cancel-check: allow({}) -- {}",
        "suppress a finding with", "select_timer_reset", "why"
    )
}

// The real comments around them still work, and a stale one is still reported.
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

pub async fn stale(mut rx: mpsc::Receiver<u32>) {
    // cancel-check: allow(futurelock) -- nothing here waits on a lock
    //~^ unused_allow: `allow(futurelock)` suppresses nothing
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}
