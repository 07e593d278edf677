// Length: the reader and the writer with their docs, examples and cancellation tests; most lines
// are documentation that users read on docs.rs.
//! Cancel-safe buffered I/O: a reader whose `read_*` methods keep partial data in the reader, and
//! a writer whose `write_all` keeps its progress in the writer.
//!
//! tokio's `read_exact`, `read_line`, `read_until` and `write_all` keep their progress in the
//! future: when the future is dropped (a `select!` branch that lost, a `timeout` that fired), the
//! bytes already read are gone, or an unknown prefix of the data is already written. The types
//! here keep that progress in themselves, so a dropped call loses nothing and the next call
//! resumes where it stopped.
//!
//! | tokio | here | what a dropped call leaves |
//! |---|---|---|
//! | `AsyncReadExt::read_exact` | [`CancelSafeReader::read_exact`] | the bytes read so far, in the reader's buffer |
//! | `AsyncBufReadExt::read_line` | [`CancelSafeReader::read_line`] | the partial line, in the reader's buffer |
//! | `AsyncBufReadExt::read_until` | [`CancelSafeReader::read_until`] | the partial record, in the reader's buffer |
//! | `read_u32` then `read_exact` | [`CancelSafeReader::read_frame`] | the partial frame, in the reader's buffer |
//! | a hand-written read loop over a [`Decoder`] | [`CancelSafeReader::read_decoded`] | the partial item, in the reader's buffer (and the decoder's state) |
//! | `AsyncWriteExt::write_all` | [`CancelSafeWriter::write_all`] | the bytes not yet written, queued in the writer |
//!
//! # With tokio-util's codecs
//!
//! A stream that is one codec from start to end is what tokio-util's `FramedRead` is for:
//! `framed.next()` (`StreamExt`) is cancel safe, because `FramedRead` keeps the partial item in
//! its own buffer, as this reader does. Use it. [`read_decoded`](CancelSafeReader::read_decoded)
//! is for a stream that mixes: a line-based handshake then frames, a header read with
//! [`read_exact`](CancelSafeReader::read_exact) then a codec, two codecs by turns. It decodes from
//! the same buffer the other methods read, so nothing read ahead is lost between them. To hand a
//! stream over to `FramedRead` for good, take the buffered bytes along:
//!
//! ```
//! use cancel_check::io::CancelSafeReader;
//! use futures_util::StreamExt;
//! use tokio_util::codec::{FramedRead, LinesCodec};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let mut reader = CancelSafeReader::new(&b"HELLO 1\r\nfirst\nsecond\n"[..]);
//! assert_eq!(reader.read_line().await?.as_deref(), Some("HELLO 1"));
//! let (inner, buffered) = reader.into_parts();
//! let mut lines = FramedRead::new(inner, LinesCodec::new());
//! lines.read_buffer_mut().extend_from_slice(&buffered);
//! assert_eq!(lines.next().await.transpose().unwrap().as_deref(), Some("first"));
//! assert_eq!(lines.next().await.transpose().unwrap().as_deref(), Some("second"));
//! # Ok(())
//! # }
//! ```

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use cancel_check_macros::cancel_safe;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio_util::codec::Decoder;

/// The largest frame, line or delimited record a [`CancelSafeReader`] accepts unless told
/// otherwise: 8 MiB.
pub const DEFAULT_MAX_FRAME_LEN: usize = 8 * 1024 * 1024;

/// The length of the big-endian `u32` that prefixes every frame.
const PREFIX_LEN: usize = 4;

/// How much room the buffer gets before a read from the inner reader.
const READ_CHUNK: usize = 8 * 1024;

