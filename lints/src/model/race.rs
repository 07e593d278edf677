//! Race sites: places where a future may be dropped before it completes (`select!` branches,
//! `future::select`, `timeout`), and the question the rules ask of them: can dropping this
//! branch's future lose progress that someone will miss?

use super::names::{RECURRING_SOURCES, RECURRING_SOURCE_PREFIXES};
use super::{BodyId, LoopSite, Operation};
use crate::span::Span;

/// Which construct races the futures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaceKind {
    /// `tokio::select!`, `futures::select!`, `futures::select_biased!`: the last segment as
    /// written, and the path expanded through the file's imports (`tokio::select`; as written
    /// when the imports do not say).
    Select {
        macro_name: String,
        path: String,
        biased: bool,
    },
    /// `futures::future::select`, `select_all`, `select_ok`.
    FutureSelect { function: String },
    /// `tokio::time::timeout`, `timeout_at`, `.timeout(..)`.
    Timeout { function: String },
    /// `try_join!`, `futures::future::try_join*`, `try_join_all`: a failing future drops its
    /// siblings.
    TryJoin { function: String },
}

/// A construct that races futures.
#[derive(Debug, Clone)]
pub struct RaceSite {
    pub kind: RaceKind,
    /// The macro path or function name, for a secondary label.
    pub label_span: Span,
    /// The whole construct.
    pub span: Span,
    pub body: BodyId,
    /// The innermost loop around the site in the same body (loops outside an enclosing async
    /// block or closure do not count: that body is created anew).
    pub in_loop: Option<LoopSite>,
    pub branches: Vec<Branch>,
    /// Whether the `else`/`default`/`complete` handler of a select may let the loop go on; for a
    /// timeout, whether the code goes on after the time runs out, and for a join, after it
    /// fails (it does not after `?`, `.unwrap()`, or a `let Ok(..) = .. else { break }`).
    pub fallback_continues: bool,
    /// For a timeout or a join: the code panics when the race is lost (`.unwrap()`,
    /// `.expect(..)` on its error), so the task ends with the dropped future and nothing reads
    /// what it worked on again.
    pub fallback_panics: bool,
    /// Every handler only computes a value (`Reason::Timer`, `Some(x)`, `r?`): the select
    /// reports which branch won and the work happens after it, the same for every branch.
    pub handlers_are_values: bool,
}

/// A raced future.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The future expression.
    pub span: Span,
    /// The operation that creates the future (through a binding when polled by `&mut fut`).
    pub op: Option<Operation>,
    /// The future is created at the site, or bound inside the loop around it: a new one is made
    /// every iteration.
    pub created_in_loop: bool,
    /// The future is a binding declared before the loop (the resume idiom).
    pub resumed: bool,
    /// The branch's handler leaves the loop (`break`, `return`, `?` on an error, panics).
    pub handler_diverges: bool,
    /// The branch's handler ends with `continue`: it skips the rest of the loop body.
    pub handler_continues: bool,
    /// The body of an `async { .. }` branch future.
    pub block_body: Option<BodyId>,
    /// The handler after `=>` (select branches only).
    pub handler_span: Option<Span>,
    /// The body the future's expression is in when it is not the site's: the closure of
    /// `select_all(conns.iter_mut().map(|c| c.read_frame()))`.
    pub body: Option<BodyId>,
    /// The future is a binding of this name without a known call (a parameter, a future made
    /// elsewhere): what a race wrapper races.
    pub binding: Option<String>,
    /// The future is polled by name (`&mut pending`): that name.
    pub bound: Option<String>,
    /// The future is a binding whose `let` is followed by other statements before the one that
    /// races it (the listen, check, then wait idiom).
    pub checked_after_binding: bool,
}

impl Branch {
    /// Whether the branch polls a source of recurring events (a channel's `recv`, a stream's
    /// `next`, `accept`, `tick`, `changed`, `notified`, a read): it may win on every iteration
    /// of a loop around the select.
    pub fn is_recurring_source(&self) -> bool {
        self.op.as_ref().is_some_and(|op| {
            let name = op.name.as_str();
            RECURRING_SOURCES.contains(&name)
                || RECURRING_SOURCE_PREFIXES
                    .iter()
                    .any(|prefix| name.starts_with(prefix))
        })
    }
}

impl RaceSite {
    /// Whether some other branch, or the fallback, may win and let the loop go on.
    pub fn others_may_continue(&self, index: usize) -> bool {
        match self.kind {
            // For a timeout the "other branch" is the time running out.
            RaceKind::Timeout { .. } | RaceKind::TryJoin { .. } => self.fallback_continues,
            _ => {
                self.fallback_continues
                    || self
                        .branches
                        .iter()
                        .enumerate()
                        .any(|(other, branch)| other != index && !branch.handler_diverges)
            }
        }
    }

    /// Whether another branch than `index` polls a source of recurring events and lets the loop
    /// go on when it wins: events keep coming and keep dropping the branch at `index`.
    pub fn others_recur(&self, index: usize) -> bool {
        self.branches.iter().enumerate().any(|(other, branch)| {
            other != index && !branch.handler_diverges && branch.is_recurring_source()
        })
    }
}
