//! The reader and the writer on real I/O: tokio duplex pipes and loopback TCP, with peers that
//! drip bytes, checked by cancelling after every possible number of polls. The reader with
//! tokio-util's codecs too: `read_decoded`, and handing its buffer over to `FramedRead`.

use std::io;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
use cancel_check::testing::{check_cancellation, Outcome};
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{Decoder, FramedRead, LengthDelimitedCodec, LinesCodec};

const FRAMES: [&[u8]; 3] = [b"hello", b"", b"cancel safety"];

fn framed(frames: &[&[u8]]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for frame in frames {
        bytes.extend_from_slice(&(frame.len() as u32).to_be_bytes());
        bytes.extend_from_slice(frame);
    }
    bytes
}

/// Writes `bytes` a few at a time, yielding in between, then closes the stream.
async fn drip<W: tokio::io::AsyncWrite + Unpin>(mut writer: W, bytes: Vec<u8>, step: usize) {
    for chunk in bytes.chunks(step) {
        writer.write_all(chunk).await.unwrap();
        tokio::task::yield_now().await;
    }
    writer.shutdown().await.unwrap();
}

fn dripping_pipe(bytes: Vec<u8>, step: usize) -> DuplexStream {
    let (client, server) = tokio::io::duplex(64);
    tokio::spawn(drip(server, bytes, step));
    client
}

/// A loopback TCP connection whose peer drips `bytes`.
async fn dripping_socket(bytes: Vec<u8>, step: usize) -> TcpStream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        drip(socket, bytes, step).await;
    });
    TcpStream::connect(address).await.unwrap()
}

/// The invariant of a frame reader: the frame of the attempt (if it completed) and the rest of
/// the stream are exactly `FRAMES`.
async fn all_frames_arrive<R: AsyncRead + Unpin>(
    reader: &mut CancelSafeReader<R>,
    outcome: Outcome<io::Result<Option<Bytes>>>,
) -> Result<(), String> {
    let mut frames = Vec::new();
    if let Outcome::Completed { output, .. } = outcome {
        frames.extend(output.map_err(|e| e.to_string())?);
    }
    while let Some(frame) = reader.read_frame().await.map_err(|e| e.to_string())? {
        frames.push(frame);
    }
    if frames == FRAMES {
        Ok(())
    } else {
        Err(format!("received {frames:?}"))
    }
}

