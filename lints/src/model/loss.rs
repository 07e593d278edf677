//! What a dropped future loses, and whether anyone misses it: the one place that answers both
//! questions, for every rule that asks them (the select, timeout and try-join lints, the buffer
//! and documentation lints) and for the function summaries.
//!
//! A [`Loss`] is data: the leaf of the chain (the knowledge-base API, the documented function, the
//! taken item, the buffer), how the future reaches it, and the root cause in the code. The rules
//! word it.

use foldhash::{HashSet, HashSetExt};

use super::items::TypeRef;
use super::names::{APPENDING_READS, BYTE_TAKERS, CONSUMERS, ITEM_TAKERS, TIMER_FNS};
use super::operation::{OpTarget, Place};
use super::race::{Branch, RaceKind, RaceSite};
use super::value::ValueExpr;
use super::workspace::{call_text, Callee, FnRef};
use super::{
    AwaitSite, BodyId, BodyKind, FileModel, LoopSite, Mutation, Operation, PlaceUse, Returned,
    Workspace,
};
use crate::knowledge::ApiEntry;
use crate::span::Span;

/// What kind of progress a future loses when dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// Data taken from a resource that lives on (a stream left mid-frame).
    Data,
    /// A value: a message handed in or taken out. Matters when a loop repeats it.
    Message,
}

/// A place in some file of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The path label of the file.
    pub file: String,
    pub span: Span,
}

impl Site {
    pub fn new(file: &str, span: Span) -> Site {
        Site {
            file: file.to_string(),
            span,
        }
    }
}

/// The race that drops a function's future (directly, or through the functions that await it)
/// with progress someone misses, and what kind of race it is.
#[derive(Clone, Debug)]
pub struct RacedBy {
    pub site: Site,
    pub kind: RaceKind,
}

/// What is lost, named by where that knowledge comes from: the end of the chain of calls.
#[derive(Clone, Debug)]
pub enum Leaf<'k> {
    /// A knowledge-base API says so (what it loses and the fix are its data).
    Api(&'k ApiEntry),
    /// A workspace function's docs or attributes say it is not cancel safe.
    Documented { text: String },
    /// An item taken with `method` (bound as `item`) is held across a later await.
    TakenItem { method: String, item: String },
    /// A read that keeps its partial progress in the caller's buffer (`read_until`) keeps it in
    /// `buffer`, which dies with the future (or with the loop iteration).
    PartialIn { api: &'k ApiEntry, buffer: String },
    /// Bytes taken out of a caller's buffer with `method` (into `item`) are held across a later
    /// await.
    TakenBytes { method: String, item: String },
    /// A value the caller moved in (the parameter `name`, at `index`) is held across an await.
    OwnedArgument { name: String, index: usize },
    /// A method (`method`) that keeps what it reads in its receiver is called on the local
    /// `name`, which dies with the future.
    LocalState { name: String, method: String },
    /// The local collection `name` accumulates data across awaits.
    Buffer { name: String },
}

/// How the future reaches its leaf.
#[derive(Clone, Debug)]
pub enum Via {
    /// The future is the leaf itself: the API call, or the body that takes the item or holds the
    /// buffer.
    Itself,
    /// The body awaits `call`, whose future loses the leaf's progress.
    Awaits { call: String },
}

/// The root cause in the code, possibly in another file than the race.
#[derive(Clone, Debug)]
pub struct Root {
    pub site: Site,
    /// For an API leaf: how the awaited call reads (`self.stream.read_exact(..)`).
    pub call: Option<String>,
}

/// Why a future is not cancel safe.
#[derive(Clone, Debug)]
pub struct Loss<'k> {
    pub leaf: Leaf<'k>,
    pub via: Via,
    /// The workspace function whose future this is, when the raced call is one (`Conn::read_frame`).
    pub callee: Option<String>,
    /// The trait method the call reaches `callee` through (`Transport::recv`), when it is a
    /// trait call that the named impl answers.
    pub via_trait: Option<String>,
    pub root: Option<Root>,
}

impl Loss<'_> {
    /// What kind of progress is lost.
    pub fn kind(&self) -> LossKind {
        match &self.leaf {
            Leaf::Api(api) if api.loss_repeats_only() => LossKind::Message,
            Leaf::TakenItem { .. } | Leaf::OwnedArgument { .. } => LossKind::Message,
            Leaf::Api(_)
            | Leaf::Documented { .. }
            | Leaf::Buffer { .. }
            | Leaf::PartialIn { .. }
            | Leaf::LocalState { .. }
            | Leaf::TakenBytes { .. } => LossKind::Data,
        }
    }
}

/// A function's cancel safety.
// Most summaries are `Unsafe` only for the few functions that lose data, and a `Loss` is read
// far more often than it is built: boxing it would cost an allocation and an indirection on
// every read to save memory on a map of one entry per function.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Safety<'k> {
    Safe,
    /// Documented as safe only under a condition: not reported.
    Conditional,
    Unsafe(Loss<'k>),
}

/// Why dropping a branch's future loses progress someone will miss.
#[derive(Debug, Clone)]
pub enum LossReason {
    /// The site is in a loop that goes on after another branch wins, and the future is created
    /// anew each iteration on a resource that outlives the iteration.
    Loop { keyword: Span },
    /// The resource is used again after the site.
    UsedAfter { used: PlaceUse },
    /// The resource is a field of `self`, borrowed from the caller, who may call again.
    SelfField,
    /// The resource is a `&mut` parameter: the caller keeps it.
    MutParam { name: String },
}

/// A raced future that loses data or a message when dropped, and why that matters.
pub struct LossyBranch<'m, 'k> {
    pub race: &'m RaceSite,
    pub branch: &'m Branch,
    pub loss: Loss<'k>,
    pub reason: LossReason,
}

