//! A test helper that cancels an operation after every possible number of polls and checks an
//! invariant each time, so you can prove your own code cancel safe.
//!
//! [`check_cancellation`] (or [`CancelCheck::run`] to set the limits) makes attempts
//! k = 0, 1, 2, ...: each attempt builds a fresh state with `setup`, creates the operation's
//! future with `op`, polls it until it has returned `Pending` k times, drops it, and calls
//! `invariant` with the state. The attempts stop at the first one in which the operation
//! completes before being dropped (the invariant is checked on that one too, with the output).
//! The first attempt whose invariant fails is reported: the smallest k that breaks it.
//!
//! Attempt k = 0 drops the future before its first poll. When `op` is an async closure (as it
//! usually is), its body has not started then, so the operation did nothing at all: even an
//! operation whose non-async part has an effect (such as [`Outbox::send`], which queues the
//! message when called) did not run. The invariant can tell with [`Outcome::was_polled`].
//!
//! [`Outbox::send`]: crate::outbox::Outbox::send
//!
//! The future is polled on the real tokio runtime the test runs on. After each `Pending`, the
//! helper waits until the future's waker is called (real I/O, timers, channels), with a
//! timeout so that a future that is never woken fails the check instead of hanging the test.
//! "After k polls" therefore means "after k rounds of waiting for real progress".
//!
//! # State across the attempts
//!
//! `setup` runs once per attempt, so every attempt starts from the same situation: open fresh
//! pipes or sockets there, spawn the peer that writes to them, and return everything the
//! operation and the invariant need. `op` borrows the state (`&mut S`) and returns the
//! operation's future, which may borrow it too, as `reader.read_frame()` borrows the reader.
//! After the future is dropped, `invariant` gets the state back, with the
//! [`Outcome`] of the attempt, and usually finishes the job with fresh calls: for a reader, it
//! reads the rest of the stream and compares it with what was sent. Use async closures
//! (`async |state| ...`) for `op` and `invariant`.
//!
//! # Example
//!
//! ```
//! use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
//! use cancel_check::testing::{check_cancellation, Outcome};
//! use tokio::io::DuplexStream;
//!
//! const FRAMES: [&[u8]; 2] = [b"first", b"second"];
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let report = check_cancellation(
//!     // A fresh pipe per attempt, with a peer that writes the frames a byte at a time.
//!     async || {
//!         let (client, server) = tokio::io::duplex(64);
//!         tokio::spawn(async move {
//!             let mut writer = CancelSafeWriter::new(server);
//!             let mut bytes = Vec::new();
//!             for frame in FRAMES {
//!                 bytes.extend_from_slice(&(frame.len() as u32).to_be_bytes());
//!                 bytes.extend_from_slice(frame);
//!             }
//!             for byte in bytes {
//!                 writer.write_all(&[byte]).await.unwrap();
//!                 tokio::task::yield_now().await;
//!             }
//!         });
//!         CancelSafeReader::new(client)
//!     },
//!     // The operation under test.
//!     async |reader: &mut CancelSafeReader<DuplexStream>| reader.read_frame().await,
//!     // After each attempt: every frame arrives, whole and in order.
//!     async |reader, outcome| {
//!         let mut frames = Vec::new();
//!         if let Outcome::Completed { output, .. } = outcome {
//!             frames.extend(output.map_err(|e| e.to_string())?);
//!         }
//!         while let Some(frame) = reader.read_frame().await.map_err(|e| e.to_string())? {
//!             frames.push(frame);
//!         }
//!         if frames == FRAMES {
//!             Ok(())
//!         } else {
//!             Err(format!("received {frames:?}"))
//!         }
//!     },
//! )
//! .await;
//! let summary = report.unwrap();
//! assert!(summary.polls_to_complete > 0);
//! # }
//! ```
//!
//! # Cancel safety
//!
//! A test helper: it is the one doing the cancelling. Dropping its future drops the current
//! attempt's state and stops the check.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::sync::Notify;

/// How one attempt of a [`CancelCheck`] ended, as given to the invariant.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::testing::Outcome;
///
/// let outcome: Outcome<u8> = Outcome::Cancelled { polls: 2 };
/// assert_eq!(outcome.polls(), 2);
/// assert!(outcome.is_cancelled());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<O> {
    /// The future was dropped after `polls` polls that returned `Pending`.
    Cancelled {
        /// How many polls returned `Pending` before the drop (the attempt's k).
        polls: usize,
    },
    /// The future completed with `output` after `polls` polls that returned `Pending`.
    Completed {
        /// What the operation returned.
        output: O,
        /// How many polls returned `Pending` before the one that completed.
        polls: usize,
    },
}