/// A buffered reader whose reads are cancel safe: partial data stays in the reader.
///
/// Every `read_*` method first looks at the internal buffer, and reads more from the inner
/// reader only when the buffer does not hold a whole item yet. Bytes read from the inner reader go
/// into the buffer before anything else happens, and leave it only in the same step that
/// returns them. So a call whose future is dropped midway leaves everything it read in the
/// buffer, and the next call (of any `read_*` method) starts from there.
///
/// Frames are length-prefixed: a big-endian `u32` giving the payload length, then the payload.
/// Use [`CancelSafeWriter::write_frame`] to write them.
///
/// # Cancel safety
///
/// The reading methods ([`read_exact`](Self::read_exact), [`read_line`](Self::read_line),
/// [`read_until`](Self::read_until), [`read_frame`](Self::read_frame)) are cancel safe: if the
/// future is dropped before it completes, no data is lost. The reader implements
/// [`AsyncRead`] too, serving the buffered bytes first, which is as cancel safe as the inner
/// reader's `poll_read`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (client, server) = tokio::io::duplex(64);
/// let mut reader = CancelSafeReader::new(client);
/// tokio::spawn(async move {
///     let mut writer = CancelSafeWriter::new(server);
///     for frame in [&b"hello"[..], b"world"] {
///         writer.write_frame(frame).await?;
///         tokio::time::sleep(Duration::from_millis(5)).await;
///     }
///     std::io::Result::Ok(())
/// });
/// let mut heartbeat = tokio::time::interval(Duration::from_millis(1));
/// let mut frames = Vec::new();
/// loop {
///     tokio::select! {
///         frame = reader.read_frame() => match frame? {
///             Some(frame) => frames.push(frame),
///             None => break,
///         },
///         // When this branch wins, the partly read frame stays in `reader`.
///         _ = heartbeat.tick() => {}
///     }
/// }
/// assert_eq!(frames, [&b"hello"[..], b"world"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct CancelSafeReader<R> {
    inner: R,
    buf: BytesMut,
    max_frame_len: usize,
    /// The delimiter of the last `read_until` and how far the buffer is known not to contain
    /// it, so a long record is scanned once and not once per read.
    scanned: Option<(u8, usize)>,
}

impl<R> CancelSafeReader<R> {
    /// Wraps a reader, with an empty buffer and the [default](DEFAULT_MAX_FRAME_LEN) maximum
    /// frame length.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// let reader = CancelSafeReader::new(&b"data"[..]);
    /// assert!(reader.buffer().is_empty());
    /// ```
    pub fn new(inner: R) -> Self {
        CancelSafeReader {
            inner,
            buf: BytesMut::new(),
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            scanned: None,
        }
    }

    /// Sets the largest frame payload, line or delimited record the reader accepts, in bytes. A
    /// longer one is an [`InvalidData`](io::ErrorKind::InvalidData) error.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A frame announcing 1000 bytes.
    /// let input: &[u8] = &[0, 0, 0x03, 0xe8];
    /// let mut reader = CancelSafeReader::new(input).with_max_frame_len(100);
    /// let error = reader.read_frame().await.unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    /// # }
    /// ```
    pub fn with_max_frame_len(mut self, max_frame_len: usize) -> Self {
        self.max_frame_len = max_frame_len;
        self
    }

    /// The largest frame payload, line or delimited record the reader accepts, in bytes.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::{CancelSafeReader, DEFAULT_MAX_FRAME_LEN};
    ///
    /// let reader = CancelSafeReader::new(&b""[..]);
    /// assert_eq!(reader.max_frame_len(), DEFAULT_MAX_FRAME_LEN);
    /// ```
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The bytes read from the inner reader and not returned yet: the partial item of a dropped
    /// call, or what arrived after the last item.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut reader = CancelSafeReader::new(&b"one\ntwo"[..]);
    /// assert_eq!(reader.read_line().await?.as_deref(), Some("one"));
    /// assert_eq!(reader.buffer(), b"two");
    /// # Ok(())
    /// # }
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// The inner reader.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// let reader = CancelSafeReader::new(&b"data"[..]);
    /// assert_eq!(*reader.get_ref(), b"data");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably. Reading from it directly skips the bytes in
    /// [`buffer`](Self::buffer).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// let mut reader = CancelSafeReader::new(&b"data"[..]);
    /// *reader.get_mut() = &b"other"[..];
    /// assert_eq!(*reader.get_ref(), b"other");
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The inner reader; the bytes in [`buffer`](Self::buffer) are dropped. Use
    /// [`into_parts`](Self::into_parts) to keep them.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// let reader = CancelSafeReader::new(&b"data"[..]);
    /// assert_eq!(reader.into_inner(), b"data");
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The inner reader and the buffered bytes not returned yet.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut reader = CancelSafeReader::new(&b"abcdef"[..]);
    /// reader.read_exact(2).await?;
    /// let (rest, buffered) = reader.into_parts();
    /// assert_eq!(&buffered[..], b"cdef");
    /// assert!(rest.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_parts(self) -> (R, BytesMut) {
        (self.inner, self.buf)
    }
}

