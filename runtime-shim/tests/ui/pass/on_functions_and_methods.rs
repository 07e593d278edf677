//! `#[cancel_safe]` and `#[not_cancel_safe]` on every kind of function, leaving it unchanged.

use cancel_check::{cancel_safe, not_cancel_safe};

/// A free async function.
#[cancel_safe]
pub async fn free() -> u8 {
    1
}

/// A function that returns a future.
#[cancel_check::cancel_safe]
pub fn returns_a_future() -> impl std::future::Future<Output = u8> {
    async { 2 }
}

/// Reads.
///
/// # Cancel safety
///
/// The sentence goes first in this section.
#[not_cancel_safe(reason = "the partial read is lost")]
pub async fn documented<T: Default>(value: T) -> T {
    let _ = value;
    T::default()
}

pub struct Conn;

impl Conn {
    #[cancel_safe]
    pub async fn method(&mut self) -> u8 {
        3
    }

    #[not_cancel_safe(reason = "a frame\n    spread over lines.")]
    pub async fn associated() -> u8 {
        4
    }
}

pub trait Source {
    /// Declared without a body.
    #[cancel_safe]
    fn next_item(&mut self) -> impl std::future::Future<Output = u8>;

    /// With a default body.
    #[not_cancel_safe(reason = "it drops what it read")]
    async fn with_default(&mut self) -> u8 {
        5
    }
}

impl Source for Conn {
    #[cancel_safe]
    async fn next_item(&mut self) -> u8 {
        6
    }
}

/// Empty parentheses are no arguments.
#[cancel_safe()]
pub async fn empty_parentheses() {}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let total = runtime.block_on(async {
        let mut conn = Conn;
        free().await
            + returns_a_future().await
            + documented(0u8).await
            + conn.method().await
            + Conn::associated().await
            + conn.with_default().await
            + conn.next_item().await
    });
    assert_eq!(total, 21);
}
