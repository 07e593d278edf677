//! Task groups (nurseries): children that fail together and are always waited for.
//!
//! A [`TaskGroup`] spawns children that return `Result<T, E>`. The first child that fails (an
//! `Err` or a panic) cancels its siblings, and [`join`](TaskGroup::join) reports that first
//! error, after every child has stopped. A successful `join` gives the outputs in the order the
//! children were spawned. Dropping the group aborts every child. [`scope`] runs a body that
//! spawns into a group, Trio-nursery style: it returns only when every child has finished.

use std::collections::HashMap;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use cancel_check_macros::cancel_safe;
use tokio::runtime::Handle;
use tokio::task::{Id, JoinSet};

use crate::task::{Panic, TaskError};

/// Why a [`TaskGroup`] failed: the first failure among its children (or the body of
/// [`scope`]).
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::group::{GroupError, TaskGroup};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut group = TaskGroup::<(), &str>::new();
/// group.spawn(async { Err("no route to host") });
/// let error = group.join().await.unwrap_err();
/// assert!(matches!(error, GroupError::Failed("no route to host")));
/// assert_eq!(error.to_string(), "a task of the group failed: no route to host");
/// # }
/// ```
#[derive(Debug)]
pub enum GroupError<E> {
    /// A child returned this error (or the body of [`scope`] did).
    Failed(E),
    /// A child panicked.
    Panicked(Panic),
    /// A child was cancelled from outside the group: the runtime is shutting down.
    Cancelled,
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupError::Failed(error) => write!(f, "a task of the group failed: {error}"),
            GroupError::Panicked(panic) => write!(f, "a task of the group panicked: {panic}"),
            GroupError::Cancelled => f.write_str("a task of the group was cancelled"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GroupError::Failed(error) => Some(error),
            _ => None,
        }
    }
}

struct Inner<T, E> {
    set: JoinSet<Result<T, E>>,
    /// The spawn order of the running children.
    slots: HashMap<Id, usize>,
    outputs: Vec<Option<T>>,
    error: Option<GroupError<E>>,
}

/// A nursery: spawns children, cancels them all on the first failure, and waits for all.
///
/// Children are spawned with [`spawn`](Self::spawn) (through `&self`, so a body can spawn while
/// the group is watched, as [`scope`] does) and run at once. [`join`](Self::join) waits until
/// every child has finished. When a child returns `Err` or panics, the group aborts the others:
/// they stop at their next await point, their destructors run, and `join` returns the first
/// error only after all of them have stopped. No child is left running when `join` returns.
/// Dropping the group aborts every child without waiting.
///
/// # Cancel safety
///
/// [`join`](Self::join) is cancel safe: the outputs of the children that finished stay in the
/// group, the others keep running, and the next `join` goes on from there.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use cancel_check::group::TaskGroup;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut group = TaskGroup::<u64, String>::new();
/// for n in [3, 1, 2] {
///     group.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(n)).await;
///         Ok(n * 10)
///     });
/// }
/// // In spawn order, whatever the order of completion.
/// assert_eq!(group.join().await.unwrap(), [30, 10, 20]);
/// # }
/// ```
pub struct TaskGroup<T, E> {
    inner: Mutex<Inner<T, E>>,
}

impl<T: Send + 'static, E: Send + 'static> TaskGroup<T, E> {
    /// An empty group.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::group::TaskGroup;
    ///
    /// let group = TaskGroup::<(), std::io::Error>::new();
    /// assert!(group.is_empty());
    /// ```
    pub fn new() -> Self {
        TaskGroup {
            inner: Mutex::new(Inner {
                set: JoinSet::new(),
                slots: HashMap::new(),
                outputs: Vec::new(),
                error: None,
            }),
        }
    }

