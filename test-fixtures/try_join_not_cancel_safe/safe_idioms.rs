//@ check-pass
// Joins that lose nothing lasting.

use tokio::fs::File;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

// `join!` waits for both: nothing is dropped midway.
async fn replicate(primary: &mut File, replica: &mut File, record: &[u8]) -> std::io::Result<()> {
    let (first, second) = tokio::join!(primary.write_all(record), replica.write_all(record));
    first?;
    second?;
    Ok(())
}

// Cancel-safe futures in `try_join!`.
async fn both(a: &mut mpsc::Receiver<u8>, b: &mut mpsc::Receiver<u8>) -> Result<(), &'static str> {
    let (x, y) = tokio::try_join!(async { a.recv().await.ok_or("closed") }, async { b.recv().await.ok_or("closed") })?;
    let _ = (x, y);
    Ok(())
}

// `join_all` never fires.
async fn all(peers: Vec<mpsc::Sender<u8>>) {
    futures::future::join_all(peers.iter().map(|peer| peer.send(1))).await;
}
