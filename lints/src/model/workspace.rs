//! The workspace: every file's model, an index of the functions defined in it, call resolution,
//! and per-function cancel-safety summaries computed to a fixed point.
//!
//! Only compact models are kept here, never syntax trees.

use std::collections::{HashMap, HashSet, VecDeque};

use super::names::{APPENDING_READS, CONSUMERS};
use super::{AwaitSite, BodyId, BodyKind, FileModel, FnItem, Mutation, OpTarget, Operation};
use crate::diagnostic::Label;
use crate::knowledge::docs::Stated;
use crate::knowledge::{ApiEntry, Knowledge, Verdict};

/// One analysed file with its place in its crate.
#[derive(Debug)]
pub struct Unit {
    pub model: FileModel,
    /// The crate the file belongs to (`demo`, `my_crate`).
    pub crate_name: String,
    /// The file's module path inside its crate (`["net", "conn"]`); empty for the crate root.
    pub module: Vec<String>,
}

/// A function of the workspace: file index and index into that file's `fns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    pub file: usize,
    pub index: usize,
}

/// What kind of progress a future loses when dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// Data taken from a resource that lives on (a stream left mid-frame).
    Data,
    /// A value: a message handed in or taken out. Matters when a loop repeats it.
    Message,
}

/// Why a future is not cancel safe, for diagnostics.
#[derive(Clone, Debug)]
pub struct Loss {
    pub kind: LossKind,
    /// What is lost, as a noun phrase.
    pub loses: String,
    /// How to fix it, imperative.
    pub fix: Option<String>,
    /// Where the knowledge comes from, or why the callee is not cancel safe.
    pub note: String,
    /// The root cause inside a workspace callee (possibly in another file).
    pub why: Option<Label>,
}

/// A function's cancel safety.
#[derive(Clone, Debug)]
pub enum Safety {
    Safe,
    /// Documented as safe only under a condition: not reported.
    Conditional,
    Unsafe(Loss),
}

/// What a call resolves to.
#[derive(Clone, Copy, Debug)]
pub enum Callee<'k> {
    Api(&'k ApiEntry),
    Fn(FnRef),
}

/// Every file of a run, indexed.
pub struct Workspace<'k> {
    pub units: Vec<Unit>,
    knowledge: &'k Knowledge,
    /// `crate::module::name` -> free function.
    free_fns: HashMap<String, FnRef>,
    /// (type, method) -> methods and trait methods.
    methods: HashMap<(String, String), Vec<FnRef>>,
    /// method name -> methods.
    method_names: HashMap<String, Vec<FnRef>>,
    user_types: HashSet<String>,
    fields: HashMap<String, HashMap<String, String>>,
    summaries: HashMap<FnRef, Safety>,
    /// Functions some race drops, with the race that does.
    raced: HashMap<FnRef, Label>,
    /// Functions that await blocking work cancellation cannot stop, with where.
    blocking: HashMap<FnRef, Label>,
}