impl<O> Outcome<O> {
    /// How many polls returned `Pending` in this attempt.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::testing::Outcome;
    ///
    /// assert_eq!(Outcome::Completed { output: (), polls: 3 }.polls(), 3);
    /// ```
    pub fn polls(&self) -> usize {
        match self {
            Outcome::Cancelled { polls } | Outcome::Completed { polls, .. } => *polls,
        }
    }

    /// Whether the future was polled at all. With k = 0 it is dropped before its first poll:
    /// the body of an async closure has not started, so the operation did nothing at all.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::testing::Outcome;
    ///
    /// assert!(!Outcome::<()>::Cancelled { polls: 0 }.was_polled());
    /// assert!(Outcome::<()>::Cancelled { polls: 1 }.was_polled());
    /// assert!(Outcome::Completed { output: (), polls: 0 }.was_polled());
    /// ```
    pub fn was_polled(&self) -> bool {
        !matches!(self, Outcome::Cancelled { polls: 0 })
    }

    /// Whether the future was dropped before completing.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::testing::Outcome;
    ///
    /// assert!(!Outcome::Completed { output: 1, polls: 0 }.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Outcome::Cancelled { .. })
    }
}

/// The result of a check that passed.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::testing::check_cancellation;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let summary = check_cancellation(
///     async || (),
///     async |_: &mut ()| tokio::task::yield_now().await,
///     async |_, _| Ok(()),
/// )
/// .await
/// .unwrap();
/// // Dropped after 0 polls, dropped after 1, completed on the second poll.
/// assert_eq!((summary.attempts, summary.polls_to_complete), (3, 1));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// How many attempts were made: the operation was dropped in all but the last.
    pub attempts: usize,
    /// How many polls returned `Pending` in the last attempt, before the one that completed.
    pub polls_to_complete: usize,
}

/// What went wrong in a [`Violation`].
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::testing::{check_cancellation, ViolationKind};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let violation = check_cancellation(async || (), async |_: &mut ()| (), async |_, _| {
///     Err("always".to_string())
/// })
/// .await
/// .unwrap_err();
/// assert_eq!(violation.kind, ViolationKind::Invariant);
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The invariant returned an error.
    Invariant,
    /// The future returned `Pending` and was not woken within the wake timeout: it would hang.
    Stalled,
    /// The future needed more `Pending` polls than the limit.
    TooManyPolls,
}

/// The report of a check that failed: the smallest k that breaks the invariant, and why.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::testing::{check_cancellation, ViolationKind};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // An operation that should count to 3 or not at all, but updates the count as it goes.
/// let violation = check_cancellation(
///     async || 0u32,
///     async |count: &mut u32| {
///         for _ in 0..3 {
///             tokio::task::yield_now().await;
///             *count += 1;
///         }
///     },
///     async |count, _outcome| match *count {
///         0 | 3 => Ok(()),
///         partial => Err(format!("a dropped call left the count at {partial}")),
///     },
/// )
/// .await
/// .unwrap_err();
/// // Dropped after 0 or 1 poll, nothing was counted; after 2 polls, one step was.
/// assert_eq!(violation.k, 2);
/// assert_eq!(violation.kind, ViolationKind::Invariant);
/// assert_eq!(violation.message, "a dropped call left the count at 1");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The attempt that failed: the future was to be dropped after `k` polls that returned
    /// `Pending`. Every smaller k passed.
    pub k: usize,
    /// What went wrong.
    pub kind: ViolationKind,
    /// The invariant's message, or a description of the stall or the limit.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ViolationKind::Invariant => write!(
                f,
                "the invariant fails when the future is dropped after {} polls: {}",
                self.k, self.message
            ),
            ViolationKind::Stalled | ViolationKind::TooManyPolls => {
                write!(f, "attempt k = {}: {}", self.k, self.message)
            }
        }
    }
}

impl std::error::Error for Violation {}

/// The settings of a cancellation check: how long to wait for a wake-up, and how many polls an
/// attempt may take.
///
/// # Cancel safety
///
/// [`run`](Self::run) is a test helper: dropping its future stops the check.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::testing::CancelCheck;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let summary = CancelCheck::new()
///     .wake_timeout(Duration::from_secs(1))
///     .max_polls(100)
///     .run(
///         async || tokio::sync::mpsc::channel::<u8>(1),
///         async |(tx, _rx)| tx.send(1).await.is_ok(),
///         async |(_tx, rx), outcome| match outcome {
///             // The channel has room: `send` completes on its first poll.
///             cancel_check::testing::Outcome::Completed { output: true, .. } => {
///                 rx.try_recv().map(drop).map_err(|e| e.to_string())
///             }
///             _ => Ok(()),
///         },
///     )
///     .await
///     .unwrap();
/// assert_eq!(summary.attempts, 2);
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CancelCheck {
    wake_timeout: Duration,
    max_polls: usize,
}

