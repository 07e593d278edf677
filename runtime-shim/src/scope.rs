// Length: scopes, tokens and the tokio-util conversions with their docs, examples and
// cancellation tests; most lines are documentation that users read on docs.rs.
//! Cancellation with acknowledgement: cancel scopes and the tokens their work holds.
//!
//! A [`CancelScope`] is the canceller's side; a [`CancelToken`] is the work's side. Cancellation
//! goes through three steps:
//!
//! 1. **Request**: [`CancelScope::cancel`], a deadline elapsing
//!    ([`CancelScope::with_timeout`]), or an enclosing scope being cancelled.
//! 2. **Observe**: the work sees it at its await points, cooperatively
//!    ([`CancelToken::cancelled`], [`CancelToken::is_cancelled`], [`CancelToken::check`]) or by
//!    being dropped: [`CancelScope::run`] races the work against cancellation and drops it.
//! 3. **Report and acknowledge**: `run` returns `Err(`[`Cancelled`]`)` saying why, and the
//!    canceller can wait until the work has actually stopped
//!    ([`CancelScope::cancel_and_wait`]): until every token of the scope (and of its child
//!    scopes) is dropped and every `run` has returned.
//!
//! Scopes nest: [`CancelScope::child`] makes a scope that is cancelled with its parent, while
//! cancelling the child leaves the parent alone. A [`shielded_child`](CancelScope::shielded_child)
//! is not cancelled with its parent, for cleanup that must finish.
//!
//! # Compared with `CancellationToken` and Trio
//!
//! tokio-util's `CancellationToken` covers step 1 and the cooperative half of step 2: any clone
//! can cancel, `cancelled().await` observes, child tokens nest. It does not report why the work
//! stopped (there is one reason: someone called `cancel`), has no deadlines (combine it with
//! `timeout` yourself) and cannot tell the canceller when the work has stopped: after `cancel()`
//! the work may still be running its cleanup, holding a file or a port. Here the scope reports
//! through `Result<T, Cancelled>` with a [`CancelReason`], deadlines are part of the scope, and
//! [`cancel_and_wait`](CancelScope::cancel_and_wait) waits for the acknowledgement. Only the
//! scope can cancel; tokens observe, as in C#, where `CancellationTokenSource` cancels and
//! `CancellationToken` observes.
//!
//! The two meet in both directions. [`CancelScope::from_cancellation_token`] makes a scope that
//! a `CancellationToken` cancels (a shutdown token from elsewhere, under scopes that report and
//! acknowledge); [`CancelScope::cancellation_token`] and [`CancelToken::cancellation_token`]
//! give a `CancellationToken` that the scope cancels (for APIs that take one). Each carries
//! cancellation one way only, and neither needs a task, except for a scope's own deadline.
//!
//! Trio's cancel scopes are the model for deadlines, nesting and shielding. A Trio scope is
//! bound to a `with` block, and its `cancelled_caught` reports whether the block was cancelled;
//! here a scope is a value that can be passed around and outlive a block, `run` gives the same
//! report as a `Result`, and the end of a `with` block (which waits for the work inside) is
//! [`stopped`](CancelScope::stopped).

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::Poll;
use std::time::Duration;

use cancel_check_macros::cancel_safe;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Why work was cancelled.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::scope::{CancelReason, CancelScope};
///
/// let scope = CancelScope::new();
/// scope.cancel();
/// assert_eq!(scope.check().unwrap_err().reason(), CancelReason::Requested);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancelReason {
    /// [`CancelScope::cancel`] was called on this scope.
    Requested,
    /// This scope's deadline elapsed.
    DeadlineElapsed,
    /// An enclosing scope was cancelled; [`Cancelled::origin`] says why.
    ParentCancelled,
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CancelReason::Requested => "cancellation was requested",
            CancelReason::DeadlineElapsed => "the deadline elapsed",
            CancelReason::ParentCancelled => "an enclosing scope was cancelled",
        })
    }
}

/// The report of cancelled work: the error of [`CancelScope::run`] and [`CancelToken::check`].
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::scope::{CancelReason, CancelScope};
///
/// let outer = CancelScope::new();
/// let inner = outer.child();
/// outer.cancel();
/// let cancelled = inner.check().unwrap_err();
/// assert_eq!(cancelled.reason(), CancelReason::ParentCancelled);
/// assert_eq!(cancelled.origin(), CancelReason::Requested);
/// assert_eq!(
///     cancelled.to_string(),
///     "cancelled: an enclosing scope was cancelled (cancellation was requested)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cancelled {
    reason: CancelReason,
    origin: CancelReason,
}

