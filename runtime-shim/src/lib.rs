//! Cancel-safe building blocks for async Rust on tokio, from the `cancel-check` project.
//!
//! Async Rust cancels a future by dropping it at an `.await`: `select!` drops the branches that
//! lost, `timeout` drops the future when time runs out, aborting a task drops all of it. Code
//! that keeps its progress in the future loses that progress: a half-read frame, a message that
//! was moved into `send`. `cargo cancel-check` finds such code; this crate gives the pieces to fix
//! it with.
//!
//! | module | what | cancel safe because |
//! |---|---|---|
//! | [`io`] | [`CancelSafeReader`](io::CancelSafeReader), [`CancelSafeWriter`](io::CancelSafeWriter) | partial reads and unwritten bytes stay in the reader or writer |
//! | [`outbox`] | [`Outbox`](outbox::Outbox), [`SinkOutbox`](outbox::SinkOutbox) | a message stays in the outbox until the channel accepts it |
//! | [`scope`] | [`CancelScope`](scope::CancelScope), [`CancelToken`](scope::CancelToken) | cancellation is requested, observed, reported and acknowledged |
//! | [`task`] | [`Task`](task::Task) | eager tasks that abort on drop, with continuations |
//! | [`group`] | [`TaskGroup`](group::TaskGroup), [`scope`](group::scope()) | siblings cancelled on the first error, all waited for |
//! | [`testing`] | [`check_cancellation`](testing::check_cancellation) | drops your future after every possible number of polls |
//!
//! The attributes [`cancel_safe`], [`not_cancel_safe`] and [`allow`](macro@allow) document
//! cancel safety in the source, where `cargo cancel-check` reads it.
//!
//! # Cancel safety
//!
//! Every public function and method documents its cancel safety in a `# Cancel safety` section,
//! and the ones that return futures carry `#[cancel_safe]` or say under which condition they are
//! cancel safe. "Cancel safe" means: if the future is dropped before it completes, nothing is
//! lost (no data read, message or byte written disappears, none is duplicated), and calling
//! the method again resumes the work.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use cancel_check::io::{CancelSafeReader, CancelSafeWriter};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let (client, server) = tokio::io::duplex(8);
//! let mut reader = CancelSafeReader::new(client);
//! let mut writer = CancelSafeWriter::new(server);
//! let mut tick = tokio::time::interval(Duration::from_millis(1));
//! // Queues the frame (the call itself does); the loop below writes it out.
//! drop(writer.write_frame(b"a frame longer than the pipe"));
//! loop {
//!     tokio::select! {
//!         // All branches are cancel safe: whichever loses keeps its progress.
//!         frame = reader.read_frame() => {
//!             assert_eq!(frame?.as_deref(), Some(&b"a frame longer than the pipe"[..]));
//!             break;
//!         }
//!         written = writer.flush(), if writer.pending() > 0 => written?,
//!         _ = tick.tick() => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Importing
//!
//! `use cancel_check::*` brings the attribute `allow` into scope, where it clashes with the
//! compiler's `#[allow(..)]` (an "`allow` is ambiguous" error). Import [`prelude`]`::*` instead,
//! and write the attribute with its path: `#[cancel_check::allow(..)]`.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod group;
pub mod io;
pub mod outbox;
pub mod prelude;
pub mod scope;
pub mod task;
pub mod testing;

// The attribute `allow` makes the name `allow` ambiguous in this module: nothing here may
// expand to an `#[allow(..)]` (derives do), so everything else lives in the modules above.
pub use cancel_check_macros::{allow, cancel_safe, not_cancel_safe};