impl Default for CancelCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl CancelCheck {
    /// The default settings: a 5 second wake timeout and at most 10 000 polls per attempt.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::testing::CancelCheck;
    ///
    /// let check = CancelCheck::new();
    /// # drop(check);
    /// ```
    pub fn new() -> Self {
        CancelCheck {
            wake_timeout: Duration::from_secs(5),
            max_polls: 10_000,
        }
    }

    /// How long to wait, after a poll returned `Pending`, for the future to be woken before
    /// reporting a stall. Make it longer than any timer the operation legitimately waits for.
    /// The wait runs on tokio's clock: with a paused clock, an idle runtime jumps to the
    /// timeout at once, so use the real clock for operations that wait on I/O.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::testing::CancelCheck;
    ///
    /// let check = CancelCheck::new().wake_timeout(Duration::from_millis(500));
    /// # drop(check);
    /// ```
    pub fn wake_timeout(mut self, timeout: Duration) -> Self {
        self.wake_timeout = timeout;
        self
    }

    /// The most polls returning `Pending` that one attempt may take before the check fails with
    /// [`ViolationKind::TooManyPolls`]. Also bounds the number of attempts.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::testing::CancelCheck;
    ///
    /// let check = CancelCheck::new().max_polls(50);
    /// # drop(check);
    /// ```
    pub fn max_polls(mut self, max_polls: usize) -> Self {
        self.max_polls = max_polls;
        self
    }

    /// Runs the check: attempts k = 0, 1, 2, ..., each with a fresh state from `setup`, the
    /// future of `op` dropped after k polls that returned `Pending`, then `invariant`; until an
    /// attempt completes (checked too). See the [module docs](self).
    ///
    /// # Errors
    ///
    /// A [`Violation`] for the first (smallest) k whose invariant fails, or whose future stalls
    /// or takes too many polls.
    ///
    /// # Panics
    ///
    /// When `setup`, `op` or `invariant` panic; outside a tokio runtime with timers.
    ///
    /// # Cancel safety
    ///
    /// A test helper: dropping its future stops the check.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::outbox::Outbox;
    /// use cancel_check::testing::CancelCheck;
    /// use tokio::sync::mpsc;
    ///
    /// struct State {
    ///     outbox: Outbox<u32>,
    ///     delivered: mpsc::UnboundedReceiver<u32>,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let summary = CancelCheck::new()
    ///     .wake_timeout(Duration::from_secs(2))
    ///     .run(
    ///         async || {
    ///             // A full channel, with a consumer that takes its time.
    ///             let (tx, mut rx) = mpsc::channel(1);
    ///             tx.send(0).await.unwrap();
    ///             let (delivered_tx, delivered) = mpsc::unbounded_channel();
    ///             tokio::spawn(async move {
    ///                 while let Some(n) = rx.recv().await {
    ///                     tokio::task::yield_now().await;
    ///                     delivered_tx.send(n).unwrap();
    ///                 }
    ///             });
    ///             State { outbox: Outbox::new(tx), delivered }
    ///         },
    ///         async |state: &mut State| state.outbox.send(1).await,
    ///         async |state, outcome| {
    ///             // Whether `send` completed or was dropped midway, 1 is delivered exactly
    ///             // once; dropped before its first poll, `send` never ran.
    ///             state.outbox.flush().await.map_err(|e| e.to_string())?;
    ///             state.outbox.send(2).await.map_err(|e| e.to_string())?;
    ///             let expected = if outcome.was_polled() { &[0, 1, 2][..] } else { &[0, 2] };
    ///             let mut received = Vec::new();
    ///             while received.len() < expected.len() {
    ///                 received.push(state.delivered.recv().await.unwrap());
    ///             }
    ///             if received == expected {
    ///                 Ok(())
    ///             } else {
    ///                 Err(format!("received {received:?}"))
    ///             }
    ///         },
    ///     )
    ///     .await
    ///     .unwrap();
    /// assert!(summary.attempts >= 2);
    /// # }
    /// ```
    pub async fn run<S, O>(
        &self,
        mut setup: impl AsyncFnMut() -> S,
        mut op: impl AsyncFnMut(&mut S) -> O,
        mut invariant: impl AsyncFnMut(&mut S, Outcome<O>) -> Result<(), String>,
    ) -> Result<Summary, Violation> {
        for k in 0..=self.max_polls.saturating_add(1) {
            let mut state = setup().await;
            let outcome = self.attempt(k, op(&mut state)).await?;
            let completed = !outcome.is_cancelled();
            let polls = outcome.polls();
            if let Err(message) = invariant(&mut state, outcome).await {
                return Err(Violation {
                    k,
                    kind: ViolationKind::Invariant,
                    message,
                });
            }
            if completed {
                return Ok(Summary {
                    attempts: k + 1,
                    polls_to_complete: polls,
                });
            }
        }
        Err(self.too_many_polls(self.max_polls))
    }