    /// Spawns a child on the current runtime; it starts running at once. If the group has
    /// already failed, `work` is dropped without running.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::group::TaskGroup;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut group = TaskGroup::<&str, ()>::new();
    /// group.spawn(async { Ok("child") });
    /// assert_eq!(group.len(), 1);
    /// assert_eq!(group.join().await.unwrap(), ["child"]);
    /// # }
    /// ```
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        self.spawn_on(work, &Handle::current());
    }

    /// Spawns a child on the runtime of `runtime`, as [`spawn`](Self::spawn) does.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::group::TaskGroup;
    ///
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let mut group = TaskGroup::<u8, ()>::new();
    /// group.spawn_on(async { Ok(1) }, runtime.handle());
    /// assert_eq!(runtime.block_on(group.join()).unwrap(), [1]);
    /// ```
    pub fn spawn_on<F>(&self, work: F, runtime: &Handle)
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let mut inner = self.lock();
        if inner.error.is_some() {
            return;
        }
        let slot = inner.outputs.len();
        inner.outputs.push(None);
        let id = inner.set.spawn_on(work, runtime).id();
        inner.slots.insert(id, slot);
    }

    /// How many children are running (or finished and not yet collected by `join`).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::group::TaskGroup;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut group = TaskGroup::<(), ()>::new();
    /// group.spawn(async { Ok(()) });
    /// assert_eq!(group.len(), 1);
    /// group.join().await.unwrap();
    /// assert_eq!(group.len(), 0);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.lock().set.len()
    }

    /// Whether no child is running.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::group::TaskGroup;
    ///
    /// assert!(TaskGroup::<(), ()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().set.is_empty()
    }

    /// Waits until every child has finished. Returns their outputs in spawn order, or the first
    /// failure once the other children (aborted by it) have stopped. Afterwards the group is
    /// empty and can be used again.
    ///
    /// # Errors
    ///
    /// The first failure: [`GroupError::Failed`] with a child's error, or
    /// [`GroupError::Panicked`]. The outputs of the children that succeeded are dropped.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, nothing is lost: finished children's
    /// outputs stay in the group, the others keep running (or, after a failure, keep being
    /// aborted), and the next `join` resumes.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use cancel_check::group::{GroupError, TaskGroup};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let stopped = Arc::new(AtomicBool::new(false));
    /// let mut group = TaskGroup::<(), &str>::new();
    /// let flag = stopped.clone();
    /// group.spawn(async move {
    ///     // Runs until aborted, then says so from its destructor.
    ///     struct Guard(Arc<AtomicBool>);
    ///     impl Drop for Guard {
    ///         fn drop(&mut self) {
    ///             self.0.store(true, Ordering::SeqCst);
    ///         }
    ///     }
    ///     let _guard = Guard(flag);
    ///     std::future::pending().await
    /// });
    /// group.spawn(async { Err("failed") });
    /// assert!(matches!(group.join().await, Err(GroupError::Failed("failed"))));
    /// assert!(stopped.load(Ordering::SeqCst));
    /// # }
    /// ```
    #[cancel_safe]
    pub async fn join(&mut self) -> Result<Vec<T>, GroupError<E>> {
        poll_fn(|cx| self.poll_finished(cx)).await;
        let mut inner = self.lock();
        inner.slots.clear();
        let outputs = std::mem::take(&mut inner.outputs);
        match inner.error.take() {
            Some(error) => Err(error),
            None => Ok(outputs.into_iter().flatten().collect()),
        }
    }

    /// Collects finished children; ready when none is left. The first failure aborts the rest.
    /// Only one caller at a time polls this (`join` takes `&mut self`; `scope` owns its group).
    fn poll_finished(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.lock();
        loop {
            let Poll::Ready(joined) = inner.set.poll_join_next_with_id(cx) else {
                return Poll::Pending;
            };
            let failure = match joined {
                None => return Poll::Ready(()),
                Some(Ok((id, Ok(output)))) => {
                    if let Some(slot) = inner.slots.remove(&id) {
                        inner.outputs[slot] = Some(output);
                    }
                    continue;
                }
                Some(Ok((id, Err(error)))) => {
                    inner.slots.remove(&id);
                    GroupError::Failed(error)
                }
                Some(Err(error)) => {
                    inner.slots.remove(&error.id());
                    match TaskError::from_join(error) {
                        TaskError::Panicked(panic) => GroupError::Panicked(panic),
                        // Aborted by the group after a failure: not a failure of its own.
                        TaskError::Cancelled if inner.error.is_some() => continue,
                        TaskError::Cancelled => GroupError::Cancelled,
                    }
                }
            };
            inner.fail(failure);
        }
    }

    fn fail(&self, error: GroupError<E>) {
        self.lock().fail(error);
    }

    /// Whether a child has failed (seen by a `join` that has not returned it yet): the other
    /// children are being aborted, and [`spawn`](Self::spawn) drops new work.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_check::group::TaskGroup;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut group = TaskGroup::<(), &str>::new();
    /// group.spawn(async { Err("failed") });
    /// assert!(!group.has_failed());
    /// assert!(group.join().await.is_err());
    /// // `join` returned the failure: the group is empty and usable again.
    /// assert!(!group.has_failed());
    /// # }
    /// ```
    pub fn has_failed(&self) -> bool {
        self.lock().error.is_some()
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T, E>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T: 'static, E: 'static> Inner<T, E> {
    /// Records the first failure and aborts the other children.
    fn fail(&mut self, error: GroupError<E>) {
        if self.error.is_none() {
            self.error = Some(error);
            self.set.abort_all();
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f.debug_struct("TaskGroup")
            .field("running", &inner.set.len())
            .field("failed", &inner.error.is_some())
            .finish()
    }
}

/// Runs `body` with a fresh [`TaskGroup`] and returns when the body and every child it spawned
/// have finished, like a Trio nursery.
///
/// The body spawns children through `&TaskGroup` and may await anything meanwhile. If a child
/// fails, the body is dropped (cancelled) at once, the other children are aborted, and the
/// first failure is returned once all have stopped. If the body returns `Err(e)`, the children
/// are aborted and `Err(GroupError::Failed(e))` is returned, after they have stopped. Otherwise
/// the children's outputs come back in spawn order.
///
/// # Errors
///
/// The first failure of a child or of the body, as a [`GroupError`].
///
/// # Cancel safety
///
/// The group lives in the future: the children are aborted without being waited for. When the
/// wait itself may be cancelled, use a [`TaskGroup`] and race its [`join`](TaskGroup::join),
/// which is cancel safe.
///
/// # Example
///
/// ```
/// use cancel_check::group::{scope, TaskGroup};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let lengths = scope(async |group: &TaskGroup<usize, std::io::Error>| {
///     for word in ["cancel", "safe"] {
///         group.spawn(async move { Ok(word.len()) });
///     }
///     Ok(())
/// })
/// .await
/// .unwrap();
/// assert_eq!(lengths, [6, 4]);
/// # }
/// ```
#[cancel_check_macros::not_cancel_safe(
    reason = "dropping it aborts every child task and loses their outputs"
)]
pub async fn scope<T, E, F>(body: F) -> Result<Vec<T>, GroupError<E>>
where
    T: Send + 'static,
    E: Send + 'static,
    F: AsyncFnOnce(&TaskGroup<T, E>) -> Result<(), E>,
{
    let mut group = TaskGroup::new();
    {
        let group = &group;
        let mut body = pin!(body(group));
        let mut body_done = false;
        poll_fn(|cx| {
            if !body_done {
                if let Poll::Ready(result) = body.as_mut().poll(cx) {
                    body_done = true;
                    if let Err(error) = result {
                        group.fail(GroupError::Failed(error));
                    }
                }
            }
            // Collect children as they finish, so that a failure is seen while the body runs.
            let finished = group.poll_finished(cx);
            if group.has_failed() || (body_done && finished.is_ready()) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        // The body is dropped here, cancelled if it had not finished.
    }
    group.join().await
}