impl<'k> Workspace<'k> {
    /// Every branch of the races `select` picks in `file` whose future is known not to be cancel
    /// safe (from the knowledge base, a workspace function's summary, or an `async` block's own
    /// body) and whose loss someone will miss: the question both the select and the timeout
    /// lints ask.
    pub fn lossy_branches<'m>(
        &'m self,
        file: usize,
        select: impl Fn(&RaceSite) -> bool,
    ) -> Vec<LossyBranch<'m, 'k>> {
        let model = &self.units[file].model;
        let mut found = Vec::new();
        for race in self.races(file).filter(|race| select(race)) {
            for (index, branch) in race.branches.iter().enumerate() {
                let Some((loss, resource)) = self.branch_loss_at(file, race, branch) else {
                    continue;
                };
                // A lost message matters when a loop repeats the loss; an item taken off a
                // resource that lives on also matters when a timer drops it, which happens in the
                // normal course of the program, not once at shutdown.
                let repeats_only = loss.kind() == LossKind::Message
                    && !(matches!(loss.leaf, Leaf::TakenItem { .. })
                        && race.a_timer_may_win(index));
                let Some(reason) =
                    race.progress_lost(model, index, repeats_only, resource.as_ref())
                else {
                    continue;
                };
                found.push(LossyBranch {
                    race,
                    branch,
                    loss,
                    reason,
                });
            }
        }
        found
    }

    /// What dropping a branch's future loses: from the knowledge base, a workspace function's
    /// summary, or an `async` block's own body.
    pub fn branch_loss(&self, file: usize, race: &RaceSite, branch: &Branch) -> Option<Loss<'k>> {
        self.branch_loss_at(file, race, branch)
            .map(|(loss, _)| loss)
    }

    /// [`Workspace::branch_loss`], with the resource whose progress is lost (the receiver, the
    /// first `&mut` argument, or the argument a callee loses data on).
    fn branch_loss_at(
        &self,
        file: usize,
        race: &RaceSite,
        branch: &Branch,
    ) -> Option<(Loss<'k>, Option<Place>)> {
        match (&branch.op, branch.block_body) {
            (_, Some(block)) => self.body_loss(file, block).map(|loss| (loss, None)),
            (Some(op), None) => {
                let body = branch.body.unwrap_or(race.body);
                // A listener bound, then the state it guards checked, then raced: a notification
                // sent in between is seen by the check or wakes the listener.
                if branch.checked_after_binding
                    && matches!(self.resolve(file, body, op), Some(Callee::Api(api)) if api.listen_then_check)
                {
                    return None;
                }
                if let Some(found) = self.call_loss(file, body, op, race.in_loop) {
                    return Some(found);
                }
                // A read that keeps partial progress in a buffer the loop creates anew.
                let lp = race.in_loop?;
                let (api, buffer) = self.partial_into_local(file, body, op)?;
                let model = &self.units[file].model;
                let declared = model.local_before(body, &buffer, op.span.start)?;
                lp.span.contains(&declared.span).then(|| {
                    (
                        Loss {
                            leaf: Leaf::PartialIn { api, buffer },
                            via: Via::Itself,
                            callee: None,
                            via_trait: None,
                            root: None,
                        },
                        op.resource.clone(),
                    )
                })
            }
            (None, None) => None,
        }
    }

    /// What awaiting a call loses, with the resource that loses it: the callee's own loss
    /// (knowledge base or summary) on the call's resource, or a loss the callee has on one of
    /// its by-value parameters when the call passes a borrow there (`read_frame(&mut stream)`
    /// for `async fn read_frame(src: impl AsyncRead)`).
    pub(crate) fn call_loss(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
        in_loop: Option<LoopSite>,
    ) -> Option<(Loss<'k>, Option<Place>)> {
        let model = &self.units[file].model;
        let uses_method = |name: &str| model.called_methods.contains(name);
        let callee = self.resolve(file, body, op)?;
        if let Some(loss) = self.loss_of(callee, uses_method) {
            // A value handed over is lost only if it was the caller's to give: a name the caller
            // passes on every iteration of a loop, or uses again, is `Copy` or a clone.
            if let Leaf::OwnedArgument { index, .. } = &loss.leaf {
                let reused = op
                    .args
                    .get(*index)
                    .and_then(Option::as_ref)
                    .is_some_and(|arg| {
                        let root = arg.place.root();
                        let declared_outside = match model.local_before(body, root, op.span.start) {
                            Some(local) => in_loop.is_some_and(|lp| !lp.span.contains(&local.span)),
                            None => true,
                        };
                        arg.copied
                            || !arg.borrowed
                                && (declared_outside
                                    || model
                                        .use_after(body, &arg.place.text, op.span.end)
                                        .is_some())
                    });
                if reused {
                    return None;
                }
            }
            return Some((loss, self.effective_resource(file, body, op)));
        }
        let Callee::Fn(fn_ref) = callee else {
            return None;
        };
        let (index, loss) = self.param_losses.get(&fn_ref)?;
        let arg = op.args.get(*index)?.as_ref().filter(|arg| !arg.copied)?;
        let lent = arg.borrowed
            || model
                .param(body, arg.place.root())
                .is_some_and(|param| param.is_ref)
                && model
                    .local_before(body, arg.place.root(), op.span.start)
                    .is_none();
        lent.then(|| {
            (
                Loss {
                    callee: Some(self.display_name(fn_ref)),
                    ..loss.clone()
                },
                Some(arg.place.clone()),
            )
        })
    }

    /// The resource a call works on: its receiver or first `&mut` argument, else an argument
    /// that is a `&mut` parameter passed on as it is (`read_frame(reader)`, an implicit
    /// reborrow).
    fn effective_resource(&self, file: usize, body: BodyId, op: &Operation) -> Option<Place> {
        if op.resource.is_some() {
            return op.resource.clone();
        }
        let model = &self.units[file].model;
        op.args
            .iter()
            .flatten()
            .find(|arg| {
                !arg.borrowed
                    && !arg.copied
                    && model
                        .local_before(body, arg.place.root(), op.span.start)
                        .is_none()
                    && model
                        .param(body, arg.place.root())
                        .is_some_and(|param| param.is_mut_ref)
            })
            .map(|arg| arg.place.clone())
    }

    /// A knowledge-base read that keeps its partial progress in the caller's buffer
    /// (`read_until(b'\n', &mut line)`), and the local buffer it keeps it in.
    fn partial_into_local(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
    ) -> Option<(&'k ApiEntry, String)> {
        let Some(Callee::Api(api)) = self.resolve(file, body, op) else {
            return None;
        };
        if api.verdict != crate::knowledge::Verdict::PartialProgressKept {
            return None;
        }
        let model = &self.units[file].model;
        let buffer = op.args.iter().flatten().find(|arg| {
            arg.mutable
                && !arg.place.text.contains('.')
                && model
                    .local_before(body, arg.place.root(), op.span.start)
                    .is_some()
        })?;
        Some((api, buffer.place.text.clone()))
    }

    /// What dropping the callee's future loses, if anything.
    pub fn loss_of(
        &self,
        callee: Callee<'k>,
        uses_method: impl Fn(&str) -> bool,
    ) -> Option<Loss<'k>> {
        match callee {
            Callee::Api(api) => {
                // `resource_intact` APIs lose only a result the caller can ask for again.
                if !api.verdict.loses_progress() || api.resource_intact {
                    return None;
                }
                if api
                    .lost_only_with
                    .as_deref()
                    .is_some_and(|needed| !uses_method(needed))
                {
                    return None;
                }
                Some(Loss {
                    leaf: Leaf::Api(api),
                    via: Via::Itself,
                    callee: None,
                    via_trait: None,
                    root: None,
                })
            }
            Callee::Fn(fn_ref) => match self.safety(fn_ref) {
                Safety::Unsafe(loss) => Some(Loss {
                    callee: Some(self.display_name(fn_ref)),
                    ..loss.clone()
                }),
                Safety::Safe | Safety::Conditional => None,
            },
            Callee::Trait(set) => self.trait_loss(set),
        }
    }

    /// What a trait call loses: what the trait's declaration of the method says, when its docs
    /// or attributes say it; else the loss of the first impl (in file order) that is not cancel
    /// safe, named in the note (one unsafe impl among safe ones is the real bug pattern).
    fn trait_loss(&self, set: usize) -> Option<Loss<'k>> {
        let set = self.dispatch_set(set);
        let decl = set.decl?;
        let trait_method = self.display_name(decl);
        if self.item(decl).annotation.is_some() {
            return match self.safety(decl) {
                Safety::Unsafe(loss) => Some(Loss {
                    callee: Some(trait_method),
                    ..loss.clone()
                }),
                Safety::Safe | Safety::Conditional => None,
            };
        }
        std::iter::once(decl)
            .chain(set.impls.iter().copied())
            .find_map(|candidate| match self.safety(candidate) {
                Safety::Unsafe(loss) => Some(Loss {
                    callee: Some(self.display_name(candidate)),
                    via_trait: (candidate != decl).then(|| trait_method.clone()),
                    ..loss.clone()
                }),
                Safety::Safe | Safety::Conditional => None,
            })
    }

    /// The summary a function's docs or attributes state, if they state one.
    pub(super) fn documented_safety(&self, fn_ref: FnRef) -> Option<Safety<'k>> {
        use crate::knowledge::docs::Stated;
        let annotation = self.item(fn_ref).annotation.as_ref()?;
        let path = &self.units[fn_ref.file].model.path;
        Some(match annotation.stated {
            Stated::Safe => Safety::Safe,
            Stated::Conditional => Safety::Conditional,
            Stated::NotSafe => Safety::Unsafe(Loss {
                leaf: Leaf::Documented {
                    text: annotation.text.clone(),
                },
                via: Via::Itself,
                callee: None,
                via_trait: None,
                root: Some(Root {
                    site: Site::new(path, annotation.span),
                    call: None,
                }),
            }),
        })
    }

    /// Why dropping a function's future loses progress: its own body, or for a fn returning
    /// `impl Future` (no `async` keyword), the `async` blocks it returns.
    pub(super) fn fn_loss(&self, fn_ref: FnRef) -> Option<Loss<'k>> {
        let body = self.item(fn_ref).body;
        if self.item(fn_ref).async_keyword {
            return self.body_loss(fn_ref.file, body);
        }
        let model = &self.units[fn_ref.file].model;
        self.body_loss(fn_ref.file, body).or_else(|| {
            model
                .bodies
                .iter()
                .enumerate()
                .filter(|(_, block)| {
                    block.parent == Some(body) && block.kind == BodyKind::AsyncBlock
                })
                .find_map(|(block, _)| self.body_loss(fn_ref.file, block))
        })
    }

    /// Why dropping the future of `body` (a fn body or an async block) midway loses progress
    /// that outlives it, using the current summaries of its callees.
    pub fn body_loss(&self, file: usize, body: BodyId) -> Option<Loss<'k>> {
        let model = &self.units[file].model;
        let path = &model.path;
        for site in &model.bodies[body].awaits {
            let Some(op) = &site.op else { continue };
            if let Some(loss) = self.state_in_local(file, body, op, site) {
                return Some(loss);
            }
            let Some((loss, resource)) = self.call_loss(file, body, op, site.in_loop) else {
                // A read keeping partial data in a local buffer that dies with the future.
                if let Some((api, buffer)) = self.partial_into_local(file, body, op) {
                    let outlives = op.resource.as_ref().is_some_and(|place| {
                        model.root_outlives(body, place.root(), op.span.start)
                    });
                    if outlives {
                        return Some(Loss {
                            leaf: Leaf::PartialIn { api, buffer },
                            via: Via::Itself,
                            callee: None,
                            via_trait: None,
                            root: Some(Root {
                                site: Site::new(path, site.span),
                                call: Some(call_text(op)),
                            }),
                        });
                    }
                }
                continue;
            };
            if !self.passes_on(file, body, op, &loss, resource.as_ref()) {
                continue;
            }
            let call = call_text(op);
            let root = loss.root.clone().unwrap_or_else(|| Root {
                site: Site::new(path, site.span),
                call: Some(call.clone()),
            });
            return Some(Loss {
                via: Via::Awaits { call },
                callee: None,
                via_trait: None,
                root: Some(root),
                ..loss
            });
        }
        if let Some(loss) = self.consume_then_await(file, body) {
            return Some(loss);
        }
        if let Some(loss) = self.owned_argument_held(file, body) {
            return Some(loss);
        }
        self.held_buffers(file, body)
            .into_iter()
            .next()
            .map(|held| Loss {
                leaf: Leaf::Buffer { name: held.name },
                via: Via::Itself,
                callee: None,
                via_trait: None,
                root: Some(Root {
                    site: Site::new(path, held.declared),
                    call: None,
                }),
            })
    }

    /// Whether the loss of an awaited call (on `resource`) is also the loss of the awaiting
    /// body's future: the resource outlives the body (a call without one reaches a workspace
    /// function, whose loss is its own), and a lost message is one the body did not build
    /// itself (`tx.send(Request { reply })` loses nothing anyone has, unless it carries a
    /// parameter).
    fn passes_on(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
        loss: &Loss<'k>,
        resource: Option<&Place>,
    ) -> bool {
        let model = &self.units[file].model;
        let outlives = match resource {
            Some(place) => model.root_outlives(body, place.root(), op.span.start),
            None => matches!(
                self.resolve(file, body, op),
                Some(Callee::Fn(_) | Callee::Trait(_))
            ),
        };
        outlives
            && (loss.kind() != LossKind::Message
                || matches!(loss.leaf, Leaf::TakenItem { .. })
                || self.carries_outside_value(model, body, op))
    }

    /// The workspace functions whose futures a race drops with progress someone misses: the
    /// callee of each branch whose loss [`RaceSite::progress_lost`] finds missed, and for an
    /// `async` block branch, the callees of its awaits whose loss, on the resource they work
    /// on, is missed.
    pub(super) fn dropped_with_loss(&self, file: usize, race: &RaceSite) -> Vec<FnRef> {
        let model = &self.units[file].model;
        let mut found = Vec::new();
        for (index, branch) in race.branches.iter().enumerate() {
            match (&branch.op, branch.block_body) {
                (_, Some(block)) => {
                    for site in &model.bodies[block].awaits {
                        let Some(op) = &site.op else { continue };
                        let Some((loss, resource)) = self.call_loss(file, block, op, site.in_loop)
                        else {
                            continue;
                        };
                        if self.passes_on(file, block, op, &loss, resource.as_ref())
                            && race
                                .progress_lost(model, index, false, resource.as_ref())
                                .is_some()
                        {
                            found.extend(self.targets(self.resolve(file, block, op)));
                        }
                    }
                }
                (Some(op), None) => {
                    let Some((_, resource)) = self.branch_loss_at(file, race, branch) else {
                        continue;
                    };
                    if race
                        .progress_lost(model, index, false, resource.as_ref())
                        .is_some()
                    {
                        let body = branch.body.unwrap_or(race.body);
                        found.extend(self.targets(self.resolve(file, body, op)));
                    }
                }
                (None, None) => {}
            }
        }
        found
    }

    /// The workspace functions whose loss an await of `body` passes on to the body's own
    /// future (see [`Workspace::passes_on`]).
    pub(super) fn callees_losing_with(&self, file: usize, body: BodyId) -> Vec<FnRef> {
        let model = &self.units[file].model;
        let mut found = Vec::new();
        for site in &model.bodies[body].awaits {
            let Some(op) = &site.op else { continue };
            let Some((loss, resource)) = self.call_loss(file, body, op, site.in_loop) else {
                continue;
            };
            if self.passes_on(file, body, op, &loss, resource.as_ref()) {
                found.extend(self.targets(self.resolve(file, body, op)));
            }
        }
        found
    }

    /// A method that keeps what it reads in its receiver (`self.buf`), called on a local that
    /// dies with this future and given a resource that outlives it: `let mut r =
    /// FrameReader::new(); r.next(stream).await`.
    fn state_in_local(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
        site: &AwaitSite,
    ) -> Option<Loss<'k>> {
        let model = &self.units[file].model;
        let OpTarget::Method {
            receiver: Some(receiver),
        } = &op.target
        else {
            return None;
        };
        let root = receiver.root();
        if root == "self" || model.local_before(body, root, op.span.start).is_none() {
            return None;
        }
        if model.root_outlives(body, root, op.span.start) {
            return None;
        }
        let Some(Callee::Fn(fn_ref)) = self.resolve(file, body, op) else {
            return None;
        };
        if !self.keeps_state.contains(&fn_ref) {
            return None;
        }
        let fed = op
            .args
            .iter()
            .flatten()
            .any(|arg| model.root_outlives(body, arg.place.root(), op.span.start));
        fed.then(|| Loss {
            leaf: Leaf::LocalState {
                name: root.to_string(),
                method: self.display_name(fn_ref),
            },
            via: Via::Itself,
            callee: None,
            via_trait: None,
            root: Some(Root {
                site: Site::new(&model.path, site.span),
                call: None,
            }),
        })
    }

    /// Whether a method keeps what it reads from another resource in its receiver: an await
    /// on a borrowed parameter fills a field of `self` (`stream.read_buf(&mut self.buf)`).
    pub(super) fn keeps_state_in_self(&self, fn_ref: FnRef) -> bool {
        let model = &self.units[fn_ref.file].model;
        let body = self.item(fn_ref).body;
        let the_body = &model.bodies[body];
        if !the_body.self_by_ref {
            return false;
        }
        the_body.awaits.iter().any(|site| {
            let Some(op) = &site.op else { return false };
            let Some(resource) = &op.resource else {
                return false;
            };
            let root = resource.root();
            root != "self"
                && model.param(body, root).is_some_and(|param| param.is_ref)
                && the_body.mutations.iter().any(|mutation| {
                    mutation.name.starts_with("self.")
                        && site.span.contains(&mutation.span)
                        && (mutation.indexed || APPENDING_READS.contains(&op.name.as_str()))
                })
        })
    }

    /// A loss the body has on one of its fn's by-value parameters of a generic or `impl Trait`
    /// type (`async fn read_frame(mut src: impl AsyncRead + Unpin)`): it loses nothing of its
    /// own, but a caller that passes a borrow (`read_frame(&mut stream)`) loses data on its
    /// stream. The parameter's index and the loss.
    pub(super) fn param_loss(&self, fn_ref: FnRef) -> Option<(usize, Loss<'k>)> {
        let file = fn_ref.file;
        let model = &self.units[file].model;
        let body = self.item(fn_ref).body;
        let params = &model.bodies[body].params;
        let item = self.item(fn_ref);
        // A by-value parameter of a generic or `impl Trait` type: what a caller may lend.
        let lendable = |name: &str, at: usize| -> Option<usize> {
            if model.local_before(body, name, at).is_some() {
                return None;
            }
            let index = params.iter().position(|param| param.name == name)?;
            let param = &params[index];
            let generic = match &param.ty_ref {
                Some(TypeRef::Impl(_)) => true,
                Some(TypeRef::Path(path)) => {
                    path.segments.len() == 1 && item.generics.bounds_of(path.name()).is_some()
                }
                _ => false,
            };
            (generic && !param.is_ref).then_some(index)
        };
        for site in &model.bodies[body].awaits {
            let Some(op) = &site.op else { continue };
            // The parameter handed on, by value, to a function that loses data on it
            // (`read_lp(reader, buf)` inside `read_message(reader: impl AsyncRead, ..)`).
            if let Some(Callee::Fn(callee)) = self.resolve(file, body, op) {
                if let Some((at, loss)) = self.param_losses.get(&callee) {
                    let passed = op.args.get(*at).and_then(Option::as_ref).filter(|arg| {
                        !arg.copied && !arg.borrowed && arg.place.text == arg.place.root()
                    });
                    if let Some(index) =
                        passed.and_then(|arg| lendable(arg.place.root(), op.span.start))
                    {
                        return Some((
                            index,
                            Loss {
                                via: Via::Awaits {
                                    call: call_text(op),
                                },
                                callee: Some(self.display_name(callee)),
                                ..loss.clone()
                            },
                        ));
                    }
                }
            }
            let Some((loss, Some(resource))) = self.call_loss(file, body, op, site.in_loop) else {
                continue;
            };
            if loss.kind() != LossKind::Data {
                continue;
            }
            let Some(index) = lendable(resource.root(), op.span.start) else {
                continue;
            };
            let call = call_text(op);
            let root = loss.root.clone().unwrap_or_else(|| Root {
                site: Site::new(&model.path, site.span),
                call: Some(call.clone()),
            });
            return Some((
                index,
                Loss {
                    via: Via::Awaits { call },
                    callee: None,
                    via_trait: None,
                    root: Some(root),
                    ..loss
                },
            ));
        }
        None
    }

    /// Whether a call's arguments carry a value from outside the body: a parameter of the
    /// enclosing fn, or `self`.
    fn carries_outside_value(&self, model: &FileModel, body: BodyId, op: &Operation) -> bool {
        op.arg_names.iter().any(|name| {
            name == "self"
                || (model.local_before(body, name, op.span.start).is_none()
                    && model.param(body, name).is_some())
        })
    }

    /// "Consume then await": an item taken off an outliving resource (`recv`, `next`, `accept`,
    /// or a workspace function that returns what it took) is still held at a later await in the
    /// same body: bound and used after that await, or handed straight to an awaited call
    /// (`process(rx.recv().await, out).await`).
    fn consume_then_await(&self, file: usize, body: BodyId) -> Option<Loss<'k>> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        let uses = &model.item_uses[the_body.item];
        for (index, first) in the_body.awaits.iter().enumerate() {
            let Some(op) = &first.op else { continue };
            if first.binds.is_empty() && first.held_into.is_none() {
                continue;
            }
            let Some(place) = &op.resource else { continue };
            if !model.root_outlives(body, place.root(), op.span.start) {
                continue;
            }
            if !self.takes_item(file, body, op) {
                continue;
            }
            let taken = |later: Span| Loss {
                leaf: Leaf::TakenItem {
                    method: op.name.clone(),
                    item: if first.binds.is_empty() {
                        format!("{}(..)", op.name)
                    } else {
                        first.binds.join(", ")
                    },
                },
                via: Via::Itself,
                callee: None,
                via_trait: None,
                root: Some(Root {
                    site: Site::new(&model.path, later),
                    call: None,
                }),
            };
            if let Some(outer) = first.held_into {
                return Some(taken(outer));
            }
            // The item is still the same binding at a use: no later `let` of the same name (an
            // item taken in another `match` arm, or the next iteration's) came in between.
            let rebound_before = |name: &str, offset: usize| {
                model.body_chain(body).any(|scope| {
                    scope.locals.iter().any(|local| {
                        local.name == name
                            && local.span.start > first.span.end
                            && local.span.end <= offset
                    })
                })
            };
            let held_at = the_body.awaits[index + 1..]
                .iter()
                .find(|later: &&AwaitSite| {
                    later.span.start > first.span.end
                        && !later.binds.iter().any(|name| first.binds.contains(name))
                        && first.binds.iter().any(|name| {
                            uses.iter().any(|used| {
                                used.place.split('.').next() == Some(name.as_str())
                                    && used.offset >= later.span.start
                                    && !rebound_before(name, used.offset)
                                    && first.in_loop.is_none_or(|lp| lp.span.contains(&used.span))
                            })
                        })
                });
            if let Some(later) = held_at {
                return Some(taken(later.span));
            }
        }
        self.taken_then_awaited(file, body)
    }

    /// Whether awaiting `op` takes an item off its resource: a workspace function whose body
    /// returns what it took, else (a library API, or a call not resolved) a method named like
    /// the takers of the common async APIs (`recv`, `next`, `accept`...).
    pub(crate) fn takes_item(&self, file: usize, body: BodyId, op: &Operation) -> bool {
        match self.resolve(file, body, op) {
            Some(Callee::Fn(fn_ref)) => self.returns_taken.contains(&fn_ref),
            Some(Callee::Trait(set)) => {
                let set = self.dispatch_set(set);
                set.decl
                    .into_iter()
                    .chain(set.impls.iter().copied())
                    .any(|fn_ref| self.returns_taken.contains(&fn_ref))
            }
            Some(Callee::Api(_)) | None => CONSUMERS.contains(&op.name.as_str()),
        }
    }

    /// Whether a function gives back an item it took: it returns an await that takes one, or a
    /// name such an await bound (`let m = self.rx.recv().await; self.count += 1; m`).
    pub(super) fn gives_back_taken(&self, fn_ref: FnRef) -> bool {
        let model = &self.units[fn_ref.file].model;
        let body = self.item(fn_ref).body;
        let the_body = &model.bodies[body];
        let takes = |site: &AwaitSite| {
            site.op
                .as_ref()
                .is_some_and(|op| self.takes_item(fn_ref.file, body, op))
        };
        the_body.returns.iter().any(|returned| match returned {
            Returned::Await(start) => the_body
                .awaits
                .iter()
                .any(|site| site.span.start == *start && takes(site)),
            Returned::Name(name) => the_body
                .awaits
                .iter()
                .any(|site| site.binds.contains(name) && takes(site)),
        })
    }

    /// A value taken synchronously out of an outliving resource (`self.queue.pop_front()`,
    /// `buf.split_to(n)` on a `&mut` buffer) into a local that is used after a later await: the
    /// future holds the only copy while it waits.
    fn taken_then_awaited(&self, file: usize, body: BodyId) -> Option<Loss<'k>> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        let uses = &model.item_uses[the_body.item];
        for local in &the_body.locals {
            let Some((place, name)) = taker_call(local.value.as_ref()) else {
                continue;
            };
            let bytes = BYTE_TAKERS.contains(&name);
            let root = place.split('.').next().unwrap_or(place);
            // Taking out of a local collection loses nothing anyone else has.
            if root != "self" && model.local_before(body, root, local.span.start).is_some() {
                continue;
            }
            if !model.root_outlives(body, root, local.span.start) {
                continue;
            }
            let held = the_body.awaits.iter().find(|later| {
                later.span.start > local.span.end
                    && uses.iter().any(|used| {
                        used.place.split('.').next() == Some(local.name.as_str())
                            && used.offset >= later.span.start
                            && model
                                .local_before(body, &local.name, used.offset)
                                .map(|l| l.span.start)
                                == Some(local.span.start)
                    })
            });
            if let Some(later) = held {
                let leaf = if bytes {
                    Leaf::TakenBytes {
                        method: name.to_string(),
                        item: local.name.clone(),
                    }
                } else {
                    Leaf::TakenItem {
                        method: name.to_string(),
                        item: local.name.clone(),
                    }
                };
                return Some(Loss {
                    leaf,
                    via: Via::Itself,
                    callee: None,
                    via_trait: None,
                    root: Some(Root {
                        site: Site::new(&model.path, later.span),
                        call: None,
                    }),
                });
            }
        }
        None
    }

    /// A value the caller moved in (`async fn push(&self, item: Frame)`) is still owned by the
    /// future at an await before the body hands it on: dropping the future drops it, as
    /// `Sender::send` drops its message.
    fn owned_argument_held(&self, file: usize, body: BodyId) -> Option<Loss<'k>> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        if !matches!(the_body.kind, BodyKind::Fn { .. }) {
            return None;
        }
        let uses = &model.item_uses[the_body.item];
        for (index, param) in the_body.params.iter().enumerate() {
            if param.is_ref || param.shared || !is_owned_message(param.ty_ref.as_ref()) {
                continue;
            }
            let held = the_body.awaits.iter().find(|site| {
                // The await itself does not take the value along (`tx.send(item).await`).
                !site
                    .op
                    .as_ref()
                    .is_some_and(|op| op.arg_names.contains(&param.name))
                    && uses.iter().any(|used| {
                        used.place.split('.').next() == Some(param.name.as_str())
                            && used.offset >= site.span.end
                            && model.local_before(body, &param.name, used.offset).is_none()
                    })
            });
            if let Some(site) = held {
                return Some(Loss {
                    leaf: Leaf::OwnedArgument {
                        name: param.name.clone(),
                        index,
                    },
                    via: Via::Itself,
                    callee: None,
                    via_trait: None,
                    root: Some(Root {
                        site: Site::new(&model.path, site.span),
                        call: None,
                    }),
                });
            }
        }
        None
    }

    /// Local buffers that accumulate data across awaits inside a loop: data read by an await
    /// on a resource that outlives the body flows into them (`read_buf(&mut buf)`, or
    /// `buf.push(item)` where `item` came from such an await). An error an await reports
    /// (`Err(e) => errors.push(e)`) is not data read, and neither is what an await gives back
    /// for an item the loop moved out of another local (`for t in tasks { out.push(filter(t)
    /// .await) }`): the body already had it.
    pub fn held_buffers(&self, file: usize, body: BodyId) -> Vec<HeldBuffer> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        let mut held = Vec::new();
        for local in the_body.locals.iter().filter(|local| local.collection) {
            for lp in &the_body.loops {
                // A buffer declared before the loop, and still in scope there.
                if lp.span.contains(&local.span)
                    || local.span.start > lp.span.start
                    || lp.span.start > local.scope_end
                {
                    continue;
                }
                let owned = self.items_moved_out_of_locals(model, body, lp);
                let hands_over_owned = |op: &Operation| {
                    op.args
                        .iter()
                        .flatten()
                        .any(|arg| !arg.copied && owned.contains(&arg.place.text.as_str()))
                };
                let reads: Vec<&AwaitSite> = the_body
                    .awaits
                    .iter()
                    .filter(|site| {
                        lp.span.contains(&site.span)
                            && site.op.as_ref().is_some_and(|op| {
                                !hands_over_owned(op)
                                    && op.resource.as_ref().is_some_and(|place| {
                                        model.root_outlives(body, place.root(), op.span.start)
                                    })
                            })
                    })
                    .collect();
                let Some(first_read) = reads.first() else {
                    continue;
                };
                // Names that carry data read by those awaits: what they bind, what they fill
                // through `&mut`, and locals of the loop computed from those.
                let mut tainted: HashSet<&str> = HashSet::new();
                for site in &reads {
                    tainted.extend(site.binds.iter().map(String::as_str));
                    for mutation in &the_body.mutations {
                        if site.span.contains(&mutation.span) {
                            tainted.insert(&mutation.name);
                        }
                    }
                }
                for _ in 0..3 {
                    for derived in the_body
                        .locals
                        .iter()
                        .filter(|derived| lp.span.contains(&derived.span))
                    {
                        if derived
                            .init_names
                            .iter()
                            .any(|name| tainted.contains(name.as_str()))
                        {
                            tainted.insert(&derived.name);
                        }
                    }
                }
                // Filled by the read itself: into a part of the buffer (`&mut buf[n..]`), or by a
                // read that appends (`read_buf(&mut buf)`); a whole array handed to `recv` is
                // overwritten each time and builds nothing up.
                let filled_by_read = |mutation: &Mutation| {
                    reads.iter().any(|site| {
                        site.span.contains(&mutation.span)
                            && (mutation.indexed
                                || site
                                    .op
                                    .as_ref()
                                    .is_some_and(|op| APPENDING_READS.contains(&op.name.as_str())))
                    })
                };
                // Or grown by what such an await gives, bound (`buf.push(item)`) or pushed as it
                // comes (`buf.push(stream.read_u8().await?)`).
                let filled = the_body.mutations.iter().any(|mutation| {
                    mutation.name == local.name
                        && lp.span.contains(&mutation.span)
                        && (filled_by_read(mutation)
                            || reads.iter().any(|site| mutation.span.contains(&site.span))
                            || mutation
                                .arg_names
                                .iter()
                                .any(|name| tainted.contains(name.as_str())))
                });
                if filled {
                    let resource = first_read.op.as_ref().and_then(|op| op.resource.clone());
                    held.push(HeldBuffer {
                        name: local.name.clone(),
                        declared: local.span,
                        await_span: first_read.span,
                        loop_keyword: lp.keyword,
                        resource,
                    });
                    break;
                }
            }
        }
        held
    }

    /// The names a `for` loop binds to the items it moves out of a local or of a parameter
    /// taken by value (`for t in tasks`, `for t in tasks.drain(..)`): values the body already
    /// holds.
    fn items_moved_out_of_locals<'m>(
        &self,
        model: &'m FileModel,
        body: BodyId,
        lp: &LoopSite,
    ) -> Vec<&'m str> {
        let owned_root = |root: &str| match model.local_before(body, root, lp.span.start) {
            Some(local) => local.alias_of.is_none(),
            None => model
                .param(body, root)
                .is_some_and(|param| !param.is_ref && !param.shared),
        };
        model.bodies[body]
            .bindings
            .iter()
            .filter(|binding| lp.keyword.contains(&binding.span))
            .filter(|binding| {
                binding
                    .value
                    .as_ref()
                    .and_then(iterated_root)
                    .is_some_and(owned_root)
            })
            .map(|binding| binding.name.as_str())
            .collect()
    }
}