impl<'k> Workspace<'k> {
    /// Indexes the files and computes every summary.
    pub fn build(units: Vec<Unit>, knowledge: &'k Knowledge) -> Workspace<'k> {
        let mut workspace = Workspace {
            units,
            knowledge,
            free_fns: HashMap::new(),
            methods: HashMap::new(),
            method_names: HashMap::new(),
            user_types: HashSet::new(),
            fields: HashMap::new(),
            summaries: HashMap::new(),
            raced: HashMap::new(),
            blocking: HashMap::new(),
        };
        workspace.index();
        workspace.summarise();
        workspace.find_raced();
        workspace.find_blocking();
        workspace
    }

    fn index(&mut self) {
        for (file, unit) in self.units.iter().enumerate() {
            self.user_types
                .extend(unit.model.user_types.iter().cloned());
            for (name, fields) in &unit.model.fields {
                self.fields
                    .entry(name.clone())
                    .or_default()
                    .extend(fields.clone());
            }
            for (index, item) in unit.model.fns.iter().enumerate() {
                let fn_ref = FnRef { file, index };
                match &item.self_type {
                    Some(ty) => {
                        self.methods
                            .entry((ty.clone(), item.name.clone()))
                            .or_default()
                            .push(fn_ref);
                        self.method_names
                            .entry(item.name.clone())
                            .or_default()
                            .push(fn_ref);
                    }
                    None => {
                        let path =
                            module_path(&unit.crate_name, &unit.module, &item.module, &item.name);
                        self.free_fns.entry(path).or_insert(fn_ref);
                    }
                }
            }
        }
    }

    /// The function item.
    pub fn item(&self, fn_ref: FnRef) -> &FnItem {
        &self.units[fn_ref.file].model.fns[fn_ref.index]
    }

    /// A readable name: `Conn::read_frame`, `decode`.
    pub fn display_name(&self, fn_ref: FnRef) -> String {
        let item = self.item(fn_ref);
        match &item.self_type {
            Some(ty) => format!("{ty}::{}", item.name),
            None => item.name.clone(),
        }
    }

    /// The summary of a function (safe until shown otherwise).
    pub fn safety(&self, fn_ref: FnRef) -> &Safety {
        self.summaries.get(&fn_ref).unwrap_or(&Safety::Safe)
    }

    /// The race that drops this function's future, directly or through the functions that
    /// await it, if any.
    pub fn raced_by(&self, fn_ref: FnRef) -> Option<&Label> {
        self.raced.get(&fn_ref)
    }

    /// The function whose body contains `body` (the outermost fn of its chain).
    fn enclosing_fn(&self, file: usize, body: BodyId) -> Option<&FnItem> {
        let model = &self.units[file].model;
        let mut id = body;
        let mut root = None;
        loop {
            if matches!(model.bodies[id].kind, BodyKind::Fn { .. }) {
                root = Some(id);
            }
            match model.bodies[id].parent {
                Some(parent) => id = parent,
                None => break,
            }
        }
        let root = root?;
        model.fns.iter().find(|item| item.body == root)
    }

    /// What a call in `body` of `file` resolves to: a workspace function (by scope, imports and
    /// visible types), else a knowledge-base API.
    pub fn resolve(&self, file: usize, body: BodyId, op: &Operation) -> Option<Callee<'k>> {
        let unit = &self.units[file];
        let model = &unit.model;
        match &op.target {
            OpTarget::Path { full, segments } => {
                if segments.len() >= 2 {
                    let owner = &segments[segments.len() - 2];
                    let owner = if owner == "Self" {
                        model.self_type(body).map(str::to_string)
                    } else {
                        Some(owner.clone())
                    };
                    if let Some(found) =
                        owner.and_then(|ty| self.methods.get(&(ty, op.name.clone())))
                    {
                        return found.first().copied().map(Callee::Fn);
                    }
                }
                let inline = self
                    .enclosing_fn(file, body)
                    .map(|item| item.module.clone())
                    .unwrap_or_default();
                let mut here: Vec<String> = unit.module.clone();
                here.extend(inline);
                let written = segments.join("::");
                let mut candidates = vec![
                    module_path(&unit.crate_name, &here, &[], &written),
                    format!("{}::{written}", unit.crate_name),
                ];
                if let Some(rest) = full.strip_prefix("crate::") {
                    candidates.push(format!("{}::{rest}", unit.crate_name));
                } else if let Some(rest) = full.strip_prefix("self::") {
                    candidates.push(module_path(&unit.crate_name, &here, &[], rest));
                } else if let Some(rest) = full.strip_prefix("super::") {
                    let parent = &here[..here.len().saturating_sub(1)];
                    candidates.push(module_path(&unit.crate_name, parent, &[], rest));
                } else {
                    candidates.push(full.clone());
                }
                if let Some(found) = candidates.iter().find_map(|path| self.free_fns.get(path)) {
                    return Some(Callee::Fn(*found));
                }
                op.api(self.knowledge, None, |_| false, false, false)
                    .map(Callee::Api)
            }
            OpTarget::Method { receiver } => {
                let ty = match receiver {
                    Some(place) if place.text == "self" => {
                        model.self_type(body).map(str::to_string)
                    }
                    Some(place) => {
                        model.type_of_place_with(body, place, op.span.start, &self.fields)
                    }
                    None => None,
                };
                if let Some(ty) = &ty {
                    if let Some(found) = self.methods.get(&(ty.clone(), op.name.clone())) {
                        return found.first().copied().map(Callee::Fn);
                    }
                }
                let user_method = self.method_names.contains_key(&op.name);
                // `send(buf)` where `buf: &[u8]` lends the data like `send(&buf)` does.
                let first_arg_borrowed = op.first_arg_name.as_deref().is_some_and(|name| {
                    model.local_before(body, name, op.span.start).is_none()
                        && model.param(body, name).is_some_and(|param| param.is_ref)
                });
                if let Some(api) = op.api(
                    self.knowledge,
                    ty.as_deref(),
                    |ty| self.user_types.contains(ty),
                    user_method,
                    first_arg_borrowed,
                ) {
                    return Some(Callee::Api(api));
                }
                let knowledge_knows = self.knowledge.named(&op.name).next().is_some();
                match (ty, self.method_names.get(&op.name)) {
                    (None, Some(found)) if found.len() == 1 && !knowledge_knows => {
                        Some(Callee::Fn(found[0]))
                    }
                    _ => None,
                }
            }
        }
    }