impl<R: AsyncRead + Unpin> CancelSafeReader<R> {
    /// Reads exactly `n` bytes.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) if the stream ends first; the bytes read
    /// so far stay in [`buffer`](Self::buffer). Errors of the inner reader.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes it read stay in the reader's
    /// buffer and the next call returns them first. Unlike tokio's `read_exact`, the bytes
    /// are never in a buffer of the caller's that the caller cannot measure.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut reader = CancelSafeReader::new(&b"headerbody"[..]);
    /// assert_eq!(&reader.read_exact(6).await?[..], b"header");
    /// assert_eq!(&reader.read_exact(4).await?[..], b"body");
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn read_exact(&mut self, n: usize) -> io::Result<Bytes> {
        while self.buf.len() < n {
            if self.buf.capacity() < n {
                self.buf.reserve(n - self.buf.len());
            }
            if self.fill().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the stream ended after {} of {n} bytes", self.buf.len()),
                ));
            }
        }
        Ok(self.take(n))
    }

    /// Reads bytes up to and including `delimiter`. At the end of the stream, returns the
    /// bytes after the last delimiter (without one), then `None`.
    ///
    /// # Errors
    ///
    /// [`InvalidData`](io::ErrorKind::InvalidData) if a record is longer than
    /// [`max_frame_len`](Self::max_frame_len) (delimiter not counted): if its delimiter has
    /// arrived, the record is consumed, so the next call reads the next record; if not, the
    /// bytes stay in [`buffer`](Self::buffer) and the stream should be closed. Errors of the
    /// inner reader.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes it read stay in the reader's
    /// buffer and the next call returns them first.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut reader = CancelSafeReader::new(&b"a;bc;d"[..]);
    /// assert_eq!(reader.read_until(b';').await?.as_deref(), Some(&b"a;"[..]));
    /// assert_eq!(reader.read_until(b';').await?.as_deref(), Some(&b"bc;"[..]));
    /// assert_eq!(reader.read_until(b';').await?.as_deref(), Some(&b"d"[..]));
    /// assert_eq!(reader.read_until(b';').await?, None);
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn read_until(&mut self, delimiter: u8) -> io::Result<Option<Bytes>> {
        loop {
            let from = match self.scanned {
                Some((scanned_for, upto)) if scanned_for == delimiter => upto,
                _ => 0,
            };
            if let Some(at) = memchr(delimiter, &self.buf[from..]) {
                let len = from + at;
                let record = self.take(len + 1);
                if len > self.max_frame_len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "a record of {len} bytes is longer than the maximum of {}",
                            self.max_frame_len
                        ),
                    ));
                }
                return Ok(Some(record));
            }
            self.scanned = Some((delimiter, self.buf.len()));
            if self.buf.len() > self.max_frame_len {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "no delimiter in the first {} bytes (the maximum is {})",
                        self.buf.len(),
                        self.max_frame_len
                    ),
                ));
            }
            if self.fill().await? == 0 {
                self.scanned = None;
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let len = self.buf.len();
                return Ok(Some(self.take(len)));
            }
        }
    }

    /// Reads a line, without its `\n` or `\r\n`. At the end of the stream, returns the text after
    /// the last newline (if any), then `None`.
    ///
    /// # Errors
    ///
    /// [`InvalidData`](io::ErrorKind::InvalidData) if the line is not UTF-8 (the line is
    /// consumed, so the next call reads the next line), or if it is longer than
    /// [`max_frame_len`](Self::max_frame_len), as for [`read_until`](Self::read_until).
    /// Errors of the inner reader.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the partial line stays in the reader's
    /// buffer and the next call returns it whole. (tokio's `read_line` appends the partial line
    /// to the caller's `String`, where a retry that clears the string loses it.)
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut reader = CancelSafeReader::new(&b"GET / HTTP/1.1\r\nHost: x\r\n"[..]);
    /// assert_eq!(reader.read_line().await?.as_deref(), Some("GET / HTTP/1.1"));
    /// assert_eq!(reader.read_line().await?.as_deref(), Some("Host: x"));
    /// assert_eq!(reader.read_line().await?, None);
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn read_line(&mut self) -> io::Result<Option<String>> {
        let Some(line) = self.read_until(b'\n').await? else {
            return Ok(None);
        };
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match std::str::from_utf8(line) {
            Ok(text) => Ok(Some(text.to_string())),
            Err(error) => Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        }
    }

    /// Reads a frame: a big-endian `u32` payload length, then the payload. Returns the payload,
    /// or `None` if the stream ends cleanly between frames.
    ///
    /// # Errors
    ///
    /// - [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) if the stream ends inside a frame; the
    ///   partial frame stays in [`buffer`](Self::buffer).
    /// - [`InvalidData`](io::ErrorKind::InvalidData) if the length is above
    ///   [`max_frame_len`](Self::max_frame_len); the prefix stays in the buffer, so every later
    ///   call fails the same way: the stream cannot be resynchronised and should be closed.
    /// - Errors of the inner reader.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the partial frame (prefix included) stays
    /// in the reader's buffer and the next call completes it. Frames are never split or skipped.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let input: &[u8] = &[0, 0, 0, 2, b'h', b'i', 0, 0, 0, 0];
    /// let mut reader = CancelSafeReader::new(input);
    /// assert_eq!(reader.read_frame().await?.as_deref(), Some(&b"hi"[..]));
    /// assert_eq!(reader.read_frame().await?.as_deref(), Some(&b""[..]));
    /// assert_eq!(reader.read_frame().await?, None);
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn read_frame(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            if self.buf.len() >= PREFIX_LEN {
                let mut prefix = [0; PREFIX_LEN];
                prefix.copy_from_slice(&self.buf[..PREFIX_LEN]);
                let len = u32::from_be_bytes(prefix) as usize;
                if len > self.max_frame_len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "a frame of {len} bytes is longer than the maximum of {}",
                            self.max_frame_len
                        ),
                    ));
                }
                if self.buf.len() >= PREFIX_LEN + len {
                    self.buf.advance(PREFIX_LEN);
                    return Ok(Some(self.take(len)));
                }
                self.buf.reserve(PREFIX_LEN + len - self.buf.len());
            }
            if self.fill().await? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the stream ended inside a frame, after {} bytes",
                        self.buf.len()
                    ),
                ));
            }
        }
    }

    /// Reads one item with a tokio-util [`Decoder`]: decodes from the buffer, and reads more
    /// from the inner reader while the decoder needs more. At the end of the stream, the
    /// decoder's [`decode_eof`](Decoder::decode_eof) has the last word (by default: `None` if
    /// the buffer is empty, an error if bytes are left).
    ///
    /// The reader's [`max_frame_len`](Self::max_frame_len) does not apply: a decoder bounds
    /// its items itself (`LinesCodec::new_with_max_length`, `LengthDelimitedCodec`'s
    /// `max_frame_length`); until it decides, the buffer grows.
    ///
    /// Use the same decoder for every call until an item is returned: a decoder may keep part
    /// of an item in itself (`LengthDelimitedCodec` consumes the length prefix and remembers
    /// it). Between items, the other `read_*` methods read on from the same buffer.
    ///
    /// # Errors
    ///
    /// The decoder's errors, and the inner reader's (converted with `From<io::Error>`, as the
    /// `Decoder` trait requires).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes it read stay in the reader's
    /// buffer, and what the decoder took of a partial item stays in the decoder: the next call
    /// with the same decoder completes the item. Decoding is synchronous, so the buffer and the
    /// decoder always agree when the future is dropped (at its one await, a cancel-safe
    /// `read_buf`).
    ///
    /// # Example
    ///
    /// ```
    /// use bytes::Bytes;
    /// use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
    /// use tokio_util::codec::LengthDelimitedCodec;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let (client, server) = tokio::io::duplex(64);
    /// let mut writer = CancelSafeWriter::new(server);
    /// writer.write_all(b"v1\n").await?;
    /// // A length-prefixed frame: `write_frame` and `LengthDelimitedCodec` agree on the format.
    /// writer.write_frame(b"payload").await?;
    /// drop(writer);
    ///
    /// let mut reader = CancelSafeReader::new(client);
    /// assert_eq!(reader.read_line().await?.as_deref(), Some("v1"));
    /// let mut codec = LengthDelimitedCodec::new();
    /// let frame = reader.read_decoded(&mut codec).await?;
    /// assert_eq!(frame.map(|frame| frame.freeze()), Some(Bytes::from("payload")));
    /// assert!(reader.read_decoded(&mut codec).await?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn read_decoded<D: Decoder>(
        &mut self,
        decoder: &mut D,
    ) -> Result<Option<D::Item>, D::Error> {
        loop {
            // The decoder may take bytes from the buffer: a `read_until` scan is stale after it.
            self.scanned = None;
            if let Some(item) = decoder.decode(&mut self.buf)? {
                return Ok(Some(item));
            }
            if self.fill().await? == 0 {
                return decoder.decode_eof(&mut self.buf);
            }
        }
    }

    /// Reads once from the inner reader into the buffer; returns how many bytes came (0 at the
    /// end of the stream). tokio's `read_buf` is cancel safe: either it completes and the
    /// bytes are in `self.buf`, or nothing was read.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 2 {
            self.buf.reserve(READ_CHUNK);
        }
        self.inner.read_buf(&mut self.buf).await
    }

    /// Takes the first `n` buffered bytes.
    fn take(&mut self, n: usize) -> Bytes {
        self.scanned = None;
        self.buf.split_to(n).freeze()
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&byte| byte == needle)
}

