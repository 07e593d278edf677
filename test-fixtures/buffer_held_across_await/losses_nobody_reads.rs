// A buffer lost with a dropped future matters only where the data came from a resource that
// outlives the race and that is read again after it: the race is in a loop that goes on, or the
// resource is used after it, kept in `self` or borrowed through a `&mut` parameter. Each
// silent shape below has a reported twin.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::{interval, timeout};

const WAIT: Duration = Duration::from_secs(2);

pub struct Replica {
    name: String,
    updates: mpsc::Receiver<u8>,
}

impl Replica {
    async fn status(&mut self) -> io::Result<u8> {
        self.updates.recv().await.ok_or_else(|| io::ErrorKind::BrokenPipe.into())
    }
}

pub struct Cluster {
    replicas: Vec<Replica>,
}

impl Cluster {
    // Not reported: `failures` collects the errors the replicas report, not data read from
    // them.
    async fn first_ready(&mut self) -> Result<String, Vec<(String, io::Error)>> {
        let mut failures = Vec::new();
        for replica in &mut self.replicas {
            match replica.status().await {
                Ok(0) => return Ok(replica.name.clone()),
                Ok(_) => {}
                Err(error) => failures.push((replica.name.clone(), error)),
            }
        }
        Err(failures)
    }

    pub async fn watch(&mut self, mut stop: broadcast::Receiver<()>) {
        let mut tick = interval(WAIT);
        loop {
            tokio::select! {
                ready = self.first_ready() => tracing::info!(?ready, "probe"),
                _ = tick.tick() => tracing::trace!("still probing"),
                _ = stop.recv() => return,
            }
        }
    }

    // Not reported: the statuses are data taken from the replicas, but the only race drops
    // `statuses` when shutdown wins, and that branch returns (see `start`): nothing reads the
    // replicas again.
    async fn statuses(&mut self) -> io::Result<Vec<u8>> {
        let mut statuses = Vec::with_capacity(self.replicas.len());
        for replica in &mut self.replicas {
            statuses.push(replica.status().await?);
        }
        Ok(statuses)
    }
    // Reported: the same collection, raced in a loop whose tick goes on: the statuses taken so
    // far are dropped with `counts`, and the next round takes the following ones.
    async fn counts(&mut self) -> io::Result<Vec<u8>> {
        let mut counts = Vec::with_capacity(self.replicas.len()); //~ buffer_held_across_await
        for replica in &mut self.replicas {
            counts.push(replica.status().await?);
        }
        Ok(counts)
    }

    pub async fn poll_counts(&mut self) -> io::Result<()> {
        let mut tick = interval(WAIT);
        loop {
            tokio::select! {
                counts = self.counts() => tracing::info!(counts = ?counts?, "counts"), //~ select_arm_not_cancel_safe
                _ = tick.tick() => tracing::trace!("waiting for counts"),
            }
        }
    }
}

pub async fn start(mut cluster: Cluster, mut stop: broadcast::Receiver<()>) -> io::Result<String> {
    let statuses = tokio::select! {
        statuses = cluster.statuses() => statuses?,
        _ = stop.recv() => return Err(io::ErrorKind::Interrupted.into()),
    };
    tracing::info!(?statuses, "cluster up");
    cluster.first_ready().await.map_err(|_| io::ErrorKind::NotFound.into())
}

// Not reported: every timeout around it panics when the time runs out, so the stream is never
// read again after a lost race, even where the caller would go on with it.
async fn read_banner(stream: &mut TcpStream) -> Vec<u8> {
    let mut banner = Vec::new();
    loop {
        let byte = stream.read_u8().await.unwrap();
        if byte == b'\n' {
            return banner;
        }
        banner.push(byte);
    }
}

pub async fn greet(addr: &str) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let banner = timeout(WAIT, read_banner(&mut stream)).await.unwrap();
    stream.write_all(&banner).await.unwrap();
    let pending = read_banner(&mut stream);
    let again = timeout(WAIT, pending).await.expect("a second banner");
    assert_eq!(banner, again);
}

pub async fn expect_banner(stream: &mut TcpStream) -> usize {
    timeout(WAIT, read_banner(stream)).await.unwrap().len()
}

// Reported: the same helper under a timeout whose elapsed error is logged, after which the
// stream is read again from the middle of the line.
async fn read_motd(stream: &mut TcpStream) -> Vec<u8> {
    let mut motd = Vec::new(); //~ buffer_held_across_await
    loop {
        let byte = stream.read_u8().await.unwrap();
        if byte == b'\n' {
            return motd;
        }
        motd.push(byte);
    }
}

