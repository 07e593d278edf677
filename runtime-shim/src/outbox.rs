//! Outboxes: sending that keeps the message until the channel or sink has accepted it.
//!
//! `tokio::sync::mpsc::Sender::send(msg)` moves the message into its future; when that future
//! is dropped (a `select!` branch that lost, a `timeout`), the message is dropped with it. An
//! outbox takes the message into its own queue when `send` is called, then delivers the queue
//! with reserve-then-send: it waits for room in the channel without holding a message, and takes
//! a message out of the queue only in the same step that puts it in the channel. A dropped
//! `send` leaves its message in the outbox, and the next `send` or `flush` delivers it first.
//!
//! - [`Outbox`] sends on a [`tokio::sync::mpsc::Sender`].
//! - [`SinkOutbox`] sends into any [`Sink`] (a `futures` channel, a framed
//!   socket).

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use cancel_check_macros::cancel_safe;
use futures_sink::Sink;
use tokio::sync::mpsc;

/// A sending queue in front of a [`tokio::sync::mpsc::Sender`]: messages wait in the outbox
/// until the channel has room, so a dropped send loses nothing.
///
/// [`send`](Self::send) puts the message at the back of the outbox when it is called (before
/// its future is polled), then delivers the outbox in order. [`push`](Self::push) only queues;
/// [`flush`](Self::flush) only delivers. Messages are delivered in the order they were given.
///
/// # Cancel safety
///
/// [`send`](Self::send) and [`flush`](Self::flush) are cancel safe: if their future is dropped,
/// every message not yet in the channel is still in the outbox, and none is sent twice. Call
/// `flush` before dropping the outbox, or take the rest with
/// [`into_pending`](Self::into_pending).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::outbox::Outbox;
/// use tokio::sync::mpsc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, mut rx) = mpsc::channel(1);
/// let mut outbox = Outbox::new(tx);
/// let mut tick = tokio::time::interval(Duration::from_millis(1));
/// let mut received = Vec::new();
/// for n in 0..3 {
///     tokio::select! {
///         // When the tick wins, `n` waits in the outbox; the next send delivers it first.
///         _ = outbox.send(n) => {}
///         _ = tick.tick() => {}
///     }
///     // Make room in the channel.
///     while let Ok(n) = rx.try_recv() {
///         received.push(n);
///     }
/// }
/// while outbox.pending() > 0 {
///     tokio::select! {
///         _ = outbox.flush() => {}
///         Some(n) = rx.recv() => received.push(n),
///     }
/// }
/// drop(outbox);
/// while let Some(n) = rx.recv().await {
///     received.push(n);
/// }
/// assert_eq!(received, [0, 1, 2]);
/// # }
/// ```
pub struct Outbox<T> {
    sender: mpsc::Sender<T>,
    pending: VecDeque<T>,
}

impl<T> Outbox<T> {
    /// An empty outbox in front of `sender`.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// let (tx, _rx) = tokio::sync::mpsc::channel::<u32>(8);
    /// let outbox = Outbox::new(tx);
    /// assert_eq!(outbox.pending(), 0);
    /// ```
    pub fn new(sender: mpsc::Sender<T>) -> Self {
        Outbox {
            sender,
            pending: VecDeque::new(),
        }
    }

    /// Queues a message without delivering anything; the next [`send`](Self::send) or
    /// [`flush`](Self::flush) delivers it.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.push("a");
    /// outbox.push("b");
    /// outbox.flush().await.unwrap();
    /// assert_eq!((rx.recv().await, rx.recv().await), (Some("a"), Some("b")));
    /// # }
    /// ```
    pub fn push(&mut self, message: T) {
        self.pending.push_back(message);
    }

