//! The names the model recognises: paths of racing constructs, blocking contexts and spawns, and
//! the method names whose meaning the analysis relies on. One table per question, in one place.
//!
//! Paths are matched after the file's imports are expanded (`use tokio::time::timeout as t;`
//! makes `t(..)` match `tokio::time::timeout`).

pub(crate) const TIMEOUT_FNS: &[&str] = &[
    "tokio::time::timeout",
    "tokio::time::timeout_at",
    "async_std::future::timeout",
    "async_std::io::timeout",
];

pub(crate) const TRY_JOIN_FNS: &[&str] = &[
    "futures::future::try_join",
    "futures::future::try_join3",
    "futures::future::try_join4",
    "futures::future::try_join5",
    "futures::future::try_join_all",
    "futures::try_join",
    "futures::try_join_all",
];

pub(crate) const FUTURE_SELECT_FNS: &[&str] = &[
    "futures::future::select",
    "futures::future::select_all",
    "futures::future::select_ok",
    "futures::select",
    "futures::select_all",
    "futures::select_ok",
    "futures::future::try_select",
];

/// Methods whose presence in a file changes a verdict (the knowledge base's `lost_only_with`);
/// `tests/knowledge.rs` checks that every such name is here.
pub const TRACKED_METHODS: &[&str] = &["notify_waiters"];

/// The last path segments of every function `visit_expr_call` resolves: blocking contexts,
/// `block_on`, timeouts and future selects. Other calls are not resolved at all.
pub(crate) const INTERESTING_CALLS: &[&str] = &[
    "try_join",
    "try_join3",
    "try_join4",
    "try_join5",
    "try_join_all",
    "spawn_blocking",
    "block_in_place",
    "spawn",
    "spawn_scoped",
    "scope",
    "block_on",
    "timeout",
    "timeout_at",
    "select",
    "select_all",
    "select_ok",
    "try_select",
];

/// Functions whose closure argument runs where blocking is allowed.
pub(crate) const BLOCKING_CONTEXT_FNS: &[&str] = &[
    "tokio::task::spawn_blocking",
    "tokio::task::block_in_place",
    "std::thread::spawn",
    "std::thread::scope",
    "async_std::task::spawn_blocking",
];

/// Calls whose closure argument runs on a thread of its own (`std::thread::Builder::spawn`,
/// `crate::loom::thread::spawn`, `scope.spawn`), or where blocking is allowed.
pub(crate) const BLOCKING_CONTEXT_METHODS: &[&str] = &[
    "spawn",
    "spawn_scoped",
    "scope",
    "spawn_blocking",
    "block_in_place",
];

/// Methods whose closure argument runs synchronously, in the caller's context.
pub(crate) const INLINE_CLOSURE_METHODS: &[&str] = &[
    "map",
    "for_each",
    "filter",
    "filter_map",
    "flat_map",
    "and_then",
    "or_else",
    "map_or",
    "map_or_else",
    "unwrap_or_else",
    "fold",
    "try_fold",
    "try_for_each",
    "any",
    "all",
    "find",
    "find_map",
    "inspect",
    "retain",
    "take_while",
    "skip_while",
    "position",
    "sort_by",
    "sort_by_key",
    "then",
    "get_or_insert_with",
];

/// Stream methods that stop at the first error.
pub(crate) const TRY_COLLECTORS: &[&str] =
    &["try_collect", "try_for_each", "try_for_each_concurrent"];

/// Functions that block the thread until a future completes.
pub(crate) const BLOCK_ON_FNS: &[&str] = &[
    "futures::executor::block_on",
    "futures::future::block_on",
    "async_std::task::block_on",
    "smol::block_on",
    "pollster::block_on",
];

/// Types whose `block_on(fut)` method parks the thread (a runtime, its handle), and the crates
/// they come from: another crate's type of the same name is not assumed to block.
pub(crate) const BLOCK_ON_TYPES: &[&str] = &["Runtime", "Handle", "LocalRuntime"];
pub(crate) const BLOCK_ON_TYPE_CRATES: &[&str] = &["tokio", "actix_rt", "monoio"];

/// Functions that spawn a task and return its `JoinHandle`.
pub(crate) const SPAWN_FNS: &[&str] = &[
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_local",
];