impl Cancelled {
    /// Why this scope was cancelled.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::{CancelReason, CancelScope};
    ///
    /// let scope = CancelScope::new();
    /// scope.cancel();
    /// assert_eq!(scope.check().unwrap_err().reason(), CancelReason::Requested);
    /// ```
    pub fn reason(&self) -> CancelReason {
        self.reason
    }

    /// Why the cancellation started, in this scope or the enclosing scope it came from: never
    /// [`ParentCancelled`](CancelReason::ParentCancelled).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::{CancelReason, CancelScope};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outer = CancelScope::with_timeout(Duration::from_millis(1));
    /// let inner = outer.child();
    /// let cancelled = inner.cancelled().await;
    /// assert_eq!(cancelled.reason(), CancelReason::ParentCancelled);
    /// assert_eq!(cancelled.origin(), CancelReason::DeadlineElapsed);
    /// # }
    /// ```
    pub fn origin(&self) -> CancelReason {
        self.origin
    }

    fn new(reason: CancelReason) -> Self {
        Cancelled {
            reason,
            origin: reason,
        }
    }

    fn inherited(self) -> Self {
        Cancelled {
            reason: CancelReason::ParentCancelled,
            origin: self.origin,
        }
    }
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason == self.origin {
            write!(f, "cancelled: {}", self.reason)
        } else {
            write!(f, "cancelled: {} ({})", self.reason, self.origin)
        }
    }
}

impl std::error::Error for Cancelled {}

/// One scope in the tree. Scopes and tokens share it.
struct Node {
    parent: Option<Arc<Node>>,
    /// Not cancelled with its parent, and its parent's deadline does not apply.
    shielded: bool,
    /// This scope's own deadline.
    deadline: Option<Instant>,
    /// The earliest deadline of this scope and its ancestors up to a shield: when it passes,
    /// some scope on that path has to be cancelled.
    effective_deadline: Option<Instant>,
    cancelled: watch::Sender<Option<Cancelled>>,
    /// Work in this scope and its descendants: live tokens and running `run` calls.
    live: watch::Sender<usize>,
    children: Mutex<Vec<Weak<Node>>>,
    /// The tokio-util token whose cancellation cancels the outermost scope up to a shield
    /// ([`CancelScope::from_cancellation_token`]); every scope on that path holds a clone, to
    /// notice it.
    external: Option<CancellationToken>,
    /// The tokio-util token cancelled with this scope, made on the first
    /// [`CancelScope::cancellation_token`]: a child of the parent's (or of `external`), so that
    /// tokio-util carries a cancellation down the tree at once, with no task.
    linked: Mutex<Option<CancellationToken>>,
}

impl Node {
    fn new(parent: Option<&Arc<Node>>, deadline: Option<Instant>, shielded: bool) -> Arc<Node> {
        let external = match parent {
            Some(parent) if !shielded => parent.external.clone(),
            _ => None,
        };
        Node::with_external(parent, deadline, shielded, external)
    }

    fn with_external(
        parent: Option<&Arc<Node>>,
        deadline: Option<Instant>,
        shielded: bool,
        external: Option<CancellationToken>,
    ) -> Arc<Node> {
        let inherited = match parent {
            Some(parent) if !shielded => parent.effective_deadline,
            _ => None,
        };
        let effective_deadline = match (deadline, inherited) {
            (Some(own), Some(inherited)) => Some(own.min(inherited)),
            (own, inherited) => own.or(inherited),
        };
        let node = Arc::new(Node {
            parent: parent.cloned(),
            shielded,
            deadline,
            effective_deadline,
            cancelled: watch::Sender::new(None),
            live: watch::Sender::new(0),
            children: Mutex::new(Vec::new()),
            external,
            linked: Mutex::new(None),
        });
        if let (Some(parent), false) = (parent, shielded) {
            let mut children = lock(&parent.children);
            children.retain(|child| child.strong_count() > 0);
            children.push(Arc::downgrade(&node));
            drop(children);
            // A parent cancelled before the push did not see this child.
            if let Some(cancelled) = *parent.cancelled.borrow() {
                node.cancel(cancelled.inherited());
            }
        }
        node
    }