pub async fn login(mut stream: TcpStream) -> io::Result<u8> {
    if timeout(WAIT, read_motd(&mut stream)).await.is_err() { //~ timeout_not_cancel_safe
        tracing::debug!("no message of the day");
    }
    stream.read_u8().await
}

// Items the function already holds, moved out of a local and passed through awaited hooks,
// are not data read across the awaits: `kept` only repackages `regions`.
pub struct Region {
    id: u32,
    text: String,
}

pub struct Indexer {
    conn: TcpStream,
    stopwords: Vec<String>,
}

impl Indexer {
    fn regions_of(&self, text: &str) -> Vec<Region> {
        text.split("\n\n")
            .enumerate()
            .map(|(id, text)| Region { id: id as u32, text: text.to_string() })
            .collect()
    }

    async fn normalise(&self, region: Region) -> Region {
        tokio::task::yield_now().await;
        Region { text: region.text.to_lowercase(), ..region }
    }

    async fn is_noise(&self, region: &mut Region) -> bool {
        tokio::task::yield_now().await;
        region.text = region.text.trim().to_string();
        self.stopwords.contains(&region.text)
    }

    // Not reported: `kept` collects the regions the function split off itself.
    async fn clean(&self, text: &str) -> Vec<Region> {
        let regions = self.regions_of(text);
        let mut kept = Vec::with_capacity(regions.len());
        for mut region in regions {
            if self.is_noise(&mut region).await {
                continue;
            }
            let region = self.normalise(region).await;
            kept.push(region);
        }
        kept
    }

    // Reported: the same loop over owned regions, but each round reads a reply off the
    // connection into `ids`.
    async fn register(&mut self, text: &str) -> io::Result<Vec<u32>> {
        let regions = self.regions_of(text);
        let mut ids = Vec::with_capacity(regions.len()); //~ buffer_held_across_await
        for region in regions {
            self.conn.write_all(region.text.as_bytes()).await?;
            ids.push(self.conn.read_u32().await? + region.id);
        }
        Ok(ids)
    }

    pub async fn serve(&mut self, mut texts: mpsc::Receiver<String>) -> io::Result<()> {
        let mut tick = interval(WAIT);
        while let Some(text) = texts.recv().await {
            tokio::select! {
                kept = self.clean(&text) => tracing::info!(regions = kept.len(), "cleaned"),
                _ = tick.tick() => tracing::trace!("cleaning"),
            }
            tokio::select! {
                ids = self.register(&text) => tracing::info!(ids = ?ids?, "registered"), //~ select_arm_not_cancel_safe
                _ = tick.tick() => tracing::trace!("registering"),
            }
        }
        Ok(())
    }
}

// Not reported: the block takes the stream along (`async move`), so the partial line in
// `current` dies with the only stream it came from.
pub async fn lines_until(mut stream: TcpStream, done: oneshot::Receiver<()>) -> Vec<String> {
    let mut lines = Vec::new();
    let collected = &mut lines;
    let reading = async move {
        let mut current = Vec::new();
        while let Ok(byte) = stream.read_u8().await {
            if byte == b'\n' {
                collected.push(String::from_utf8_lossy(&current).into_owned());
                current.clear();
            } else {
                current.push(byte);
            }
        }
    };
    futures::future::select(Box::pin(reading), done).await;
    lines
}

// Reported: joined in a loop that logs a failed round and goes on. When one side fails, the
// record the other had half read is dropped, and its next round starts in the middle of it.
async fn read_record(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut record = Vec::new(); //~ buffer_held_across_await: `record` holds data read
    loop {
        let byte = stream.read_u8().await?;
        if byte == b'\n' {
            return Ok(record);
        }
        record.push(byte);
    }
}

pub async fn pair_records(left: &mut TcpStream, right: &mut TcpStream) {
    loop {
        match tokio::try_join!(read_record(left), read_record(right)) { //~ try_join_not_cancel_safe //~ try_join_not_cancel_safe
            Ok((a, b)) => tracing::info!(same = a == b, "pair"),
            Err(error) => tracing::warn!(%error, "round failed"),
        }
    }
}

// Not reported: a failed join returns its error, and the exchange is over.
async fn read_reply(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    loop {
        let byte = stream.read_u8().await?;
        if byte == b'\n' {
            return Ok(reply);
        }
        reply.push(byte);
    }
}

pub async fn pair_replies(left: &mut TcpStream, right: &mut TcpStream) -> io::Result<bool> {
    let (a, b) = tokio::try_join!(read_reply(left), read_reply(right))?;
    Ok(a == b)
}