    /// Puts `message` at the back of the outbox, then returns a future that delivers the
    /// outbox, oldest message first, and completes when `message` is in the channel.
    ///
    /// The message is queued by the call itself, before the future is polled: a future dropped
    /// before its first poll has queued it too.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the receiver is gone; the messages not delivered stay in the outbox.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the messages not yet in the channel
    /// (`message` included) stay in the outbox, in order, and the next `send` or `flush`
    /// delivers them first. A message leaves the outbox only in the step that puts it in the
    /// channel (`reserve`, then `Permit::send`), so none is lost and none is sent twice.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::outbox::Outbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.send(1).await.unwrap();
    /// // The channel is full: the send times out, and 2 waits in the outbox.
    /// let timed_out = tokio::time::timeout(Duration::from_millis(5), outbox.send(2)).await;
    /// assert!(timed_out.is_err());
    /// assert_eq!(outbox.pending(), 1);
    /// assert_eq!(rx.recv().await, Some(1));
    /// outbox.flush().await.unwrap();
    /// assert_eq!(rx.recv().await, Some(2));
    /// # }
    /// ```
    #[cancel_safe]
    pub fn send(&mut self, message: T) -> impl Future<Output = Result<(), Closed>> + '_ {
        self.pending.push_back(message);
        self.flush()
    }

    /// Delivers the outbox, oldest message first; completes when it is empty.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the receiver is gone; the messages not delivered stay in the outbox.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the messages not yet in the channel stay
    /// in the outbox, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.push(1);
    /// outbox.flush().await.unwrap();
    /// assert_eq!(outbox.pending(), 0);
    /// assert_eq!(rx.recv().await, Some(1));
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn flush(&mut self) -> Result<(), Closed> {
        while !self.pending.is_empty() {
            let Ok(permit) = self.sender.reserve().await else {
                return Err(Closed {
                    pending: self.pending.len(),
                });
            };
            if let Some(message) = self.pending.pop_front() {
                permit.send(message);
            }
        }
        Ok(())
    }

    /// How many messages are waiting in the outbox.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// let (tx, _rx) = tokio::sync::mpsc::channel(8);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.push(());
    /// assert_eq!(outbox.pending(), 1);
    /// ```
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The sender.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// let (tx, _rx) = tokio::sync::mpsc::channel::<u8>(8);
    /// let outbox = Outbox::new(tx);
    /// assert!(!outbox.sender().is_closed());
    /// ```
    pub fn sender(&self) -> &mpsc::Sender<T> {
        &self.sender
    }

    /// The messages not delivered, oldest first; the sender is dropped.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = tokio::sync::mpsc::channel(8);
    /// drop(rx);
    /// let mut outbox = Outbox::new(tx);
    /// assert!(outbox.send("lost?").await.is_err());
    /// assert_eq!(outbox.into_pending(), ["lost?"]);
    /// # }
    /// ```
    pub fn into_pending(self) -> Vec<T> {
        self.pending.into()
    }

    /// The sender and the messages not delivered, oldest first.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// let (tx, _rx) = tokio::sync::mpsc::channel(8);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.push('x');
    /// let (_sender, pending) = outbox.into_parts();
    /// assert_eq!(pending, ['x']);
    /// ```
    pub fn into_parts(self) -> (mpsc::Sender<T>, VecDeque<T>) {
        (self.sender, self.pending)
    }
}

impl<T> fmt::Debug for Outbox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field("pending", &self.pending.len())
            .field("closed", &self.sender.is_closed())
            .finish()
    }
}

/// The error of an [`Outbox`] whose channel is closed: the receiver is gone. The messages not
/// delivered are still in the outbox ([`Outbox::into_pending`]).
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::outbox::Outbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, rx) = tokio::sync::mpsc::channel(1);
/// drop(rx);
/// let mut outbox = Outbox::new(tx);
/// let error = outbox.send(1).await.unwrap_err();
/// assert_eq!(error.pending(), 1);
/// assert_eq!(error.to_string(), "the channel is closed; 1 message is still in the outbox");
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed {
    pending: usize,
}

impl Closed {
    /// How many messages were still in the outbox when the closed channel was found.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::Outbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = tokio::sync::mpsc::channel(1);
    /// drop(rx);
    /// let mut outbox = Outbox::new(tx);
    /// outbox.push(1);
    /// assert_eq!(outbox.send(2).await.unwrap_err().pending(), 2);
    /// # }
    /// ```
    pub fn pending(&self) -> usize {
        self.pending
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.pending == 1 { "" } else { "s" };
        let verb = if self.pending == 1 { "is" } else { "are" };
        write!(
            f,
            "the channel is closed; {} message{plural} {verb} still in the outbox",
            self.pending
        )
    }
}

impl std::error::Error for Closed {}

/// A sending queue in front of any [`Sink`]: items wait in the outbox until the sink is ready
/// for them, so a dropped send loses nothing.
///
/// For each item, the outbox waits for `poll_ready`, then takes the item out of its queue and
/// hands it to `start_send` in the same step; after the queue is empty it flushes the sink.
///
/// # Cancel safety
///
/// [`send`](Self::send) and [`flush`](Self::flush) are cancel safe: if their future is dropped,
/// every item the sink has not accepted is still in the outbox, in order, and items the sink
/// accepted are in the sink, to be flushed by the next call. An item that `start_send` fails
/// on is consumed by the sink (as with any sink).
///
/// # Example
///
/// ```
/// use cancel_check::outbox::SinkOutbox;
/// use futures_util::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, mut rx) = futures_channel::mpsc::channel(0);
/// let mut outbox = SinkOutbox::new(tx);
/// let sending = async {
///     for n in 0..3 {
///         outbox.send(n).await.unwrap();
///     }
/// };
/// let receiving = async {
///     let mut received = Vec::new();
///     while received.len() < 3 {
///         received.push(rx.next().await.unwrap());
///     }
///     received
/// };
/// let ((), received) = tokio::join!(sending, receiving);
/// assert_eq!(received, [0, 1, 2]);
/// # }
/// ```
pub struct SinkOutbox<S, T> {
    sink: S,
    pending: VecDeque<T>,
}

