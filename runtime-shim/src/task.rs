//! Eager tasks, in the style of C#'s `Task`: the work starts when the task is created, is
//! aborted when the task is dropped (unless detached), and takes continuations that run on their
//! own when it completes.
//!
//! A plain future does nothing until polled, and a `tokio::task::JoinHandle` lets its task run
//! on when dropped (an unstructured, forgotten task). [`Task`] starts at once like a spawned
//! task, but owns its work: dropping it aborts the work, so a task cannot outlive the code that
//! forgot it, and [`detach`](Task::detach) says so when that is meant. Awaiting it gives a
//! `Result<T, TaskError>` that tells a panic from a cancellation.
//!
//! [`then`](Task::then) and [`and_then`](Task::and_then) attach continuations. Each
//! continuation is a task of its own, spawned right away on the runtime the first task was
//! created on; it waits for the first task and then runs, whether or not anyone awaits it. It
//! owns the first task: dropping the continuation aborts both, detaching it lets both run.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

use tokio::runtime::{Handle, TryCurrentError};
use tokio::task::{AbortHandle, JoinError, JoinHandle};

/// A task that starts running when created and is aborted when dropped, unless detached.
///
/// # Cancel safety
///
/// Awaiting `&mut task` is cancel safe: dropping that future leaves the task running and its
/// result in the task. Awaiting `task` by value moves the task into the future, so dropping that
/// future drops the task, which aborts the work: race `&mut task` in a `select!` or under
/// `timeout`.
///
/// # Example
///
/// ```
/// use cancel_check::task::Task;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let task = Task::spawn(async { 6 * 7 });
/// let message = task.then(|answer| async move { format!("the answer is {}", answer.unwrap()) });
/// assert_eq!(message.await.unwrap(), "the answer is 42");
/// # }
/// ```
pub struct Task<T> {
    /// `None` once detached.
    handle: Option<JoinHandle<Result<T, TaskError>>>,
    runtime: Handle,
}

impl<T: Send + 'static> Task<T> {
    /// Spawns `work` on the current tokio runtime; it starts running at once.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does. Use [`try_spawn`](Self::try_spawn) to
    /// get an error instead, or [`spawn_on`](Self::spawn_on) with a handle.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = tokio::sync::oneshot::channel();
    /// let task = Task::spawn(async move { tx.send("started").unwrap() });
    /// // Nobody awaits `task`, and the work runs anyway.
    /// assert_eq!(rx.await.unwrap(), "started");
    /// # drop(task);
    /// # }
    /// ```
    pub fn spawn<F>(work: F) -> Self
    where
        F: Future<Output = T> + Send + 'static,
    {
        Self::spawn_on(work, &Handle::current())
    }

    /// Spawns `work` on the current tokio runtime, or says that there is none.
    ///
    /// # Errors
    ///
    /// tokio's [`TryCurrentError`] outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// // No runtime here.
    /// assert!(Task::try_spawn(async {}).is_err());
    /// ```
    pub fn try_spawn<F>(work: F) -> Result<Self, TryCurrentError>
    where
        F: Future<Output = T> + Send + 'static,
    {
        Ok(Self::spawn_on(work, &Handle::try_current()?))
    }

    /// Spawns `work` on the runtime of `runtime`; it starts running at once. Continuations run
    /// on that runtime too.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let task = Task::spawn_on(async { 1 }, runtime.handle());
    /// assert_eq!(runtime.block_on(task).unwrap(), 1);
    /// ```
    pub fn spawn_on<F>(work: F, runtime: &Handle) -> Self
    where
        F: Future<Output = T> + Send + 'static,
    {
        Self::spawn_result(async move { Ok(work.await) }, runtime)
    }

    fn spawn_result<F>(work: F, runtime: &Handle) -> Self
    where
        F: Future<Output = Result<T, TaskError>> + Send + 'static,
    {
        Task {
            handle: Some(runtime.spawn(work)),
            runtime: runtime.clone(),
        }
    }

    /// Attaches a continuation: when this task completes (or panics, or is aborted), `f` gets
    /// its result and the future `f` returns runs as a new task, without anyone awaiting either.
    ///
    /// The continuation task is spawned at once on this task's runtime; it owns this task.
    /// Dropping the returned task aborts both; [`detach`](Self::detach)ing it lets both run.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    /// Task::spawn(async { panic!("boom") })
    ///     .then(move |result: Result<(), TaskError>| async move {
    ///         let panicked = matches!(result, Err(TaskError::Panicked(_)));
    ///         tx.send(panicked).await.unwrap();
    ///     })
    ///     .detach();
    /// assert_eq!(rx.recv().await, Some(true));
    /// # }
    /// ```
    pub fn then<U, F, Fut>(self, f: F) -> Task<U>
    where
        F: FnOnce(Result<T, TaskError>) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send + 'static,
        U: Send + 'static,
    {
        let runtime = self.runtime.clone();
        Task::spawn_result(async move { Ok(f(self.await).await) }, &runtime)
    }

    /// Attaches a continuation that runs only if this task succeeds: `f` gets its output, and
    /// the future `f` returns runs as a new task. If this task panicked or was aborted, `f` is
    /// not called and the returned task fails with the same [`TaskError`].
    ///
    /// For a task that returns a `Result`, `f` gets that `Result`: use `?` inside, or
    /// [`then`](Self::then) to handle every case in one place.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let doubled = Task::spawn(async { 21 }).and_then(|n| async move { n * 2 });
    /// assert_eq!(doubled.await.unwrap(), 42);
    ///
    /// let failed = Task::spawn(async { panic!("no input") }).and_then(|()| async { 0 });
    /// match failed.await {
    ///     Err(TaskError::Panicked(panic)) => assert_eq!(panic.message(), "no input"),
    ///     other => panic!("{other:?}"),
    /// }
    /// # }
    /// ```
    pub fn and_then<U, F, Fut>(self, f: F) -> Task<U>
    where
        F: FnOnce(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send + 'static,
        U: Send + 'static,
    {
        let runtime = self.runtime.clone();
        Task::spawn_result(
            async move {
                match self.await {
                    Ok(output) => Ok(f(output).await),
                    Err(error) => Err(error),
                }
            },
            &runtime,
        )
    }
}