    /// The earliest deadline of this scope and its ancestors up to a shield.
    fn deadline_in_force(&self) -> Option<Instant> {
        self.effective_deadline
    }

    /// Cancels this scope and, with `ParentCancelled`, its descendants. The first reason wins.
    fn cancel(&self, cancelled: Cancelled) {
        let newly = self.cancelled.send_if_modified(|state| {
            if state.is_some() {
                return false;
            }
            *state = Some(cancelled);
            true
        });
        if !newly {
            return;
        }
        // The linked token is read after the state is set, and `linked_token` sets the token
        // before it reads the state: whichever comes second sees the other.
        let linked = lock(&self.linked).clone();
        if let Some(linked) = linked {
            linked.cancel();
        }
        let children: Vec<Arc<Node>> = lock(&self.children)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for child in children {
            child.cancel(cancelled.inherited());
        }
    }

    /// Whether the scope is cancelled, noticing an elapsed deadline.
    fn state(&self) -> Option<Cancelled> {
        if let Some(cancelled) = *self.cancelled.borrow() {
            return Some(cancelled);
        }
        if self
            .effective_deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            self.cancel_elapsed();
        }
        if self
            .external
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            self.outermost()
                .cancel(Cancelled::new(CancelReason::Requested));
        }
        *self.cancelled.borrow()
    }

    /// The root, or the nearest shielded scope: where a cancellation that reaches this scope
    /// from above starts.
    fn outermost(&self) -> &Node {
        let mut node = self;
        while let (false, Some(parent)) = (node.shielded, node.parent.as_deref()) {
            node = parent;
        }
        node
    }

    /// Cancels the outermost scope, from the root (or the nearest shield) down to this one,
    /// whose deadline has elapsed.
    fn cancel_elapsed(&self) {
        let now = Instant::now();
        let mut path: Vec<&Node> = vec![self];
        let mut node = self;
        while let (false, Some(parent)) = (node.shielded, node.parent.as_deref()) {
            path.push(parent);
            node = parent;
        }
        if let Some(elapsed) = path
            .iter()
            .rev()
            .find(|node| node.deadline.is_some_and(|deadline| now >= deadline))
        {
            elapsed.cancel(Cancelled::new(CancelReason::DeadlineElapsed));
        }
    }

    async fn cancelled(&self) -> Cancelled {
        let mut changes = self.cancelled.subscribe();
        loop {
            if let Some(cancelled) = self.state() {
                return cancelled;
            }
            // Wake on a change of the state (the sender lives in `self`, so `changed` never
            // fails), the deadline, or the external token; then look again.
            let mut changed = pin!(changes.changed());
            let mut sleep = pin!(self.effective_deadline.map(tokio::time::sleep_until));
            let mut external = pin!(self.external.as_ref().map(CancellationToken::cancelled));
            poll_fn(|cx| {
                let woken = changed.as_mut().poll(cx).is_ready()
                    || sleep
                        .as_mut()
                        .as_pin_mut()
                        .is_some_and(|sleep| sleep.poll(cx).is_ready())
                    || external
                        .as_mut()
                        .as_pin_mut()
                        .is_some_and(|external| external.poll(cx).is_ready());
                if woken {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
        }
    }

    /// The tokio-util token that is cancelled with this scope, made on first use; callers hand
    /// out children of it, so that cancelling one cancels nothing else.
    fn linked_token(self: &Arc<Self>) -> CancellationToken {
        let existing = lock(&self.linked).clone();
        let token = match existing {
            Some(token) => token,
            None => {
                // The deadline task needs a runtime: fail before anything is stored.
                let runtime = self.deadline.map(|_| {
                    tokio::runtime::Handle::try_current().unwrap_or_else(|_| {
                        panic!(
                            "`cancellation_token` of a scope with a deadline must be called \
                             within a tokio runtime: a task cancels the token at the deadline"
                        )
                    })
                });
                // Made without holding the lock: asking the parent may cancel this scope (an
                // elapsed deadline), and cancelling takes the lock.
                let made = match (self.parent.as_ref(), self.shielded, &self.external) {
                    (Some(parent), false, _) => parent.linked_token().child_token(),
                    (_, _, Some(external)) => external.child_token(),
                    _ => CancellationToken::new(),
                };
                let mut linked = lock(&self.linked);
                match &*linked {
                    Some(token) => token.clone(), // made at the same time on another thread
                    None => {
                        *linked = Some(made.clone());
                        drop(linked);
                        if let (Some(runtime), Some(deadline)) = (runtime, self.deadline) {
                            watch_deadline(&runtime, Arc::downgrade(self), made.clone(), deadline);
                        }
                        made
                    }
                }
            }
        };
        // Set before the state is read, while `cancel` sets the state before it reads the
        // token: whichever comes second sees the other.
        if self.state().is_some() {
            token.cancel();
        }
        token
    }

    fn enter(self: &Arc<Self>) -> Work {
        let mut node = Some(self);
        while let Some(current) = node {
            current.live.send_modify(|live| *live += 1);
            node = current.parent.as_ref();
        }
        Work { node: self.clone() }
    }

    async fn stopped(&self) {
        let mut live = self.live.subscribe();
        // The sender lives in `self`: `wait_for` never fails here.
        let _ = live.wait_for(|live| *live == 0).await;
    }
}

/// Cancels `linked` when a scope's own deadline passes: a task on `runtime`, which ends at the
/// deadline or as soon as the scope is cancelled, whichever comes first. It holds the scope
/// weakly: if nothing else holds it by then, it cancels the token directly.
fn watch_deadline(
    runtime: &tokio::runtime::Handle,
    node: Weak<Node>,
    linked: CancellationToken,
    deadline: Instant,
) {
    runtime.spawn(async move {
        if tokio::time::timeout_at(deadline, linked.cancelled())
            .await
            .is_ok()
        {
            return; // cancelled before the deadline
        }
        match node.upgrade() {
            // Noticing the deadline cancels the outermost elapsed scope, and so `linked`.
            Some(node) => drop(node.state()),
            None => linked.cancel(),
        }
    });
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Running work registered in a scope (and its ancestors) until dropped.
struct Work {
    node: Arc<Node>,
}

impl Drop for Work {
    fn drop(&mut self) {
        let mut node = Some(&self.node);
        while let Some(current) = node {
            current.live.send_modify(|live| *live -= 1);
            node = current.parent.as_ref();
        }
    }
}

/// Runs `work` until it completes or `node` is cancelled, registered as live work meanwhile.
async fn run_in<F: Future>(node: &Arc<Node>, work: F) -> Result<F::Output, Cancelled> {
    let _work = node.enter();
    if let Some(cancelled) = node.state() {
        return Err(cancelled);
    }
    let mut work = pin!(work);
    let mut cancelled = pin!(node.cancelled());
    poll_fn(|cx| {
        // The work first: a result that is ready is returned, even if cancellation came too.
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        cancelled.as_mut().poll(cx).map(Err)
    })
    .await
    // `work` is dropped here, before `_work`: when the acknowledgement comes, the work's
    // destructors have run.
}

/// The canceller's side of cancellation: a scope that work runs in, with an optional deadline.
///
/// Create tokens for the work with [`token`](Self::token) or run it with [`run`](Self::run);
/// cancel with [`cancel`](Self::cancel); wait for the work to stop with
/// [`cancel_and_wait`](Self::cancel_and_wait) or [`stopped`](Self::stopped). Dropping a scope
/// does not cancel its work: tokens keep observing it, and enclosing scopes and deadlines still
/// apply.
///
/// # Cancel safety
///
/// The waiting methods ([`cancelled`](Self::cancelled), [`stopped`](Self::stopped),
/// [`cancel_and_wait`](Self::cancel_and_wait)) are cancel safe: they only wait. [`run`] is as
/// cancel safe as the work it runs.
///
/// [`run`]: Self::run
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::scope::{CancelReason, CancelScope};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = CancelScope::new();
/// let token = scope.token();
/// let worker = tokio::spawn(async move {
///     let mut ticks = 0;
///     loop {
///         tokio::select! {
///             _ = token.cancelled() => break,
///             _ = tokio::time::sleep(Duration::from_millis(1)) => ticks += 1,
///         }
///     }
///     // Cleanup happens here, before the token is dropped.
///     ticks
/// });
/// tokio::time::sleep(Duration::from_millis(5)).await;
/// // Returns once the worker has dropped its token.
/// scope.cancel_and_wait().await;
/// assert_eq!(scope.running(), 0);
/// let _ticks: u32 = worker.await.unwrap();
///
/// let report = scope.run(async { "never runs" }).await;
/// assert_eq!(report.unwrap_err().reason(), CancelReason::Requested);
/// # }
/// ```
pub struct CancelScope {
    node: Arc<Node>,
}

impl CancelScope {
    /// A new scope, not inside any other, without a deadline.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// assert!(!scope.is_cancelled());
    /// ```
    pub fn new() -> Self {
        CancelScope {
            node: Node::new(None, None, false),
        }
    }

    /// A new scope that is cancelled at `deadline` (reason
    /// [`DeadlineElapsed`](CancelReason::DeadlineElapsed)). The deadline is on tokio's clock,
    /// which tests may pause and advance.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::{CancelReason, CancelScope};
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::with_deadline(Instant::now() + Duration::from_millis(1));
    /// let slow = scope.run(tokio::time::sleep(Duration::from_secs(60))).await;
    /// assert_eq!(slow.unwrap_err().reason(), CancelReason::DeadlineElapsed);
    /// # }
    /// ```
    pub fn with_deadline(deadline: Instant) -> Self {
        CancelScope {
            node: Node::new(None, Some(deadline), false),
        }
    }

    /// A new scope that is cancelled `timeout` from now.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::with_timeout(Duration::from_secs(5));
    /// assert_eq!(scope.run(async { 1 + 1 }).await, Ok(2));
    /// # }
    /// ```
    pub fn with_timeout(timeout: Duration) -> Self {
        Self::with_deadline(Instant::now() + timeout)
    }

    /// A scope inside this one: cancelled when this one is (reason
    /// [`ParentCancelled`](CancelReason::ParentCancelled)), subject to this one's deadline, and
    /// counted as this one's work. Cancelling the child leaves this scope alone.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let outer = CancelScope::new();
    /// let inner = outer.child();
    /// inner.cancel();
    /// assert!(!outer.is_cancelled());
    /// outer.cancel();
    /// assert!(outer.child().is_cancelled());
    /// ```
    pub fn child(&self) -> CancelScope {
        CancelScope {
            node: Node::new(Some(&self.node), None, false),
        }
    }

    /// A child scope with its own deadline too (the earlier of the two applies).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::{CancelReason, CancelScope};
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let request = CancelScope::with_timeout(Duration::from_secs(30));
    /// let attempt = request.child_with_deadline(Instant::now() + Duration::from_millis(1));
    /// let cancelled = attempt.cancelled().await;
    /// assert_eq!(cancelled.reason(), CancelReason::DeadlineElapsed);
    /// assert!(!request.is_cancelled());
    /// # }
    /// ```
    pub fn child_with_deadline(&self, deadline: Instant) -> CancelScope {
        CancelScope {
            node: Node::new(Some(&self.node), Some(deadline), false),
        }
    }

    /// A child scope that is also cancelled `timeout` from now.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let request = CancelScope::new();
    /// let attempt = request.child_with_timeout(Duration::from_millis(1));
    /// assert!(attempt.run(std::future::pending::<()>()).await.is_err());
    /// assert!(!request.is_cancelled());
    /// # }
    /// ```
    pub fn child_with_timeout(&self, timeout: Duration) -> CancelScope {
        self.child_with_deadline(Instant::now() + timeout)
    }

    /// A child scope shielded from this one: neither this scope's cancellation nor its deadline
    /// reaches it. It can still be cancelled itself, and its work still counts as this scope's
    /// work, so [`stopped`](Self::stopped) waits for it: use it for cleanup that must finish.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let outer = CancelScope::new();
    /// let cleanup = outer.shielded_child();
    /// outer.cancel();
    /// assert!(!cleanup.is_cancelled());
    /// ```
    pub fn shielded_child(&self) -> CancelScope {
        CancelScope {
            node: Node::new(Some(&self.node), None, true),
        }
    }

    /// A token for work in this scope. The work observes cancellation through it, and holds it
    /// until it has stopped: the scope counts live tokens as running work.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// assert_eq!(scope.running(), 1);
    /// drop(token);
    /// assert_eq!(scope.running(), 0);
    /// ```
    pub fn token(&self) -> CancelToken {
        CancelToken {
            work: self.node.enter(),
        }
    }

    /// Requests cancellation of this scope and every scope inside it (except shielded ones).
    /// Only the first request counts; it does not wait for anything.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// scope.cancel();
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.node.cancel(Cancelled::new(CancelReason::Requested));
    }

    /// Whether the scope is cancelled (its deadline counts as soon as it has passed).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// assert!(!scope.is_cancelled());
    /// scope.cancel();
    /// assert!(scope.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.state().is_some()
    }

    /// `Err` with the report if the scope is cancelled.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// assert!(scope.check().is_ok());
    /// scope.cancel();
    /// assert!(scope.check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Cancelled> {
        self.node.state().map_or(Ok(()), Err)
    }

    /// The scope's own deadline, if it has one (an enclosing scope's deadline may come first).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(CancelScope::new().deadline().is_none());
    /// assert!(CancelScope::with_timeout(Duration::from_secs(1)).deadline().is_some());
    /// # }
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.node.deadline
    }

    /// How much work is running in this scope and the scopes inside it: live tokens plus
    /// running [`run`](Self::run) calls.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let outer = CancelScope::new();
    /// let _token = outer.child().token();
    /// assert_eq!(outer.running(), 1);
    /// ```
    pub fn running(&self) -> usize {
        *self.node.live.borrow()
    }

    /// Waits until the scope is cancelled, and says why.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: it only waits.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::{CancelReason, CancelScope};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// scope.cancel();
    /// assert_eq!(scope.cancelled().await.reason(), CancelReason::Requested);
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn cancelled(&self) -> Cancelled {
        self.node.cancelled().await
    }

    /// Runs `work` until it completes or the scope is cancelled; on cancellation, drops `work`
    /// and returns the report. If the scope is already cancelled, `work` is not polled.
    ///
    /// When `work` completes in the same poll as the cancellation arrives, its output is
    /// returned: a finished result is never thrown away. The call counts as running work
    /// until it returns, and it returns only after `work` is dropped, so
    /// [`stopped`](Self::stopped) implies that `work`'s destructors have run.
    ///
    /// # Errors
    ///
    /// [`Cancelled`], saying why, if the scope was cancelled before `work` completed.
    ///
    /// # Cancel safety
    ///
    /// This method is only cancel safe if `work` is: dropping the returned future drops `work`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// assert_eq!(scope.run(async { 42 }).await, Ok(42));
    ///
    /// let cancel_soon = async {
    ///     tokio::time::sleep(Duration::from_millis(1)).await;
    ///     scope.cancel();
    /// };
    /// let (report, ()) = tokio::join!(scope.run(std::future::pending::<()>()), cancel_soon);
    /// assert!(report.is_err());
    /// # }
    /// ```
    pub async fn run<F: Future>(&self, work: F) -> Result<F::Output, Cancelled> {
        run_in(&self.node, work).await
    }

    /// Waits until no work runs in the scope or the scopes inside it: every token dropped,
    /// every [`run`](Self::run) returned. It does not cancel anything.
    ///
    /// Work that holds a token of this scope (or runs in it) while waiting here waits for
    /// itself, forever.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: it only waits.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// let worker = tokio::spawn(async move {
    ///     tokio::task::yield_now().await;
    ///     drop(token);
    /// });
    /// scope.stopped().await;
    /// assert_eq!(scope.running(), 0);
    /// # worker.await.unwrap();
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn stopped(&self) {
        self.node.stopped().await;
    }

    /// Cancels the scope, then waits until its work has stopped: the acknowledgement.
    ///
    /// Work that holds a token of this scope (or runs in it) while waiting here waits for
    /// itself, forever.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: the cancellation is requested when the future is first
    /// polled, and the rest only waits. Dropping the future before its first poll requests
    /// nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// let cleaned_up = Arc::new(AtomicBool::new(false));
    /// let token = scope.token();
    /// let flag = cleaned_up.clone();
    /// tokio::spawn(async move {
    ///     token.cancelled().await;
    ///     flag.store(true, Ordering::SeqCst);
    /// });
    /// scope.cancel_and_wait().await;
    /// assert!(cleaned_up.load(Ordering::SeqCst));
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn cancel_and_wait(&self) {
        self.cancel();
        self.stopped().await;
    }

    /// A scope that is cancelled when `token` is: the bridge from tokio-util's
    /// [`CancellationToken`] (a shutdown signal handed around as one, say) into a scope that
    /// reports and acknowledges.
    ///
    /// The scope has no parent and no deadline; its children follow it, as usual. Only the
    /// token's side propagates: cancelling the token cancels the scope (reason
    /// [`Requested`](CancelReason::Requested), or `ParentCancelled` in the children), while
    /// cancelling the scope, or any scope inside it, leaves the token alone. Nothing runs in
    /// the background: the scope notices the token when it is asked ([`is_cancelled`],
    /// [`check`], [`run`]) and wakes on it while waiting ([`cancelled`]), and the tokens of its
    /// [`cancellation_token`] are children of `token`, which tokio-util cancels with it.
    ///
    /// [`is_cancelled`]: Self::is_cancelled
    /// [`check`]: Self::check
    /// [`run`]: Self::run
    /// [`cancelled`]: Self::cancelled
    /// [`cancellation_token`]: Self::cancellation_token
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::{CancelReason, CancelScope};
    /// use tokio_util::sync::CancellationToken;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let shutdown = CancellationToken::new();
    /// let scope = CancelScope::from_cancellation_token(shutdown.clone());
    /// let request = scope.child();
    /// let handler = tokio::spawn({
    ///     let token = request.token();
    ///     async move { token.cancelled().await }
    /// });
    /// shutdown.cancel();
    /// let report = handler.await.unwrap();
    /// assert_eq!(report.reason(), CancelReason::ParentCancelled);
    /// assert_eq!(report.origin(), CancelReason::Requested);
    /// // The handler has dropped its token: the work has stopped.
    /// scope.stopped().await;
    ///
    /// // The other way round, nothing propagates.
    /// let token = CancellationToken::new();
    /// CancelScope::from(token.clone()).cancel();
    /// assert!(!token.is_cancelled());
    /// # }
    /// ```
    pub fn from_cancellation_token(token: CancellationToken) -> CancelScope {
        CancelScope {
            node: Node::with_external(None, None, false, Some(token)),
        }
    }

    /// A tokio-util [`CancellationToken`] that is cancelled when this scope is: the bridge to
    /// APIs that take one (`CancellationToken::run_until_cancelled`, a server's graceful
    /// shutdown, a library's worker).
    ///
    /// Only the scope's side propagates. Whatever cancels the scope cancels the token at once,
    /// in the same call: [`cancel`](Self::cancel), an enclosing scope, or the token this scope
    /// came from ([`from_cancellation_token`](Self::from_cancellation_token)). Cancelling the
    /// returned token cancels nothing else: not the scope, not the other tokens it handed out.
    /// The token does not count as work in the scope: [`stopped`](Self::stopped) does not wait
    /// for its holders (give them a [`token`](Self::token) too if it should).
    ///
    /// No task runs for this, with one exception: a scope with a deadline of its own
    /// ([`with_timeout`](Self::with_timeout), [`child_with_deadline`](Self::child_with_deadline),
    /// ...) spawns one task on the current runtime, at the first call, that cancels the token
    /// when the deadline passes (tokio-util's token has no timer). The task ends at the deadline
    /// or when the scope is cancelled, whichever comes first, and keeps nothing else alive.
    ///
    /// # Panics
    ///
    /// When this scope has a deadline of its own and the call is not within a tokio runtime,
    /// as `tokio::spawn` does.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// let token = scope.cancellation_token();
    /// let worker = tokio::spawn(async move {
    ///     token
    ///         .run_until_cancelled(tokio::time::sleep(Duration::from_secs(60)))
    ///         .await
    /// });
    /// scope.cancel();
    /// assert_eq!(worker.await.unwrap(), None);
    ///
    /// // A deadline reaches the token too.
    /// let attempt = CancelScope::with_timeout(Duration::from_millis(1));
    /// attempt.cancellation_token().cancelled().await;
    /// assert!(attempt.is_cancelled());
    /// # }
    /// ```
    pub fn cancellation_token(&self) -> CancellationToken {
        self.node.linked_token().child_token()
    }
}