#[tokio::test]
async fn read_frame_is_cancel_safe_on_a_dripping_pipe() {
    let summary = check_cancellation(
        async || CancelSafeReader::new(dripping_pipe(framed(&FRAMES), 1)),
        async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_frame().await,
        async |reader, outcome| all_frames_arrive(reader, outcome).await,
    )
    .await
    .unwrap();
    // A byte per wake-up: the first frame (4 + 5 bytes) took several polls.
    assert!(summary.polls_to_complete >= 2, "{summary:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_frame_is_cancel_safe_on_loopback_tcp() {
    let summary = check_cancellation(
        async || CancelSafeReader::new(dripping_socket(framed(&FRAMES), 2).await),
        async |reader: &mut CancelSafeReader<TcpStream>| reader.read_frame().await,
        async |reader, outcome| all_frames_arrive(reader, outcome).await,
    )
    .await
    .unwrap();
    assert!(summary.attempts >= 2, "{summary:?}");
}

#[tokio::test]
async fn read_exact_is_cancel_safe() {
    let data = b"0123456789abcdef".to_vec();
    let expected = data.clone();
    check_cancellation(
        async || CancelSafeReader::new(dripping_pipe(data.clone(), 3)),
        async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_exact(10).await,
        async |reader, outcome| {
            let mut received = Vec::new();
            match outcome {
                Outcome::Completed { output, .. } => {
                    received.extend_from_slice(&output.map_err(|e| e.to_string())?);
                }
                Outcome::Cancelled { .. } => {
                    received.extend_from_slice(
                        &reader.read_exact(10).await.map_err(|e| e.to_string())?,
                    );
                }
            }
            received.extend_from_slice(&reader.read_exact(6).await.map_err(|e| e.to_string())?);
            if received == expected {
                Ok(())
            } else {
                Err(format!("received {:?}", String::from_utf8_lossy(&received)))
            }
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn read_line_is_cancel_safe() {
    let text = "first line\r\nsecond\nno newline at the end";
    check_cancellation(
        async || CancelSafeReader::new(dripping_pipe(text.as_bytes().to_vec(), 2)),
        async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_line().await,
        async |reader, outcome| {
            let mut lines = Vec::new();
            if let Outcome::Completed { output, .. } = outcome {
                lines.extend(output.map_err(|e| e.to_string())?);
            }
            while let Some(line) = reader.read_line().await.map_err(|e| e.to_string())? {
                lines.push(line);
            }
            if lines == ["first line", "second", "no newline at the end"] {
                Ok(())
            } else {
                Err(format!("received {lines:?}"))
            }
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn read_until_is_cancel_safe_and_keeps_the_delimiter() {
    check_cancellation(
        async || CancelSafeReader::new(dripping_pipe(b"alpha;beta;gamma".to_vec(), 1)),
        async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_until(b';').await,
        async |reader, outcome| {
            let mut records = Vec::new();
            if let Outcome::Completed { output, .. } = outcome {
                records.extend(output.map_err(|e| e.to_string())?);
            }
            while let Some(record) = reader.read_until(b';').await.map_err(|e| e.to_string())? {
                records.push(record);
            }
            if records == [&b"alpha;"[..], b"beta;", b"gamma"] {
                Ok(())
            } else {
                Err(format!("received {records:?}"))
            }
        },
    )
    .await
    .unwrap();
}

/// The scenario of the lints: the read raced against a timer in a loop, over TCP. The peer
/// sends each frame in two halves and sends the second half only once the reader has been
/// cancelled with the first half buffered, so every frame is cut by a cancellation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_survive_a_select_loop_over_tcp() {
    let frames: Vec<Vec<u8>> = (1..=20u8).map(|n| vec![n; n as usize * 7]).collect();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (resume_tx, mut resume) = tokio::sync::mpsc::unbounded_channel::<()>();
    let sent = frames.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        for frame in &sent {
            let bytes = framed(&[frame]);
            let (first, second) = bytes.split_at(bytes.len() / 2);
            socket.write_all(first).await.unwrap();
            resume.recv().await.unwrap();
            socket.write_all(second).await.unwrap();
        }
    });
    let mut reader = CancelSafeReader::new(TcpStream::connect(address).await.unwrap());
    let mut received = Vec::new();
    let mut cut = 0;
    while received.len() < frames.len() {
        tokio::select! {
            frame = reader.read_frame() => received.push(frame.unwrap().unwrap().to_vec()),
            // cancel-check: allow(select_timer_reset) -- a fresh timer each time round is the point:
            // it fires once the other branch has been waiting for 1 ms
            _ = tokio::time::sleep(Duration::from_millis(1)) => {
                if !reader.buffer().is_empty() && cut == received.len() {
                    // `read_frame` was dropped holding half of this frame.
                    cut += 1;
                    resume_tx.send(()).unwrap();
                }
            }
        }
    }
    assert_eq!(received, frames);
    assert_eq!(cut, frames.len());
}

#[tokio::test]
async fn the_end_of_the_stream_inside_a_frame_is_an_error_and_keeps_the_bytes() {
    let input: &[u8] = &[0, 0, 0, 5, b'a', b'b'];
    let mut reader = CancelSafeReader::new(input);
    let error = reader.read_frame().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(reader.buffer(), input);

    let mut reader = CancelSafeReader::new(&b"abc"[..]);
    let error = reader.read_exact(4).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(reader.buffer(), b"abc");
    assert_eq!(&reader.read_exact(3).await.unwrap()[..], b"abc");
}

#[tokio::test]
async fn a_frame_over_the_maximum_is_invalid_data() {
    let input = framed(&[&[7; 11]]);
    let mut reader = CancelSafeReader::new(&input[..]).with_max_frame_len(10);
    let error = reader.read_frame().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        error.to_string(),
        "a frame of 11 bytes is longer than the maximum of 10"
    );
    let mut reader = CancelSafeReader::new(&input[..]).with_max_frame_len(11);
    assert_eq!(reader.read_frame().await.unwrap().unwrap().len(), 11);
}

#[tokio::test]
async fn a_line_over_the_maximum_is_invalid_data() {
    // The newline is there: the long line is skipped.
    let mut reader = CancelSafeReader::new(&b"0123456789\nnext\n"[..]).with_max_frame_len(4);
    let error = reader.read_line().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        error.to_string(),
        "a record of 10 bytes is longer than the maximum of 4"
    );
    assert_eq!(reader.read_line().await.unwrap().as_deref(), Some("next"));
    // No newline within the limit: the bytes stay, and the error repeats.
    let (client, mut server) = tokio::io::duplex(64);
    server.write_all(b"0123456789").await.unwrap();
    let mut reader = CancelSafeReader::new(client).with_max_frame_len(4);
    let error = reader.read_line().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "no delimiter in the first 10 bytes (the maximum is 4)"
    );
    assert_eq!(reader.buffer(), b"0123456789");
}

#[tokio::test]
async fn a_line_that_is_not_utf8_is_consumed() {
    let mut reader = CancelSafeReader::new(&b"\xff\xfe\nnext\n"[..]);
    let error = reader.read_line().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(reader.read_line().await.unwrap().as_deref(), Some("next"));
}

#[tokio::test]
async fn reading_through_async_read_serves_the_buffer_first() {
    let mut reader = CancelSafeReader::new(&b"line\nrest of the stream"[..]);
    // Fills the buffer with more than the line.
    reader.read_line().await.unwrap();
    let mut rest = String::new();
    reader.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "rest of the stream");
}