    /// What dropping the callee's future loses, if anything.
    pub fn loss_of(&self, callee: Callee<'k>, uses_method: impl Fn(&str) -> bool) -> Option<Loss> {
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
                    kind: if api.loss_repeats_only() {
                        LossKind::Message
                    } else {
                        LossKind::Data
                    },
                    loses: api
                        .loses
                        .clone()
                        .unwrap_or_else(|| "its progress".to_string()),
                    fix: api.fix.clone(),
                    note: api_note(api),
                    why: None,
                })
            }
            Callee::Fn(fn_ref) => match self.safety(fn_ref) {
                Safety::Unsafe(loss) => Some(Loss {
                    note: format!(
                        "`{}` is not cancel safe: {}",
                        self.display_name(fn_ref),
                        loss.note
                    ),
                    ..loss.clone()
                }),
                Safety::Safe | Safety::Conditional => None,
            },
        }
    }

    fn summarise(&mut self) {
        let all: Vec<FnRef> = self
            .units
            .iter()
            .enumerate()
            .flat_map(|(file, unit)| {
                (0..unit.model.fns.len()).map(move |index| FnRef { file, index })
            })
            .collect();
        for &fn_ref in &all {
            let item = self.item(fn_ref);
            let Some(annotation) = &item.annotation else {
                continue;
            };
            let path = self.units[fn_ref.file].model.path.clone();
            let safety = match annotation.stated {
                Stated::Safe => Safety::Safe,
                Stated::Conditional => Safety::Conditional,
                Stated::NotSafe => Safety::Unsafe(Loss {
                    kind: LossKind::Data,
                    loses: "its progress".to_string(),
                    fix: None,
                    note: format!("documented as not cancel safe: \"{}\"", annotation.text),
                    why: Some(Label {
                        file: path,
                        span: annotation.span,
                        message: "documented as not cancel safe".to_string(),
                    }),
                }),
            };
            self.summaries.insert(fn_ref, safety);
        }
        // Summaries only move from safe to unsafe, so this reaches a fixed point; recursion and
        // cycles simply stop changing.
        loop {
            let mut changed = false;
            for &fn_ref in &all {
                let item = self.item(fn_ref);
                if !item.is_async || self.summaries.contains_key(&fn_ref) {
                    continue;
                }
                if let Some(loss) = self.fn_loss(fn_ref) {
                    self.summaries.insert(fn_ref, Safety::Unsafe(loss));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Why dropping a function's future loses progress: its own body, or for a fn returning
    /// `impl Future` (no `async` keyword), the `async` blocks it returns.
    fn fn_loss(&self, fn_ref: FnRef) -> Option<Loss> {
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
    pub fn body_loss(&self, file: usize, body: BodyId) -> Option<Loss> {
        let model = &self.units[file].model;
        let path = &model.path;
        let uses_method = |name: &str| model.called_methods.contains(name);
        for site in &model.bodies[body].awaits {
            let Some(op) = &site.op else { continue };
            let Some(callee) = self.resolve(file, body, op) else {
                continue;
            };
            let Some(loss) = self.loss_of(callee, uses_method) else {
                continue;
            };
            if !self.resource_outlives(file, body, op, callee) {
                continue;
            }
            // A message the function built itself (`tx.send(Request { reply })`) is not the
            // caller's: dropping it with the future loses nothing anyone has. It counts when it
            // carries a parameter.
            if loss.kind == LossKind::Message && !self.carries_outside_value(model, body, op) {
                continue;
            }
            let call = call_text(op);
            let why = loss.why.clone().unwrap_or_else(|| Label {
                file: path.clone(),
                span: site.span,
                message: format!("awaits `{call}`, which is not cancel safe"),
            });
            return Some(Loss {
                note: format!("it awaits `{call}`, which loses {}", loss.loses),
                why: Some(why),
                ..loss
            });
        }
        if let Some(loss) = self.consume_then_await(file, body) {
            return Some(loss);
        }
        self.held_buffers(file, body)
            .into_iter()
            .next()
            .map(|held| Loss {
                kind: LossKind::Data,
                loses: format!("the data accumulated in `{}`", held.name),
                fix: Some(format!(
                    "keep `{}` in the struct that owns the resource, or use a framed reader",
                    held.name
                )),
                note: format!(
                    "it accumulates data in the local `{}` across awaits",
                    held.name
                ),
                why: Some(Label {
                    file: path.clone(),
                    span: held.declared,
                    message: format!(
                        "`{}` accumulates data across awaits and is dropped with the future",
                        held.name
                    ),
                }),
            })
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

    /// The operation works on something that outlives the body: a field of a borrowed `self`, a
    /// parameter passed by reference or shared, a static. A workspace callee with no receiver and
    /// no `&mut` argument is taken to work on shared state.
    fn resource_outlives(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
        callee: Callee<'_>,
    ) -> bool {
        let model = &self.units[file].model;
        match &op.resource {
            Some(place) => model.root_outlives(body, place.root(), op.span.start),
            None => matches!(callee, Callee::Fn(_)),
        }
    }

    /// "Consume then await": an item taken off an outliving resource (`recv`, `next`, `accept`)
    /// is still held at a later await in the same body.
    fn consume_then_await(&self, file: usize, body: BodyId) -> Option<Loss> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        let uses = &model.item_uses[the_body.item];
        for (index, first) in the_body.awaits.iter().enumerate() {
            let Some(op) = &first.op else { continue };
            if first.binds.is_empty() || !CONSUMERS.contains(&op.name.as_str()) {
                continue;
            }
            let Some(place) = &op.resource else { continue };
            if !model.root_outlives(body, place.root(), op.span.start) {
                continue;
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
                let item = first.binds.join(", ");
                return Some(Loss {
                    kind: LossKind::Message,
                    loses: format!("the item taken by `{}`", op.name),
                    fix: Some(format!(
                        "return or store `{item}` before awaiting anything else, or keep it in `self` so that a dropped call can be resumed"
                    )),
                    note: format!("it takes `{item}` with `{}` and awaits again while holding it", op.name),
                    why: Some(Label {
                        file: model.path.clone(),
                        span: later.span,
                        message: format!("awaits while holding `{item}` taken by `{}`", op.name),
                    }),
                });
            }
        }
        None
    }

    /// Local buffers that accumulate data across awaits inside a loop: data read by an await
    /// on a resource that outlives the body flows into them (`read_buf(&mut buf)`, or
    /// `buf.push(item)` where `item` came from such an await).
    pub fn held_buffers(&self, file: usize, body: BodyId) -> Vec<HeldBuffer> {
        let model = &self.units[file].model;
        let the_body = &model.bodies[body];
        let mut held = Vec::new();
        for local in the_body.locals.iter().filter(|local| local.collection) {
            for lp in &the_body.loops {
                if lp.span.contains(&local.span) || local.span.start > lp.span.start {
                    continue;
                }
                let reads: Vec<&AwaitSite> = the_body
                    .awaits
                    .iter()
                    .filter(|site| {
                        lp.span.contains(&site.span)
                            && site.op.as_ref().is_some_and(|op| {
                                op.resource.as_ref().is_some_and(|place| {
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
                let filled = the_body.mutations.iter().any(|mutation| {
                    mutation.name == local.name
                        && lp.span.contains(&mutation.span)
                        && (filled_by_read(mutation)
                            || mutation
                                .arg_names
                                .iter()
                                .any(|name| tainted.contains(name.as_str())))
                });
                if filled {
                    held.push(HeldBuffer {
                        name: local.name.clone(),
                        declared: local.span,
                        await_span: first_read.span,
                        loop_keyword: lp.keyword,
                    });
                    break;
                }
            }
        }
        held
    }

    /// Where a function awaits blocking work that dropping its future does not stop, if it does.
    pub fn blocking_work(&self, fn_ref: FnRef) -> Option<&Label> {
        self.blocking.get(&fn_ref)
    }

    /// Marks the functions that await a mutating file-system operation, directly or through
    /// other functions, to a fixed point. (A `spawn_blocking` inside a function is often
    /// read-only work such as a DNS lookup; only a handle raced directly is reported.)
    fn find_blocking(&mut self) {
        use crate::knowledge::Effect;
        let all: Vec<FnRef> = self
            .units
            .iter()
            .enumerate()
            .flat_map(|(file, unit)| {
                (0..unit.model.fns.len()).map(move |index| FnRef { file, index })
            })
            .collect();
        loop {
            let mut changed = false;
            for &fn_ref in &all {
                if self.blocking.contains_key(&fn_ref) {
                    continue;
                }
                let body = self.item(fn_ref).body;
                let model = &self.units[fn_ref.file].model;
                let found = model.bodies[body].awaits.iter().find_map(|site| {
                    let op = site.op.as_ref()?;
                    match self.resolve(fn_ref.file, body, op)? {
                        Callee::Api(api) if api.effect == Some(Effect::FsWrite) => Some(Label {
                            file: model.path.clone(),
                            span: site.span,
                            message: format!(
                                "awaits `{}`, which runs on the blocking pool",
                                call_text(op)
                            ),
                        }),
                        Callee::Fn(callee) => self.blocking.get(&callee).cloned(),
                        Callee::Api(_) => None,
                    }
                });
                if let Some(label) = found {
                    self.blocking.insert(fn_ref, label);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Marks every function a race drops, directly or through the functions that await it.
    fn find_raced(&mut self) {
        let mut queue: VecDeque<(FnRef, Label)> = VecDeque::new();
        for (file, unit) in self.units.iter().enumerate() {
            for race in &unit.model.races {
                let label = Label {
                    file: unit.model.path.clone(),
                    span: race.label_span,
                    message: "raced here: the future is dropped if it does not finish first"
                        .to_string(),
                };
                for branch in &race.branches {
                    if let Some(op) = &branch.op {
                        if let Some(Callee::Fn(fn_ref)) = self.resolve(file, race.body, op) {
                            queue.push_back((fn_ref, label.clone()));
                        }
                    }
                    if let Some(block) = branch.block_body {
                        for site in &unit.model.bodies[block].awaits {
                            let callee = site
                                .op
                                .as_ref()
                                .and_then(|op| self.resolve(file, block, op));
                            if let Some(Callee::Fn(fn_ref)) = callee {
                                queue.push_back((fn_ref, label.clone()));
                            }
                        }
                    }
                }
            }
        }
        while let Some((fn_ref, label)) = queue.pop_front() {
            if self.raced.contains_key(&fn_ref) {
                continue;
            }
            self.raced.insert(fn_ref, label.clone());
            let body = self.item(fn_ref).body;
            for site in &self.units[fn_ref.file].model.bodies[body].awaits {
                let callee = site
                    .op
                    .as_ref()
                    .and_then(|op| self.resolve(fn_ref.file, body, op));
                if let Some(Callee::Fn(next)) = callee {
                    queue.push_back((next, label.clone()));
                }
            }
        }
    }
}

/// A local buffer that accumulates across awaits.
#[derive(Clone, Debug)]
pub struct HeldBuffer {
    pub name: String,
    /// The `let`.
    pub declared: crate::span::Span,
    /// An await inside the loop that reads from the outliving resource.
    pub await_span: crate::span::Span,
    pub loop_keyword: crate::span::Span,
}

/// `crate::a::b::name` for a function in module `file_module` + `inline` of `crate_name`.
fn module_path(crate_name: &str, file_module: &[String], inline: &[String], name: &str) -> String {
    let mut path = crate_name.to_string();
    for segment in file_module.iter().chain(inline) {
        path.push_str("::");
        path.push_str(segment);
    }
    path.push_str("::");
    path.push_str(name);
    path
}

/// How a call reads in a message: `reader.read_exact(..)`, `copy(..)`.
pub fn call_text(op: &Operation) -> String {
    match &op.target {
        OpTarget::Method {
            receiver: Some(place),
        } => format!("{}.{}(..)", place.text, op.name),
        OpTarget::Method { receiver: None } | OpTarget::Path { .. } => format!("{}(..)", op.name),
    }
}

/// The note that names a knowledge-base API and where the knowledge comes from.
fn api_note(api: &ApiEntry) -> String {
    // The data file's `source` cites the statement in full; the note names only where it is.
    let source = api.source.split(": ").next().unwrap_or(&api.source);
    let phrase = match api.verdict {
        Verdict::DataLoss => "not cancel safe: data already taken is lost",
        Verdict::MessageLost => "not cancel safe: the value it carries is lost",
        Verdict::QueuePositionLost => "fair: only the queue position is lost",
        Verdict::PartialProgressKept => {
            "resumable: partial progress is kept in the caller's buffer"
        }
        Verdict::Conditional => "conditionally cancel safe",
        Verdict::Safe => "cancel safe",
    };
    format!("`{}` is {phrase} (source: {source})", api.path)
}