/// Methods that add to a collection.
pub(crate) const MUTATORS: &[&str] = &[
    "push",
    "push_str",
    "push_back",
    "push_front",
    "extend",
    "extend_from_slice",
    "put",
    "put_slice",
    "put_u8",
    "append",
    "insert",
];

/// Identifiers that make a macro body worth parsing as code.
pub(crate) const INTERESTING: &[&str] = &[
    "await",
    "async",
    "select",
    "select_biased",
    "timeout",
    "timeout_at",
    "select_all",
    "select_ok",
];

/// Methods that take an item off a shared resource: holding the item across a later await loses
/// it when the future is dropped there.
pub(crate) const CONSUMERS: &[&str] = &[
    "recv",
    "recv_many",
    "next",
    "try_next",
    "accept",
    "recv_from",
    "next_line",
    "next_message",
    "pop",
    "pop_front",
    "pop_back",
];

/// Reads that append to the buffer they are given.
pub(crate) const APPENDING_READS: &[&str] = &[
    "read_buf",
    "read_to_end",
    "read_to_string",
    "read_line",
    "read_until",
    "recv_buf",
];

/// Adapters that wrap a future without changing what is lost when it is dropped.
pub(crate) const ADAPTERS: &[&str] = &[
    "fuse",
    "boxed",
    "boxed_local",
    "map",
    "map_err",
    "map_ok",
    "err_into",
    "ok_into",
    "inspect",
    "inspect_err",
    "inspect_ok",
    "then",
    "and_then",
    "or_else",
    "into_future",
    "instrument",
    "in_current_span",
    "with_current_subscriber",
];

/// Methods that give access to a place without consuming it.
pub(crate) const PLACE_ACCESSORS: &[&str] = &[
    "as_mut",
    "get_mut",
    "by_ref",
    "borrow_mut",
    "deref_mut",
    "as_pin_mut",
];

/// Types that deref to the value they hold: their methods are the held value's.
pub(crate) const DEREF_WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Pin",
    "Cow",
    "Ref",
    "RefMut",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "OwnedMutexGuard",
    "ManuallyDrop",
];

/// Extension traits and core traits whose methods any implementing type has: a knowledge entry
/// owned by one of them applies to a receiver of any type.
pub(crate) const TRAIT_OWNERS: &[&str] = &[
    "Sink",
    "Stream",
    "AsyncRead",
    "AsyncWrite",
    "AsyncBufRead",
    "AsyncSeek",
    "Future",
];

/// Methods that take an item out of a collection or an option, synchronously.
pub(crate) const ITEM_TAKERS: &[&str] = &[
    "pop",
    "pop_front",
    "pop_back",
    "take",
    "remove",
    "swap_remove",
    "pop_first",
    "pop_last",
];

/// Methods that take bytes out of a buffer, leaving the rest.
pub(crate) const BYTE_TAKERS: &[&str] = &["split_to", "split_off", "copy_to_bytes", "split"];

/// Timers a race may lose to.
pub(crate) const TIMER_FNS: &[&str] = &[
    "tokio::time::sleep",
    "tokio::time::sleep_until",
    "tokio::time::delay_for",
    "tokio::time::delay_until",
    "async_std::task::sleep",
    "futures_timer::Delay::new",
];

/// Methods whose future completes once per event of a source that keeps producing them: a
/// channel, a stream, a listener, a timer, a watch. A select branch polling one wins again and
/// again while the loop runs.
pub(crate) const RECURRING_SOURCES: &[&str] = &[
    "recv",
    "recv_many",
    "recv_from",
    "recv_async",
    "recv_direct",
    "receive",
    "next",
    "try_next",
    "select_next_some",
    "tick",
    "accept",
    "changed",
    "notified",
    "listen",
    "read",
    "read_buf",
    "readable",
    "incoming",
];

/// Name prefixes of methods that take the next event of a source (`recv_message`, `next_event`,
/// `read_frame`, `accept_bi`).
pub(crate) const RECURRING_SOURCE_PREFIXES: &[&str] = &[
    "recv_",
    "next_",
    "read_",
    "accept_",
    "receive_",
    "poll_next",
];