/// A pipe that holds 4 bytes, read by a peer that takes a few bytes at a time.
struct SlowPeer {
    writer: CancelSafeWriter<DuplexStream>,
    received: tokio::task::JoinHandle<Vec<u8>>,
}

fn slow_peer() -> SlowPeer {
    let (client, mut server) = tokio::io::duplex(4);
    let received = tokio::spawn(async move {
        let mut received = Vec::new();
        let mut chunk = [0; 3];
        loop {
            let n = server.read(&mut chunk).await.unwrap();
            if n == 0 {
                return received;
            }
            received.extend_from_slice(&chunk[..n]);
            tokio::task::yield_now().await;
        }
    });
    SlowPeer {
        writer: CancelSafeWriter::new(client),
        received,
    }
}

#[tokio::test]
async fn write_all_is_cancel_safe() {
    let data: Vec<u8> = (0..40).collect();
    check_cancellation(
        async || slow_peer(),
        async |peer: &mut SlowPeer| peer.writer.write_all(&data).await,
        async |peer, outcome| {
            let mut expected = Vec::new();
            if outcome.was_polled() {
                expected.extend_from_slice(&data);
            }
            expected.extend_from_slice(b"end");
            if let Outcome::Completed { output, .. } = outcome {
                output.map_err(|e| e.to_string())?;
            }
            // Whatever the dropped call left is queued: the next call writes it first, once.
            peer.writer
                .write_all(b"end")
                .await
                .map_err(|e| e.to_string())?;
            peer.writer.shutdown().await.map_err(|e| e.to_string())?;
            let received = (&mut peer.received).await.map_err(|e| e.to_string())?;
            if received == expected {
                Ok(())
            } else {
                Err(format!("received {received:?}"))
            }
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_write_dropped_before_its_first_poll_is_queued() {
    let mut peer = slow_peer();
    drop(peer.writer.write_all(b"queued by the call"));
    assert_eq!(peer.writer.pending(), 18);
    peer.writer.shutdown().await.unwrap();
    assert_eq!(peer.writer.pending(), 0);
    assert_eq!(peer.received.await.unwrap(), b"queued by the call");
}

#[tokio::test]
async fn write_frame_is_cancel_safe_and_round_trips_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let frames: Vec<Vec<u8>> = (0..50u8).map(|n| vec![n; 1000 + n as usize]).collect();
    let sent = frames.clone();
    let sender = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut writer = CancelSafeWriter::new(socket);
        for frame in &sent {
            // Polled once, then dropped if not done: the rest is written by later calls.
            let _ = writer.write_frame(frame).now_or_never();
        }
        writer.shutdown().await.unwrap();
    });
    let mut reader = CancelSafeReader::new(TcpStream::connect(address).await.unwrap());
    let mut received = Vec::new();
    while let Some(frame) = reader.read_frame().await.unwrap() {
        received.push(frame.to_vec());
    }
    sender.await.unwrap();
    assert_eq!(received, frames);
}

// ---- tokio-util codecs: `read_decoded` and handing the buffer over to `FramedRead` ----

/// The invariant of a decoding reader: the item of the attempt (if it completed) and the rest
/// of the stream, decoded with the same decoder, are exactly `expected`.
async fn all_items_arrive<R, D>(
    (reader, codec): &mut (CancelSafeReader<R>, D),
    outcome: Outcome<Result<Option<D::Item>, D::Error>>,
    expected: &[D::Item],
) -> Result<(), String>
where
    R: AsyncRead + Unpin,
    D: Decoder,
    D::Item: PartialEq + std::fmt::Debug,
    D::Error: std::fmt::Display,
{
    let mut items = Vec::new();
    if let Outcome::Completed { output, .. } = outcome {
        items.extend(output.map_err(|e| e.to_string())?);
    }
    while let Some(item) = reader
        .read_decoded(codec)
        .await
        .map_err(|e| e.to_string())?
    {
        items.push(item);
    }
    if items == expected {
        Ok(())
    } else {
        Err(format!("received {items:?}"))
    }
}

