//! The cancellation test helper itself: it catches a naive frame reader at the smallest k,
//! passes the shim's reader on the same stream, and reports stalls and runaway futures.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use cancel_check::io::CancelSafeReader;
use cancel_check::testing::{check_cancellation, CancelCheck, Outcome, ViolationKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};

const FRAMES: [&[u8]; 2] = [b"first frame", b"second"];

fn framed() -> Vec<u8> {
    let mut bytes = Vec::new();
    for frame in FRAMES {
        bytes.extend_from_slice(&(frame.len() as u32).to_be_bytes());
        bytes.extend_from_slice(frame);
    }
    bytes
}

/// The bug the lints look for: the length and the payload are read into buffers that live in
/// the future, so a dropped call loses what it read.
async fn naive_read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut prefix = [0; 4];
    match reader.read_exact(&mut prefix).await {
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let len = u32::from_be_bytes(prefix) as usize;
    if len > 1024 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("length {len}"),
        ));
    }
    let mut frame = vec![0; len];
    reader.read_exact(&mut frame).await?;
    Ok(Some(frame))
}

/// A pipe whose first two bytes are already written when the operation starts, the rest dripped
/// a byte per wake-up by a peer. On the current-thread runtime the peer only runs once the
/// operation has returned `Pending`, so the first poll always sees exactly two bytes.
async fn half_a_prefix_then_drip() -> DuplexStream {
    let (client, mut server) = tokio::io::duplex(64);
    let bytes = framed();
    server.write_all(&bytes[..2]).await.unwrap();
    tokio::spawn(async move {
        for byte in &bytes[2..] {
            server.write_all(&[*byte]).await.unwrap();
            tokio::task::yield_now().await;
        }
    });
    client
}

async fn frames_received(
    first: Option<Vec<u8>>,
    mut next: impl AsyncFnMut() -> io::Result<Option<Vec<u8>>>,
) -> Result<(), String> {
    let mut frames: Vec<Vec<u8>> = first.into_iter().collect();
    loop {
        match next().await {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => break,
            Err(error) => return Err(format!("{error} after {frames:?}")),
        }
    }
    if frames == FRAMES {
        Ok(())
    } else {
        Err(format!("received {frames:?}"))
    }
}

#[tokio::test]
async fn the_naive_reader_fails_at_the_smallest_k() {
    let violation = check_cancellation(
        half_a_prefix_then_drip,
        async |pipe: &mut DuplexStream| naive_read_frame(pipe).await,
        async |pipe, outcome| {
            let first = match outcome {
                Outcome::Completed { output, .. } => output.map_err(|e| e.to_string())?,
                Outcome::Cancelled { .. } => None,
            };
            frames_received(first, async || naive_read_frame(pipe).await).await
        },
    )
    .await
    .unwrap_err();
    // k = 0 (dropped before any poll) passes: nothing was read. The first poll reads the two
    // bytes that are there into the future's own buffer, so k = 1 already loses them.
    assert_eq!(violation.k, 1, "{violation}");
    assert_eq!(violation.kind, ViolationKind::Invariant);
    assert!(
        violation
            .to_string()
            .starts_with("the invariant fails when the future is dropped after 1 polls: "),
        "{violation}"
    );
}

#[tokio::test]
async fn the_shim_reader_passes_on_the_same_stream() {
    let summary = check_cancellation(
        async || CancelSafeReader::new(half_a_prefix_then_drip().await),
        async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_frame().await,
        async |reader, outcome| {
            let first = match outcome {
                Outcome::Completed { output, .. } => output
                    .map_err(|e| e.to_string())?
                    .map(|frame| frame.to_vec()),
                Outcome::Cancelled { .. } => None,
            };
            frames_received(first, async || {
                Ok(reader.read_frame().await?.map(|frame| frame.to_vec()))
            })
            .await
        },
    )
    .await
    .unwrap();
    // The first frame came a byte per wake-up: every attempt but the last was dropped midway,
    // the first of them with the two bytes of the prefix read.
    assert!(summary.polls_to_complete >= 1, "{summary:?}");
}

/// Pending forever, and never wakes anyone.
struct NeverWakes;

impl Future for NeverWakes {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_future_that_is_never_woken_is_a_stall_not_a_hang() {
    let violation = CancelCheck::new()
        .wake_timeout(Duration::from_millis(20))
        .run(
            async || (),
            async |_: &mut ()| NeverWakes.await,
            async |_, _| Ok(()),
        )
        .await
        .unwrap_err();
    // k = 0 and k = 1 need no wake-up; k = 2 waits for one after the first poll.
    assert_eq!((violation.k, violation.kind), (2, ViolationKind::Stalled));
    assert!(violation.message.contains("not woken"), "{violation}");
}

#[tokio::test]
async fn a_future_that_never_completes_hits_the_poll_limit() {
    let violation = CancelCheck::new()
        .max_polls(5)
        .run(
            async || (),
            async |_: &mut ()| loop {
                tokio::task::yield_now().await;
            },
            async |_, _| Ok(()),
        )
        .await
        .unwrap_err();
    assert_eq!(violation.kind, ViolationKind::TooManyPolls);
}

#[tokio::test]
async fn every_attempt_gets_a_fresh_state_and_the_invariant_sees_each_outcome() {
    let mut setups = 0;
    let mut seen = Vec::new();
    let summary = check_cancellation(
        async || {
            setups += 1;
            0u32
        },
        async |count: &mut u32| {
            *count += 1;
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            "done"
        },
        async |count, outcome| {
            seen.push((*count, outcome.clone()));
            Ok(())
        },
    )
    .await
    .unwrap();
    assert_eq!(summary.attempts, 4);
    assert_eq!(setups, 4);
    assert_eq!(
        seen,
        [
            (0, Outcome::Cancelled { polls: 0 }),
            (1, Outcome::Cancelled { polls: 1 }),
            (1, Outcome::Cancelled { polls: 2 }),
            (
                1,
                Outcome::Completed {
                    output: "done",
                    polls: 2
                }
            ),
        ]
    );
}

#[tokio::test]
async fn real_io_wake_ups_are_waited_for() {
    // The peer answers only after a real delay: a future polled again without waiting for its
    // waker would spin through the poll limit.
    let summary = CancelCheck::new()
        .max_polls(10)
        .run(
            async || {
                let (client, mut server) = tokio::io::duplex(8);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    server.write_all(b"late").await.unwrap();
                });
                client
            },
            async |client: &mut DuplexStream| {
                let mut word = [0; 4];
                client.read_exact(&mut word).await.map(|_| word)
            },
            async |_, _| Ok(()),
        )
        .await
        .unwrap();
    assert_eq!(summary.polls_to_complete, 1);
}