impl<T> Task<T> {
    /// Lets the task run on its own: dropping it no longer aborts the work, and its result is
    /// discarded. Continuations attached before keep running.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = tokio::sync::oneshot::channel();
    /// Task::spawn(async move {
    ///     tokio::task::yield_now().await;
    ///     tx.send(()).unwrap();
    /// })
    /// .detach();
    /// rx.await.unwrap();
    /// # }
    /// ```
    pub fn detach(mut self) {
        self.handle = None;
    }

    /// Aborts the work: it stops at its next await point, and awaiting the task gives
    /// [`TaskError::Cancelled`] (or its result, if it had already completed).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let task = Task::spawn(std::future::pending::<()>());
    /// task.abort();
    /// assert!(matches!(task.await, Err(TaskError::Cancelled)));
    /// # }
    /// ```
    pub fn abort(&self) {
        if let Some(handle) = &self.handle {
            handle.abort();
        }
    }

    /// A handle that aborts the work, for code that should not own the task.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let task = Task::spawn(std::future::pending::<()>());
    /// let abort = task.abort_handle();
    /// abort.abort();
    /// assert!(task.await.is_err());
    /// # }
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        self.join_handle().abort_handle()
    }

    /// Whether the work has finished (completed, panicked or been aborted).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::Task;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let task = Task::spawn(async {});
    /// while !task.is_finished() {
    ///     tokio::task::yield_now().await;
    /// }
    /// assert!(task.await.is_ok());
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.join_handle().is_finished()
    }

    fn join_handle(&self) -> &JoinHandle<Result<T, TaskError>> {
        // Only `detach` takes the handle, and it consumes the task.
        self.handle
            .as_ref()
            .expect("a task has its handle until detached")
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let handle = self
            .handle
            .as_mut()
            .expect("a task has its handle until detached");
        let joined = ready!(Pin::new(handle).poll(cx));
        Poll::Ready(match joined {
            Ok(result) => result,
            Err(error) => Err(TaskError::from_join(error)),
        })
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(handle) = &self.handle {
            handle.abort();
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Task");
        if let Some(handle) = &self.handle {
            debug
                .field("id", &handle.id())
                .field("finished", &handle.is_finished());
        }
        debug.finish()
    }
}

/// Why a [`Task`] gave no output.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::task::{Task, TaskError};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let error = Task::spawn(async { panic!("disk full") }).await.unwrap_err();
/// assert_eq!(error.to_string(), "the task panicked: disk full");
/// # }
/// ```
#[derive(Debug)]
pub enum TaskError {
    /// The work panicked.
    Panicked(Panic),
    /// The work was aborted (the task dropped or aborted, or the runtime shut down) before it
    /// completed.
    Cancelled,
}

impl TaskError {
    pub(crate) fn from_join(error: JoinError) -> Self {
        match error.try_into_panic() {
            Ok(payload) => TaskError::Panicked(Panic::new(payload)),
            Err(_) => TaskError::Cancelled,
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Panicked(panic) => write!(f, "the task panicked: {}", panic.message()),
            TaskError::Cancelled => f.write_str("the task was cancelled"),
        }
    }
}

impl std::error::Error for TaskError {}

/// The panic of a task: its message, and the payload to resume it with.
///
/// `Panic` is `Send + Sync` (the payload sits behind a mutex), so a [`TaskError`] can go into
/// `anyhow::Error` or across threads.
///
/// # Cancel safety
///
/// A value, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::task::{Task, TaskError};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let Err(TaskError::Panicked(panic)) = Task::spawn(async { panic!("disk full") }).await else {
///     unreachable!()
/// };
/// assert_eq!(panic.message(), "disk full");
/// let payload = panic.into_payload();
/// assert_eq!(payload.downcast_ref::<&str>(), Some(&"disk full"));
/// # }
/// ```
pub struct Panic {
    message: String,
    payload: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Panic {
    pub(crate) fn new(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&'static str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic payload that is not a string".to_string()
        };
        Panic {
            message,
            payload: Mutex::new(Some(payload)),
        }
    }

    /// The panic message (for payloads that are strings, as `panic!` makes them).
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// if let Err(TaskError::Panicked(panic)) = Task::spawn(async { panic!("oops") }).await {
    ///     assert_eq!(panic.message(), "oops");
    /// }
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The panic payload, to inspect or to pass to `std::panic::resume_unwind`.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let task = Task::spawn(async { std::panic::panic_any(7_u32) });
    /// if let Err(TaskError::Panicked(panic)) = task.await {
    ///     assert_eq!(panic.into_payload().downcast_ref::<u32>(), Some(&7));
    /// }
    /// # }
    /// ```
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        let message = self.message;
        self.payload
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .unwrap_or_else(|| Box::new(message))
    }

    /// Resumes the panic on the current thread, as if it had happened here.
    ///
    /// # Cancel safety
    ///
    /// Not async: nothing to cancel.
    ///
    /// # Example
    ///
    /// ```should_panic
    /// use cancel_check::task::{Task, TaskError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// if let Err(TaskError::Panicked(panic)) = Task::spawn(async { panic!("again") }).await {
    ///     panic.resume();
    /// }
    /// # }
    /// ```
    pub fn resume(self) -> ! {
        std::panic::resume_unwind(self.into_payload())
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panic")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