impl From<CancellationToken> for CancelScope {
    /// [`CancelScope::from_cancellation_token`].
    fn from(token: CancellationToken) -> Self {
        CancelScope::from_cancellation_token(token)
    }
}

impl Default for CancelScope {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CancelScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_node(f, "CancelScope", &self.node)
    }
}

fn debug_node(f: &mut fmt::Formatter<'_>, name: &str, node: &Node) -> fmt::Result {
    f.debug_struct(name)
        .field("cancelled", &*node.cancelled.borrow())
        .field("deadline", &node.deadline)
        .field("shielded", &node.shielded)
        .field("running", &*node.live.borrow())
        .finish()
}

/// The work's side of a [`CancelScope`]: observes cancellation, and counts as running work
/// until dropped.
///
/// Hold the token for as long as the work runs (cleanup included), and drop it when the work has
/// stopped: that is the acknowledgement [`CancelScope::cancel_and_wait`] waits for. Clones count
/// separately. A token cannot cancel its scope; it can make child scopes for parts of the work.
///
/// # Cancel safety
///
/// The waiting method [`cancelled`](Self::cancelled) is cancel safe; [`run`](Self::run) is as
/// cancel safe as the work it runs.
///
/// # Example
///
/// ```
/// use cancel_check::scope::{CancelScope, CancelToken, Cancelled};
///
/// async fn work(token: CancelToken) -> Result<u32, Cancelled> {
///     let mut total = 0;
///     for n in 0..1000 {
///         token.check()?;
///         total += n;
///         tokio::task::yield_now().await;
///     }
///     Ok(total)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = CancelScope::new();
/// let worker = tokio::spawn(work(scope.token()));
/// scope.cancel_and_wait().await;
/// assert!(worker.await.unwrap().is_err());
/// # }
/// ```
pub struct CancelToken {
    work: Work,
}