/// The place whose elements a `for` loop's item is (`tasks` for `tasks`, `tasks.drain(..)`,
/// `&mut tasks`), seen through the loop's projection.
fn iterated_root(value: &ValueExpr) -> Option<&str> {
    let ValueExpr::Project(whole, steps) = value else {
        return None;
    };
    if steps.first() != Some(&super::value::Proj::Element) {
        return None;
    }
    let mut value = &**whole;
    for _ in 0..8 {
        match value {
            ValueExpr::Place(place) => return place.split('.').next(),
            ValueExpr::Ref(inner) => value = inner,
            ValueExpr::Method { receiver, name, .. }
                if matches!(name.as_str(), "into_iter" | "iter" | "iter_mut" | "drain") =>
            {
                value = receiver
            }
            _ => return None,
        }
    }
    None
}

/// The place a value was taken out of and the taking method: `self.queue.pop_front()`,
/// `buf.split_to(n).freeze()`, through `?`, `unwrap` and conversions of the taken value.
fn taker_call(value: Option<&ValueExpr>) -> Option<(&str, &str)> {
    let mut value = value?;
    for _ in 0..8 {
        match value {
            ValueExpr::Unwrap(inner) => value = inner,
            ValueExpr::Method { receiver, name, .. } => {
                if ITEM_TAKERS.contains(&name.as_str()) || BYTE_TAKERS.contains(&name.as_str()) {
                    if let ValueExpr::Place(place) = &**receiver {
                        return Some((place, name));
                    }
                    return None;
                }
                value = receiver;
            }
            _ => return None,
        }
    }
    None
}