impl<R: AsyncRead + Unpin> AsyncRead for CancelSafeReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.buf.is_empty() {
            return Pin::new(&mut this.inner).poll_read(cx, out);
        }
        let n = this.buf.len().min(out.remaining());
        out.put_slice(&this.buf[..n]);
        this.buf.advance(n);
        this.scanned = None;
        Poll::Ready(Ok(()))
    }
}

/// A writer whose `write_all` is cancel safe: the bytes are queued in the writer before the
/// returned future exists, and written from the queue.
///
/// [`write_all`](Self::write_all) and [`write_frame`](Self::write_frame) append their bytes to
/// an internal queue when they are called, not when their future is first polled, then return
/// a future that writes the queue to the inner writer. Whatever happens to that future, the
/// bytes are in the queue: a later `write_all`, [`flush`](Self::flush) or
/// [`shutdown`](Self::shutdown) writes them first, in order. [`pending`](Self::pending) says how
/// many bytes are queued.
///
/// # Cancel safety
///
/// The writing methods are cancel safe: dropping their future loses no byte and duplicates
/// none. What a dropped call leaves is in the queue, and each byte is written exactly once.
/// The one thing a dropped call does not do is finish writing; call
/// [`flush`](Self::flush) (or any writing method) before relying on the bytes being sent, and
/// before dropping the writer: dropping it drops the queue.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::io::CancelSafeWriter;
/// use tokio::io::AsyncReadExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// // A pipe that holds 4 bytes: writing 64 bytes needs the reader to make room.
/// let (client, mut server) = tokio::io::duplex(4);
/// let mut writer = CancelSafeWriter::new(client);
/// let data = [7u8; 64];
/// // The write times out, but its bytes stay queued...
/// let result = tokio::time::timeout(Duration::from_millis(10), writer.write_all(&data)).await;
/// assert!(result.is_err());
/// assert!(writer.pending() > 0);
/// // ...and the next flush sends them once the other side reads.
/// let reading = tokio::spawn(async move {
///     let mut received = Vec::new();
///     server.read_to_end(&mut received).await.map(|_| received)
/// });
/// writer.shutdown().await?;
/// assert_eq!(reading.await.unwrap()?, data);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct CancelSafeWriter<W> {
    inner: W,
    queue: BytesMut,
}