impl<S: Sink<T>, T> SinkOutbox<S, T> {
    /// An empty outbox in front of `sink`.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let (tx, _rx) = futures_channel::mpsc::channel::<u8>(4);
    /// let outbox = SinkOutbox::new(tx);
    /// assert_eq!(outbox.pending(), 0);
    /// ```
    pub fn new(sink: S) -> Self {
        SinkOutbox {
            sink,
            pending: VecDeque::new(),
        }
    }
}

impl<S, T> SinkOutbox<S, T> {
    /// Queues an item without sending anything; the next [`send`](Self::send) or
    /// [`flush`](Self::flush) sends it.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let (tx, _rx) = futures_channel::mpsc::channel(4);
    /// let mut outbox = SinkOutbox::new(tx);
    /// outbox.push(1);
    /// assert_eq!(outbox.pending(), 1);
    /// ```
    pub fn push(&mut self, item: T) {
        self.pending.push_back(item);
    }

    /// How many items the sink has not accepted yet.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let (tx, _rx) = futures_channel::mpsc::channel::<()>(4);
    /// let outbox = SinkOutbox::new(tx);
    /// assert_eq!(outbox.pending(), 0);
    /// ```
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The sink.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let outbox = SinkOutbox::new(Vec::<u8>::new());
    /// assert!(outbox.get_ref().is_empty());
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.sink
    }

    /// The sink, mutably.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let mut outbox = SinkOutbox::new(Vec::<u8>::new());
    /// outbox.get_mut().push(1);
    /// assert_eq!(outbox.get_ref(), &[1]);
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// The items the sink has not accepted, oldest first; the sink is dropped.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let (tx, _rx) = futures_channel::mpsc::channel(4);
    /// let mut outbox = SinkOutbox::new(tx);
    /// outbox.push("unsent");
    /// assert_eq!(outbox.into_pending(), ["unsent"]);
    /// ```
    pub fn into_pending(self) -> Vec<T> {
        self.pending.into()
    }

    /// The sink and the items it has not accepted, oldest first.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    ///
    /// let (tx, _rx) = futures_channel::mpsc::channel(4);
    /// let mut outbox = SinkOutbox::new(tx);
    /// outbox.push(3);
    /// let (_sink, pending) = outbox.into_parts();
    /// assert_eq!(pending, [3]);
    /// ```
    pub fn into_parts(self) -> (S, VecDeque<T>) {
        (self.sink, self.pending)
    }
}

impl<S: Sink<T> + Unpin, T> SinkOutbox<S, T> {
    /// Puts `item` at the back of the outbox, then returns a future that sends the outbox,
    /// oldest item first, and flushes the sink.
    ///
    /// The item is queued by the call itself, before the future is polled: a future dropped
    /// before its first poll has queued it too.
    ///
    /// # Errors
    ///
    /// The sink's errors. An error of `poll_ready` or `poll_flush` leaves the items not accepted
    /// in the outbox; an item that `start_send` fails on is consumed by the sink.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the items not accepted by the sink stay in
    /// the outbox, in order; the next `send` or `flush` sends them first and flushes.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    /// use futures_util::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = futures_channel::mpsc::channel(4);
    /// let mut outbox = SinkOutbox::new(tx);
    /// outbox.send("hello").await.unwrap();
    /// assert_eq!(rx.next().await, Some("hello"));
    /// # }
    /// ```
    #[cancel_safe]
    pub fn send(&mut self, item: T) -> impl Future<Output = Result<(), S::Error>> + '_ {
        self.pending.push_back(item);
        self.flush()
    }

    /// Sends the outbox, oldest item first, then flushes the sink.
    ///
    /// # Errors
    ///
    /// The sink's errors, as for [`send`](Self::send).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the items not accepted by the sink stay in
    /// the outbox, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::outbox::SinkOutbox;
    /// use futures_util::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = futures_channel::mpsc::channel(4);
    /// let mut outbox = SinkOutbox::new(tx);
    /// outbox.push(1);
    /// outbox.push(2);
    /// outbox.flush().await.unwrap();
    /// assert_eq!((rx.next().await, rx.next().await), (Some(1), Some(2)));
    /// # }
    /// ```
    #[cancel_safe]
    pub fn flush(&mut self) -> impl Future<Output = Result<(), S::Error>> + '_ {
        poll_fn(move |cx| self.poll_deliver(cx))
    }

    fn poll_deliver(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        while !self.pending.is_empty() {
            ready!(Pin::new(&mut self.sink).poll_ready(cx))?;
            if let Some(item) = self.pending.pop_front() {
                Pin::new(&mut self.sink).start_send(item)?;
            }
        }
        Pin::new(&mut self.sink).poll_flush(cx)
    }
}

impl<S: fmt::Debug, T> fmt::Debug for SinkOutbox<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkOutbox")
            .field("sink", &self.sink)
            .field("pending", &self.pending.len())
            .finish()
    }
}