/// Whether a parameter of this declared type is a value the caller hands over (a message, a
/// buffer, a request), not a handle or a small copyable value.
fn is_owned_message(ty: Option<&TypeRef>) -> bool {
    let Some(TypeRef::Path(path)) = ty else {
        return false;
    };
    let name = path.name();
    let copyable = matches!(
        name,
        "u8" | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "f32"
            | "f64"
            | "bool"
            | "char"
            | "Duration"
            | "Instant"
            | "SystemTime"
            | "SocketAddr"
            | "IpAddr"
            | "Ordering"
    );
    let handle = name.ends_with("Sender")
        || name.ends_with("Receiver")
        || name.ends_with("Handle")
        || name.ends_with("Token")
        || name.ends_with("Context")
        || name.ends_with("Config")
        || name.ends_with("Options")
        || matches!(
            name,
            "Arc" | "Rc" | "Weak" | "Pin" | "Box" | "Option" | "PhantomData" | "Span"
        );
    // A generic or `impl Trait` parameter is a reader, a future or a closure as often as a value.
    let generic = path.segments.len() == 1 && name.len() == 1;
    !copyable && !handle && !generic
}

/// A local buffer that accumulates across awaits.
#[derive(Clone, Debug)]
pub struct HeldBuffer {
    pub name: String,
    /// The `let`.
    pub declared: Span,
    /// An await inside the loop that reads from the outliving resource.
    pub await_span: Span,
    pub loop_keyword: Span,
    /// What that await reads from.
    pub resource: Option<Place>,
}