    /// Polls `future` until it completes or has returned `Pending` k times, then drops it.
    async fn attempt<F: Future>(
        &self,
        k: usize,
        future: F,
    ) -> Result<Outcome<F::Output>, Violation> {
        let mut future = pin!(future);
        let signal = Arc::new(Signal::default());
        let waker = Waker::from(signal.clone());
        let mut polls = 0;
        loop {
            if polls == k {
                return Ok(Outcome::Cancelled { polls });
            }
            if polls > self.max_polls {
                return Err(self.too_many_polls(k));
            }
            if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Ok(Outcome::Completed { output, polls });
            }
            polls += 1;
            if polls == k {
                continue;
            }
            if tokio::time::timeout(self.wake_timeout, signal.notify.notified())
                .await
                .is_err()
            {
                return Err(Violation {
                    k,
                    kind: ViolationKind::Stalled,
                    message: format!(
                        "the future returned `Pending` on poll {polls} and was not woken within \
                         {:?}",
                        self.wake_timeout
                    ),
                });
            }
        }
    }

    fn too_many_polls(&self, k: usize) -> Violation {
        Violation {
            k,
            kind: ViolationKind::TooManyPolls,
            message: format!(
                "the future did not complete within {} polls that returned `Pending`",
                self.max_polls
            ),
        }
    }
}

/// Runs a cancellation check with the default [`CancelCheck`] settings. See the
/// [module docs](self) for the attempts, and [`CancelCheck::run`].
///
/// # Errors
///
/// A [`Violation`] for the smallest k whose invariant fails, or whose future stalls or takes too
/// many polls.
///
/// # Cancel safety
///
/// A test helper: dropping its future stops the check.
///
/// # Example
///
/// ```
/// use cancel_check::testing::check_cancellation;
/// use tokio::io::AsyncReadExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // tokio's `read_exact` into a local buffer is not cancel safe: the check finds it.
/// let violation = check_cancellation(
///     async || {
///         let (client, mut server) = tokio::io::duplex(16);
///         tokio::spawn(async move {
///             use tokio::io::AsyncWriteExt;
///             for byte in *b"abcd" {
///                 server.write_all(&[byte]).await.unwrap();
///                 tokio::task::yield_now().await;
///             }
///         });
///         client
///     },
///     async |client: &mut tokio::io::DuplexStream| {
///         let mut word = [0; 4];
///         client.read_exact(&mut word).await.map(|_| word)
///     },
///     async |client, outcome| {
///         let mut rest = Vec::new();
///         client.read_to_end(&mut rest).await.map_err(|e| e.to_string())?;
///         let mut received = match outcome {
///             cancel_check::testing::Outcome::Completed { output, .. } => {
///                 output.map_err(|e| e.to_string())?.to_vec()
///             }
///             _ => Vec::new(),
///         };
///         received.extend(rest);
///         if received == b"abcd" {
///             Ok(())
///         } else {
///             Err(format!("lost bytes: received {:?}", String::from_utf8_lossy(&received)))
///         }
///     },
/// )
/// .await
/// .unwrap_err();
/// assert!(violation.k >= 1);
/// # }
/// ```
pub async fn check_cancellation<S, O>(
    setup: impl AsyncFnMut() -> S,
    op: impl AsyncFnMut(&mut S) -> O,
    invariant: impl AsyncFnMut(&mut S, Outcome<O>) -> Result<(), String>,
) -> Result<Summary, Violation> {
    CancelCheck::new().run(setup, op, invariant).await
}

/// The waker of the polled future: records that it was woken.
#[derive(Default)]
struct Signal {
    notify: Notify,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.notify.notify_one();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.notify.notify_one();
    }
}