impl<W> CancelSafeWriter<W> {
    /// Wraps a writer, with an empty queue.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// let writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// assert_eq!(writer.pending(), 0);
    /// ```
    pub fn new(inner: W) -> Self {
        CancelSafeWriter {
            inner,
            queue: BytesMut::new(),
        }
    }

    /// How many bytes are queued and not yet written to the inner writer.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.enqueue(b"abc");
    /// assert_eq!(writer.pending(), 3);
    /// ```
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Queues bytes without writing anything: the next writing method writes them first.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.enqueue(b"head ");
    /// writer.write_all(b"tail").await?;
    /// assert_eq!(writer.get_ref(), b"head tail");
    /// # Ok(())
    /// # }
    /// ```
    pub fn enqueue(&mut self, data: &[u8]) {
        self.queue.extend_from_slice(data);
    }

    /// The inner writer.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// let writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// assert!(writer.get_ref().is_empty());
    /// ```
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably. Writing to it directly puts the bytes before the queued ones.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.get_mut().push(1);
    /// assert_eq!(writer.get_ref(), &[1]);
    /// ```
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The inner writer; queued bytes are dropped. Call [`flush`](Self::flush) first, or use
    /// [`into_parts`](Self::into_parts) to keep them.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.write_all(b"done").await?;
    /// assert_eq!(writer.into_inner(), b"done");
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// The inner writer and the bytes still queued.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.enqueue(b"later");
    /// let (inner, queued) = writer.into_parts();
    /// assert!(inner.is_empty());
    /// assert_eq!(&queued[..], b"later");
    /// ```
    pub fn into_parts(self) -> (W, Bytes) {
        (self.inner, self.queue.freeze())
    }
}