/// Whether anyone misses what a dropped branch loses.
impl RaceSite {
    /// Whether what wins instead of branch `index` may be a timer: the time running out of a
    /// timeout, or another branch that sleeps.
    pub fn a_timer_may_win(&self, index: usize) -> bool {
        matches!(self.kind, RaceKind::Timeout { .. })
            || self.branches.iter().enumerate().any(|(other, branch)| {
                other != index
                    && branch
                        .op
                        .as_ref()
                        .is_some_and(|op| op.path().is_some_and(|path| TIMER_FNS.contains(&path)))
            })
    }

    /// Why dropping branch `index` midway loses progress, or `None` when nothing is missed.
    /// With `repeats_only`, only a loop that drops the future again and again counts (a lost
    /// message); otherwise a resource left out of sync for a later user counts too.
    ///
    /// A timeout or join whose loss panics (`.await.unwrap()`) ends the task with the future:
    /// nothing reads the resource again. A join drops its futures only when one fails, and then
    /// the whole exchange has failed: its loss is missed only where the code visibly goes on
    /// with the resource after the error (a loop that handles the error and goes round again,
    /// a use after the join that the error does not skip), not because the resource is the
    /// caller's (a field of `self`, a `&mut` parameter) and the caller might.
    pub fn progress_lost(
        &self,
        model: &FileModel,
        index: usize,
        repeats_only: bool,
        resource: Option<&Place>,
    ) -> Option<LossReason> {
        let branch = &self.branches[index];
        if branch.resumed || self.fallback_panics {
            return None;
        }
        // An `async` block branch has no single operation: it is created anew each time round
        // and whatever it works on is judged inside it.
        let op = branch.op.as_ref();
        let resource = resource.or_else(|| op.and_then(|op| op.resource.as_ref()));
        if let (Some(lp), true) = (self.in_loop, branch.created_in_loop) {
            if self.others_may_continue(index)
                && self.resource_outlives_iteration(model, resource, lp)
            {
                return Some(LossReason::Loop {
                    keyword: lp.keyword,
                });
            }
        }
        if repeats_only {
            return None;
        }
        let resource = resource?;
        // Code after the site runs with this future dropped only when something else may win
        // and go on: after a timeout whose elapsed error returns, or a select whose other
        // branches all leave, the code after it saw this future complete.
        if self.others_may_continue(index) {
            if let Some(used) = model.use_after(self.body, &resource.text, self.span.end) {
                return Some(LossReason::UsedAfter { used: used.clone() });
            }
        }
        if matches!(self.kind, RaceKind::TryJoin { .. }) {
            return None;
        }
        if (resource.is_self_field() || resource.text == "self")
            && model.self_outlives_call(self.body)
        {
            return Some(LossReason::SelfField);
        }
        // A local or pattern binding that borrows from `self` (`let (_, r) = self.halves.as_mut()
        // ..`, `match &mut self.state { Open(r) => .. }`) is part of `self` too.
        if model.borrowed_root(self.body, resource.root(), self.span.start) == Some("self")
            && model.self_outlives_call(self.body)
        {
            return Some(LossReason::SelfField);
        }
        let root = resource.root();
        if model
            .local_before(self.body, root, self.span.start)
            .is_none()
        {
            if let Some(param) = model
                .param(self.body, root)
                .filter(|param| param.is_mut_ref)
            {
                return Some(LossReason::MutParam {
                    name: param.name.clone(),
                });
            }
        }
        None
    }

