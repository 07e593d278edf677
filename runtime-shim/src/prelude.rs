//! The crate's types and attributes for a glob import, without the attribute `allow` (which
//! would clash with the compiler's `#[allow(..)]`: write it `#[cancel_check::allow(..)]`).
//!
//! # Cancel safety
//!
//! Re-exports only; see each item.
//!
//! # Example
//!
//! ```
//! use cancel_check::prelude::*;
//!
//! #[cancel_safe]
//! async fn ping(outbox: &mut Outbox<&'static str>) -> Result<(), Closed> {
//!     outbox.send("ping").await
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! #[allow(unused_variables)]
//! let (tx, mut rx) = tokio::sync::mpsc::channel(1);
//! ping(&mut Outbox::new(tx)).await.unwrap();
//! assert_eq!(rx.recv().await, Some("ping"));
//! # }
//! ```

pub use crate::group::{GroupError, TaskGroup};
pub use crate::io::{CancelSafeReader, CancelSafeWriter};
pub use crate::outbox::{Closed, Outbox, SinkOutbox};
pub use crate::scope::{CancelReason, CancelScope, CancelToken, Cancelled};
pub use crate::task::{Panic, Task, TaskError};
pub use crate::testing::{check_cancellation, CancelCheck, Outcome, Violation};
pub use cancel_check_macros::{cancel_safe, not_cancel_safe};
