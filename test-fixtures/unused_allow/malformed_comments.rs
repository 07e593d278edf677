// Comments meant as suppressions that are not of the form `// cancel-check: allow(<lint>) --
// <reason>` suppress nothing, so the finding under them is still reported and the comment is
// reported with the way to write it. Prose that mentions the tool is left alone.

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub async fn no_colon(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            // cancel-check allow(select_arm_not_cancel_safe) -- the peer resends whole frames
            //~^ unused_allow: malformed `cancel-check:` comment
            read = socket.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

pub async fn underscore_marker(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            // cancel_check: allow(select_arm_not_cancel_safe)
            //~^ unused_allow: malformed
            read = socket.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

pub async fn misspelt_allow(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            read = socket.read_exact(&mut header) => { // cancel-check: alow(select_arm_not_cancel_safe)
                //~^ unused_allow: malformed
                //~^^ select_arm_not_cancel_safe
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

pub async fn reason_without_separator(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            // cancel-check: allow(select_arm_not_cancel_safe) because the peer resends frames
            //~^ unused_allow: malformed
            read = socket.read_exact(&mut header) => { //~ select_arm_not_cancel_safe
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// Written well, with the tool's prefix on the lint name and other capitals: a suppression.
pub async fn prefixed(mut socket: TcpStream, mut control: mpsc::Receiver<u32>) {
    let mut header = [0u8; 4];
    loop {
        tokio::select! {
            // cancel-check: allow(cancel_check::Select_Arm_Not_Cancel_Safe) -- resent by the peer
            read = socket.read_exact(&mut header) => {
                if read.is_err() { break; }
            }
            Some(limit) = control.recv() => println!("limit {limit}"),
        }
    }
}

// cancel-check reads this file too; cancelled checks are retried. Neither is a suppression.
pub async fn prose(mut rx: mpsc::Receiver<u32>) {
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}