    /// The operation's resource lives longer than one iteration of the loop: it is declared
    /// before the loop, is a parameter or `self`, or the operation has no resource (the value it
    /// carries is lost every time).
    fn resource_outlives_iteration(
        &self,
        model: &FileModel,
        resource: Option<&Place>,
        lp: LoopSite,
    ) -> bool {
        let Some(resource) = resource else {
            return true;
        };
        match model.local_before(self.body, resource.root(), self.span.start) {
            Some(local) => !lp.span.contains(&local.span),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::test_support::{model_of, workspace_of};
    use crate::model::{Leaf, LossReason};

    fn reasons(text: &str) -> Vec<Option<LossReason>> {
        let model = model_of(text);
        model.races[0]
            .branches
            .iter()
            .enumerate()
            .map(|(index, _)| model.races[0].progress_lost(&model, index, false, None))
            .collect()
    }

    #[test]
    fn a_loop_that_recreates_the_future_loses_its_progress() {
        let found = reasons(
            "async fn f(mut s: S, mut rx: R) { let mut b = [0; 4]; loop { tokio::select! { r = s.read_exact(&mut b) => {}, _ = rx.recv() => {} } } }",
        );
        assert!(matches!(found[0], Some(LossReason::Loop { .. })));
    }

    #[test]
    fn a_resource_used_after_a_one_shot_select_is_missed() {
        let found = reasons(
            "async fn f(mut s: S, mut rx: R) { let mut b = [0; 4]; tokio::select! { r = s.read_exact(&mut b) => {}, _ = rx.recv() => {} } s.read_exact(&mut b).await; }",
        );
        assert!(matches!(&found[0], Some(LossReason::UsedAfter { used }) if used.place == "s"));
    }

    #[test]
    fn a_self_field_or_a_mut_parameter_outlives_the_select() {
        let found = reasons(
            "impl C { async fn f(&mut self, rx: &mut R) { tokio::select! { r = self.s.read_u8() => {}, _ = rx.recv() => {} } } }",
        );
        assert!(matches!(found[0], Some(LossReason::SelfField)));
        assert!(matches!(&found[1], Some(LossReason::MutParam { name }) if name == "rx"));
    }

    #[test]
    fn a_failed_join_is_missed_only_where_the_code_goes_on_with_the_resource() {
        // `?` leaves, and the streams in `self` are the caller's: whether the caller reads them
        // after the failed exchange is not followed.
        let found = reasons(
            "impl C { async fn f(&mut self) -> R { tokio::try_join!(self.a.read_u8(), self.b.read_u8())?; Ok(()) } }",
        );
        assert!(found.iter().all(Option::is_none), "{found:?}");
        // The error is logged and the loop reads the streams again.
        let found = reasons(
            "async fn f(a: &mut S, b: &mut S) { loop { if let Err(e) = tokio::try_join!(a.read_u8(), b.read_u8()) { log(e); } } }",
        );
        assert!(matches!(found[0], Some(LossReason::Loop { .. })));
        // The error is handled and the stream read after the join.
        let found = reasons(
            "async fn f(a: &mut S, b: &mut S) { let _ = tokio::try_join!(a.read_u8(), b.read_u8()); a.read_u8().await; }",
        );
        assert!(matches!(&found[0], Some(LossReason::UsedAfter { used }) if used.place == "a"));
        assert!(found[1].is_none());
    }

    #[test]
    fn a_timeout_that_panics_when_lost_loses_nothing_anyone_reads() {
        let found = reasons(
            "impl C { async fn f(&mut self) { tokio::time::timeout(D, self.s.read_u8()).await.unwrap(); self.s.read_u8().await; } }",
        );
        assert!(found[0].is_none());
    }

    #[test]
    fn a_future_pinned_before_the_loop_is_resumed_not_lost() {
        let found = reasons(
            "async fn f(mut s: S, mut rx: R) { let mut b = [0; 4]; let read = s.read_exact(&mut b); tokio::pin!(read); loop { tokio::select! { r = &mut read => break, _ = rx.recv() => {} } } }",
        );
        assert!(found[0].is_none());
    }

    #[test]
    fn consume_then_await_and_held_buffers_are_losses_of_the_body() {
        let workspace = workspace_of(&[(
            "",
            r#"
async fn forward(rx: &mut Receiver<Job>, out: &mut Sink) {
    let job = rx.recv().await;
    out.flush().await;
    drop(job);
}
async fn gather(s: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        s.read_buf(&mut all).await.unwrap();
    }
}
"#,
        )]);
        let model = &workspace.units[0].model;
        let leaf = |index: usize| {
            workspace
                .body_loss(0, model.fns[index].body)
                .map(|l| l.leaf)
        };
        assert!(
            matches!(leaf(0), Some(Leaf::TakenItem { method, item }) if method == "recv" && item == "job")
        );
        assert!(matches!(leaf(1), Some(Leaf::Buffer { name }) if name == "all"));
    }
}