impl CancelToken {
    /// Whether the scope is cancelled.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// assert!(!token.is_cancelled());
    /// scope.cancel();
    /// assert!(token.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.work.node.state().is_some()
    }

    /// `Err` with the report if the scope is cancelled: a cancellation point for `?`.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::{CancelReason, CancelScope};
    ///
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// scope.cancel();
    /// assert_eq!(token.check().unwrap_err().reason(), CancelReason::Requested);
    /// ```
    pub fn check(&self) -> Result<(), Cancelled> {
        self.work.node.state().map_or(Ok(()), Err)
    }

    /// The deadline that applies to the work: the earliest of its scope's and the enclosing
    /// scopes' (up to a shield).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outer = CancelScope::with_timeout(Duration::from_secs(1));
    /// let token = outer.child().token();
    /// assert_eq!(token.deadline(), outer.deadline());
    /// # }
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.work.node.deadline_in_force()
    }

    /// Waits until the scope is cancelled, and says why.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: it only waits.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::scope::{CancelReason, CancelScope};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::with_timeout(Duration::from_millis(1));
    /// let token = scope.token();
    /// assert_eq!(token.cancelled().await.reason(), CancelReason::DeadlineElapsed);
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn cancelled(&self) -> Cancelled {
        self.work.node.cancelled().await
    }

    /// Runs `work` until it completes or the scope is cancelled, as [`CancelScope::run`] does.
    ///
    /// # Errors
    ///
    /// [`Cancelled`], saying why, if the scope was cancelled before `work` completed.
    ///
    /// # Cancel safety
    ///
    /// This method is only cancel safe if `work` is: dropping the returned future drops `work`.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// assert_eq!(token.run(async { "done" }).await, Ok("done"));
    /// # }
    /// ```
    pub async fn run<F: Future>(&self, work: F) -> Result<F::Output, Cancelled> {
        run_in(&self.work.node, work).await
    }

    /// A scope inside the token's scope, for a part of the work: cancelled with it, and
    /// cancellable on its own.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// let part = token.child();
    /// scope.cancel();
    /// assert!(part.is_cancelled());
    /// ```
    pub fn child(&self) -> CancelScope {
        CancelScope {
            node: Node::new(Some(&self.work.node), None, false),
        }
    }

    /// A tokio-util [`CancellationToken`] that is cancelled when the token's scope is, as
    /// [`CancelScope::cancellation_token`] gives: for the parts of the work that take one.
    /// Cancelling it cancels nothing else, and holding it does not count as work (keep this
    /// token until the work has stopped).
    ///
    /// # Panics
    ///
    /// When the token's scope has a deadline of its own and the call is not within a tokio
    /// runtime (see [`CancelScope::cancellation_token`]).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::scope::CancelScope;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = CancelScope::new();
    /// let token = scope.token();
    /// let for_a_library = token.cancellation_token();
    /// scope.cancel();
    /// assert!(for_a_library.is_cancelled());
    /// # }
    /// ```
    pub fn cancellation_token(&self) -> CancellationToken {
        self.work.node.linked_token().child_token()
    }
}

impl Clone for CancelToken {
    fn clone(&self) -> Self {
        CancelToken {
            work: self.work.node.enter(),
        }
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_node(f, "CancelToken", &self.work.node)
    }
}