impl<W: AsyncWrite + Unpin> CancelSafeWriter<W> {
    /// Queues `data`, then returns a future that writes the queue (the bytes of earlier dropped
    /// calls first) to the inner writer. It does not flush the inner writer.
    ///
    /// The bytes are queued by the call itself, before the future is polled: a future dropped
    /// before its first poll has queued them too.
    ///
    /// # Errors
    ///
    /// Errors of the inner writer; the bytes not written stay queued. A writer that accepts no
    /// more bytes (`Ok(0)`) gives [`WriteZero`](io::ErrorKind::WriteZero).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes not yet written stay queued and
    /// the next writing call writes them first. No byte is lost or written twice.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// drop(writer.write_all(b"never polled, "));
    /// writer.write_all(b"still sent").await?;
    /// assert_eq!(writer.get_ref(), b"never polled, still sent");
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub fn write_all(&mut self, data: &[u8]) -> impl Future<Output = io::Result<()>> + '_ {
        self.enqueue(data);
        poll_fn(move |cx| self.poll_drain(cx))
    }

    /// Queues a frame (a big-endian `u32` length, then `payload`), as
    /// [`CancelSafeReader::read_frame`] reads it, and returns a future that writes the queue,
    /// like [`write_all`](Self::write_all).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) if the payload is longer than
    /// `u32::MAX` bytes (then nothing is queued); errors of the inner writer.
    ///
    /// # Cancel safety
    ///
    /// The frame is queued whole by the call itself; if the future is dropped before it
    /// completes, the rest of the frame stays queued and the next writing call writes it first.
    /// Frames are never split or interleaved.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.write_frame(b"hi").await?;
    /// assert_eq!(writer.get_ref(), &[0, 0, 0, 2, b'h', b'i']);
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub fn write_frame(&mut self, payload: &[u8]) -> impl Future<Output = io::Result<()>> + '_ {
        let too_long = match u32::try_from(payload.len()) {
            Ok(len) => {
                self.queue.reserve(PREFIX_LEN + payload.len());
                self.queue.put_u32(len);
                self.queue.extend_from_slice(payload);
                None
            }
            Err(_) => Some(payload.len()),
        };
        poll_fn(move |cx| match too_long {
            Some(len) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a frame of {len} bytes does not fit a u32 length"),
            ))),
            None => self.poll_drain(cx),
        })
    }

    /// Writes the queued bytes, then flushes the inner writer.
    ///
    /// # Errors
    ///
    /// Errors of the inner writer; the bytes not written stay queued.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes not yet written stay queued. The
    /// inner writer's `poll_flush` keeps its own progress (it is a poll method).
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.enqueue(b"queued");
    /// writer.flush().await?;
    /// assert_eq!((writer.pending(), writer.get_ref().len()), (0, 6));
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub fn flush(&mut self) -> impl Future<Output = io::Result<()>> + '_ {
        poll_fn(move |cx| {
            ready!(self.poll_drain(cx))?;
            Pin::new(&mut self.inner).poll_flush(cx)
        })
    }

    /// Writes the queued bytes, flushes, then shuts the inner writer down (for a socket: closes
    /// the write half, so the peer reads the end of the stream).
    ///
    /// # Errors
    ///
    /// Errors of the inner writer; the bytes not written stay queued.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the bytes not yet written stay queued and
    /// a later call resumes.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::io::CancelSafeWriter;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut writer = CancelSafeWriter::new(Vec::<u8>::new());
    /// writer.enqueue(b"last words");
    /// writer.shutdown().await?;
    /// assert_eq!(writer.get_ref(), b"last words");
    /// # Ok(())
    /// # }
    /// ```
    #[cancel_safe]
    pub fn shutdown(&mut self) -> impl Future<Output = io::Result<()>> + '_ {
        poll_fn(move |cx| {
            ready!(self.poll_drain(cx))?;
            ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
            Pin::new(&mut self.inner).poll_shutdown(cx)
        })
    }

    /// Writes the queue to the inner writer; every accepted byte leaves the queue at once.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.queue.is_empty() {
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.queue))?;
            if written == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "the writer accepted no more bytes",
                )));
            }
            self.queue.advance(written);
        }
        Poll::Ready(Ok(()))
    }
}
