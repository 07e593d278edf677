// Futures that lose lasting progress when a failing sibling drops them.

use futures::future::try_join_all;
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// Two replicas written in `try_join!`: one failing leaves the other half written.
async fn replicate(primary: &mut File, replica: &mut File, record: &[u8]) -> std::io::Result<()> {
    tokio::try_join!(
        primary.write_all(record), //~ try_join_not_cancel_safe
        replica.write_all(record), //~ try_join_not_cancel_safe
    )?;
    Ok(())
}

// `futures::future::try_join` with a user fn that writes a frame on a stream kept by the caller:
// the bytes already sent stay on the wire. The `read_exact` is not reported: it is dropped only
// when the write fails, and then `?` hands the error to the caller, the exchange having failed
// (see error_path.rs).
async fn write_frame(stream: &mut TcpStream, frame: &[u8]) -> std::io::Result<()> {
    stream.write_all(frame).await
}

async fn announce(stream: &mut TcpStream, file: &mut File) -> std::io::Result<()> {
    let mut header = [0u8; 8];
    futures::future::try_join(
        write_frame(stream, b"HELLO"), //~ try_join_not_cancel_safe
        file.read_exact(&mut header),
    )
    .await?;
    Ok(())
}

// `try_join_all` over writes to every peer.
async fn broadcast(peers: &mut [TcpStream], message: &[u8]) -> std::io::Result<()> {
    try_join_all(peers.iter_mut().map(|peer| peer.write_all(message))).await?; //~ try_join_not_cancel_safe
    Ok(())
}

// `try_join!` inside a `select!` branch: the join is still what drops the write.
async fn save_or_stop(primary: &mut File, replica: &mut File, mut stop: tokio::sync::mpsc::Receiver<()>) -> std::io::Result<()> {
    tokio::select! {
        res = async { tokio::try_join!(primary.write_all(b"x"), replica.write_all(b"y")) } => { //~ try_join_not_cancel_safe //~ try_join_not_cancel_safe
            res?;
        }
        _ = stop.recv() => {}
    }
    Ok(())
}

// A `FuturesUnordered` collected with `try_collect`: the first error drops the other writes.
async fn write_all_peers(peers: &mut [TcpStream], message: &[u8]) -> std::io::Result<()> {
    use futures::stream::{FuturesUnordered, TryStreamExt};
    peers
        .iter_mut()
        .map(|peer| peer.write_all(message)) //~ try_join_not_cancel_safe
        .collect::<FuturesUnordered<_>>()
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}