#[tokio::test]
async fn read_decoded_is_cancel_safe_with_a_length_delimited_codec() {
    // `LengthDelimitedCodec` takes the length prefix out of the buffer and keeps it in itself:
    // the decoder's state is part of the progress, and survives with it.
    let expected: Vec<BytesMut> = FRAMES.iter().map(|frame| BytesMut::from(*frame)).collect();
    let summary = check_cancellation(
        async || {
            let reader = CancelSafeReader::new(dripping_pipe(framed(&FRAMES), 1));
            (reader, LengthDelimitedCodec::new())
        },
        async |(reader, codec): &mut (CancelSafeReader<DuplexStream>, LengthDelimitedCodec)| {
            reader.read_decoded(codec).await
        },
        async |state, outcome| all_items_arrive(state, outcome, &expected).await,
    )
    .await
    .unwrap();
    assert!(summary.polls_to_complete >= 2, "{summary:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_decoded_is_cancel_safe_with_a_lines_codec_over_loopback_tcp() {
    let text = "first line\nsecond\r\nthird\n";
    let expected = ["first line", "second", "third"].map(String::from);
    check_cancellation(
        async || {
            let reader = CancelSafeReader::new(dripping_socket(text.as_bytes().to_vec(), 3).await);
            (reader, LinesCodec::new_with_max_length(64))
        },
        async |(reader, codec): &mut (CancelSafeReader<TcpStream>, LinesCodec)| {
            reader.read_decoded(codec).await
        },
        async |state, outcome| all_items_arrive(state, outcome, &expected).await,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn read_decoded_and_the_other_methods_read_on_from_one_buffer() {
    // A text handshake, two length-delimited frames, a fixed-size trailer: one pipe, written
    // in one go so that every read takes more than it returns.
    let mut bytes = b"HELLO v1\r\n".to_vec();
    bytes.extend(framed(&[b"one", b"two"]));
    bytes.extend_from_slice(b"END!");
    let mut reader = CancelSafeReader::new(dripping_pipe(bytes, 64));
    assert_eq!(
        reader.read_line().await.unwrap().as_deref(),
        Some("HELLO v1")
    );
    let mut codec = LengthDelimitedCodec::new();
    assert_eq!(
        &reader.read_decoded(&mut codec).await.unwrap().unwrap()[..],
        b"one"
    );
    // `write_frame`'s format is `LengthDelimitedCodec`'s default: either reads it.
    assert_eq!(&reader.read_frame().await.unwrap().unwrap()[..], b"two");
    assert_eq!(&reader.read_exact(4).await.unwrap()[..], b"END!");
    assert!(reader.read_decoded(&mut codec).await.unwrap().is_none());
}

#[tokio::test]
async fn the_end_of_the_stream_inside_a_decoded_item_is_the_decoders_error() {
    let (client, mut server) = tokio::io::duplex(64);
    server.write_all(&[0, 0, 0, 9, b'a']).await.unwrap();
    drop(server);
    let mut reader = CancelSafeReader::new(client);
    let error = reader
        .read_decoded(&mut LengthDelimitedCodec::new())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "bytes remaining on stream");
}

/// The guidance for a stream that is one codec from a point on: hand the buffered bytes over
/// to `FramedRead`, whose `next()` keeps partial items in its own buffer and is cancel safe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_hands_its_buffer_over_to_framed_read_in_a_select_loop() {
    let frames: Vec<Vec<u8>> = (1..=30u8).map(|n| vec![n; n as usize * 5]).collect();
    let mut bytes = b"PROTOCOL framed\n".to_vec();
    bytes.extend(framed(
        &frames.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    ));
    let mut reader = CancelSafeReader::new(dripping_socket(bytes, 7).await);
    assert_eq!(
        reader.read_line().await.unwrap().as_deref(),
        Some("PROTOCOL framed")
    );
    let (socket, buffered) = reader.into_parts();
    let mut framed_read = FramedRead::new(socket, LengthDelimitedCodec::new());
    framed_read.read_buffer_mut().extend_from_slice(&buffered);
    let mut received = Vec::new();
    let mut heartbeat = tokio::time::interval(Duration::from_micros(100));
    loop {
        tokio::select! {
            frame = framed_read.next() => match frame {
                Some(frame) => received.push(frame.unwrap().to_vec()),
                None => break,
            },
            // When this branch wins, the partial frame stays in `framed_read`.
            _ = heartbeat.tick() => {}
        }
    }
    assert_eq!(received, frames);
}
