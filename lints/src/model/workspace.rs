//! The workspace: every file's model, an index of the functions defined in it, call resolution,
//! and per-function cancel-safety summaries computed to a fixed point.
//!
//! Only compact models are kept here, never syntax trees.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::VecDeque;

use rayon::prelude::*;

use super::call_graph::CallGraph;
use super::loss::{RacedBy, Safety, Site};
use super::operation::ReceiverType;
use super::race::{RaceKind, RaceSite};
use super::resolve::{Def, DefMap, ItemId, Res, TraitRef, Ty, TypeScope};
use super::typing::{Dispatch, DispatchSet};
use super::{BodyId, FileModel, FnItem, FnOwner, OpTarget, Operation};
use crate::knowledge::{ApiEntry, Knowledge};

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

/// Blocking work a function awaits: where, and how the call reads.
#[derive(Clone, Debug)]
pub struct BlockingWork {
    pub site: Site,
    pub call: String,
}

/// What a call resolves to.
#[derive(Clone, Copy, Debug)]
pub enum Callee<'k> {
    Api(&'k ApiEntry),
    Fn(FnRef),
    /// A trait method that any of the workspace's impls may answer (index of its dispatch set).
    Trait(usize),
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
    /// The resolution layer: modules, imports, what each name stands for.
    pub(crate) defs: DefMap,
    /// Per file: fn body id -> index of its `FnItem`.
    pub(crate) fn_by_body: Vec<HashMap<BodyId, usize>>,
    /// Per workspace type: the impl blocks (file, impl index) whose self type it is.
    pub(crate) impls_of_type: HashMap<ItemId, Vec<(usize, usize)>>,
    /// Per workspace trait: the traits it names as supertraits.
    pub(crate) supertraits: HashMap<ItemId, Vec<ItemId>>,
    /// Trait methods and the impls that answer them.
    pub(crate) dispatch_sets: Vec<DispatchSet>,
    /// (trait, method name) -> dispatch set.
    pub(crate) trait_sets: HashMap<(ItemId, String), usize>,
    summaries: HashMap<FnRef, Safety<'k>>,
    /// Losses functions have on a by-value generic parameter, which callers that pass a borrow
    /// there suffer: the parameter's index and the loss.
    pub(crate) param_losses: HashMap<FnRef, (usize, super::loss::Loss<'k>)>,
    /// Functions that race one of their future parameters (a `with_deadline(fut)` built on
    /// `select!` or `timeout`): the parameter's index and how they race it.
    pub(crate) races_param: HashMap<FnRef, (usize, RaceKind)>,
    /// Per file: the race sites that calls to race wrappers make.
    pub(crate) wrapper_races: Vec<Vec<RaceSite>>,
    /// Methods that keep what they read from another resource in `self`.
    pub(crate) keeps_state: HashSet<FnRef>,
    /// Functions that give back an item they took (`recv` wrappers), to a fixed point.
    pub(crate) returns_taken: HashSet<FnRef>,
    /// Functions some race drops with progress someone misses, with the race that does.
    raced: HashMap<FnRef, RacedBy>,
    /// Functions that await blocking work cancellation cannot stop, with where.
    blocking: HashMap<FnRef, BlockingWork>,
    /// What each awaited call resolves to, keyed by the call's address in its model and its body
    /// (see [`Workspace::resolve_awaits`]).
    resolved: HashMap<(usize, BodyId), Option<Callee<'k>>>,
    /// Which functions each function's awaits can run: the summaries propagate over it.
    graph: CallGraph,
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
            defs: DefMap::default(),
            fn_by_body: Vec::new(),
            impls_of_type: HashMap::new(),
            supertraits: HashMap::new(),
            dispatch_sets: Vec::new(),
            trait_sets: HashMap::new(),
            summaries: HashMap::new(),
            returns_taken: HashSet::new(),
            keeps_state: HashSet::new(),
            param_losses: HashMap::new(),
            races_param: HashMap::new(),
            wrapper_races: Vec::new(),
            raced: HashMap::new(),
            blocking: HashMap::new(),
            resolved: HashMap::new(),
            graph: CallGraph::default(),
        };
        workspace.index();
        workspace.index_items();
        workspace.resolve_awaits();
        workspace.find_race_wrappers();
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

    /// Builds the resolution layer and the tables of impls and trait methods on it.
    fn index_items(&mut self) {
        self.defs = DefMap::build(&self.units);
        self.fn_by_body = self
            .units
            .iter()
            .map(|unit| {
                unit.model
                    .fns
                    .iter()
                    .enumerate()
                    .map(|(index, item)| (item.body, index))
                    .collect()
            })
            .collect();
        let mut impls_of_type: HashMap<ItemId, Vec<(usize, usize)>> = HashMap::new();
        let mut impls_of_trait: HashMap<ItemId, Vec<(usize, usize)>> = HashMap::new();
        let mut supertraits: HashMap<ItemId, Vec<ItemId>> = HashMap::new();
        for (file, unit) in self.units.iter().enumerate() {
            let items = &unit.model.items;
            for (index, decl) in items.impls.iter().enumerate() {
                let Some(module) = self.defs.scope(file, decl.scope) else {
                    continue;
                };
                let scope = TypeScope {
                    module,
                    generics: vec![&decl.generics],
                    self_ty: None,
                    subst: Vec::new(),
                };
                if let Ty::Adt { id, .. } =
                    self.defs.resolve_type(&self.units, &scope, &decl.self_ty)
                {
                    impls_of_type.entry(id).or_default().push((file, index));
                }
                if let Some(path) = &decl.trait_path {
                    if let Some(Res::Def(Def::Trait(id))) =
                        self.defs.resolve_path(module, &path.segments)
                    {
                        impls_of_trait.entry(id).or_default().push((file, index));
                    }
                }
            }
            for (index, decl) in items.traits.iter().enumerate() {
                let Some(module) = self.defs.scope(file, decl.scope) else {
                    continue;
                };
                let scope = TypeScope {
                    module,
                    generics: vec![&decl.generics],
                    self_ty: None,
                    subst: Vec::new(),
                };
                let supers: Vec<ItemId> = self
                    .defs
                    .resolve_bounds(&scope, &decl.supertraits)
                    .into_iter()
                    .filter_map(|bound| match bound {
                        TraitRef::Workspace(id) => Some(id),
                        TraitRef::External(_) => None,
                    })
                    .collect();
                supertraits.insert(ItemId { file, index }, supers);
            }
        }
        // A dispatch set per method a trait declares: the declaration and each impl's method.
        let mut dispatch_sets = Vec::new();
        let mut trait_sets = HashMap::new();
        for (file, unit) in self.units.iter().enumerate() {
            for (index, item) in unit.model.fns.iter().enumerate() {
                let FnOwner::Trait(trait_index) = item.owner else {
                    continue;
                };
                let trait_id = ItemId {
                    file,
                    index: trait_index,
                };
                let impls = impls_of_trait
                    .get(&trait_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|&(impl_file, impl_index)| {
                        self.units[impl_file]
                            .model
                            .fns
                            .iter()
                            .position(|candidate| {
                                candidate.owner == FnOwner::Impl(impl_index)
                                    && candidate.name == item.name
                            })
                            .map(|index| FnRef {
                                file: impl_file,
                                index,
                            })
                    })
                    .collect();
                trait_sets.insert((trait_id, item.name.clone()), dispatch_sets.len());
                dispatch_sets.push(DispatchSet {
                    decl: Some(FnRef { file, index }),
                    impls,
                });
            }
        }
        self.impls_of_type = impls_of_type;
        self.supertraits = supertraits;
        self.dispatch_sets = dispatch_sets;
        self.trait_sets = trait_sets;
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
    pub fn safety(&self, fn_ref: FnRef) -> &Safety<'k> {
        self.summaries.get(&fn_ref).unwrap_or(&Safety::Safe)
    }

    /// The race that drops this function's future with progress someone misses, directly or
    /// through the functions that await it, if any.
    pub fn raced_by(&self, fn_ref: FnRef) -> Option<&RacedBy> {
        self.raced.get(&fn_ref)
    }

    /// What a call in `body` of `file` resolves to: a workspace function (through the
    /// resolution layer: scopes, imports, re-exports, the receiver's type and trait dispatch),
    /// else a knowledge-base API.
    pub fn resolve(&self, file: usize, body: BodyId, op: &Operation) -> Option<Callee<'k>> {
        if let Some(&known) = self.resolved.get(&(op_key(op), body)) {
            return known;
        }
        self.resolve_now(file, body, op)
    }

    /// [`Workspace::resolve`], without the table of awaited calls.
    fn resolve_now(&self, file: usize, body: BodyId, op: &Operation) -> Option<Callee<'k>> {
        let model = &self.units[file].model;
        match &op.target {
            OpTarget::Path { segments, .. } => self.resolve_path_call(file, body, op, segments),
            OpTarget::Method { receiver } => {
                let ty = match (&op.receiver_value, receiver) {
                    (Some(value), _) => self.type_of_value(file, body, value, op.span.start),
                    (None, Some(place)) => {
                        self.type_of_place(file, body, &place.text, op.span.start)
                    }
                    (None, None) => Ty::Unknown,
                };
                match self.dispatch(&ty, &op.name) {
                    Dispatch::Fn(fn_ref) => return Some(Callee::Fn(fn_ref)),
                    Dispatch::Trait(set) => return Some(Callee::Trait(set)),
                    Dispatch::None => {}
                }
                let reachable_methods: Vec<FnRef> = self
                    .method_names
                    .get(&op.name)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|method| self.defs.crate_reaches(file, method.file))
                    .collect();
                let user_method = !reachable_methods.is_empty();
                // `send(buf)` where `buf: &[u8]` lends the data like `send(&buf)` does.
                let first_arg_borrowed = op.first_arg_name.as_deref().is_some_and(|name| {
                    model.local_before(body, name, op.span.start).is_none()
                        && model.param(body, name).is_some_and(|param| param.is_ref)
                });
                // A workspace type without the method: an entry the configuration gives for
                // it by path (`my_crate::Conn::read_frame`), else a trait's.
                let adt_path;
                let receiver_type = match ty.peeled() {
                    Ty::External { path, .. } => ReceiverType::External(path),
                    Ty::Adt { id, .. } => {
                        adt_path = self.type_path(*id);
                        ReceiverType::External(&adt_path)
                    }
                    Ty::Bounds(_) | Ty::Future(_) => ReceiverType::TraitsOnly,
                    Ty::Tuple(_) | Ty::Ref { .. } | Ty::Unknown => ReceiverType::Unknown,
                };
                if let Some(api) = op.api(
                    self.knowledge,
                    receiver_type,
                    user_method,
                    first_arg_borrowed,
                ) {
                    return Some(Callee::Api(api));
                }
                // A method only the workspace defines, on a receiver of unknown type.
                let knowledge_knows = self.knowledge.named(&op.name).next().is_some();
                match (ty.is_known(), reachable_methods.as_slice()) {
                    (false, [found]) if !knowledge_knows => Some(Callee::Fn(*found)),
                    _ => None,
                }
            }
        }
    }

    /// A call through a path: a free function, an associated function of a workspace type
    /// (`Conn::connect`, `Self::new`, `T::method` on a generic), a trait method called as
    /// `Trait::method(receiver, ..)`, or a knowledge-base API at the path the imports give.
    fn resolve_path_call(
        &self,
        file: usize,
        body: BodyId,
        op: &Operation,
        segments: &[String],
    ) -> Option<Callee<'k>> {
        let scope = self.type_scope_of_body(file, body)?;
        // `Self::name` and `T::name` for a generic `T`: the type's (or bounds') method.
        if let [owner, name] = segments {
            let owner_ty = if owner == "Self" {
                scope.self_ty.clone()
            } else {
                scope
                    .generics
                    .iter()
                    .find_map(|generics| generics.bounds_of(owner))
                    .map(|bounds| Ty::Bounds(self.defs.resolve_bounds(&scope, bounds)))
            };
            if let Some(ty) = owner_ty {
                return match self.dispatch(&ty, name) {
                    Dispatch::Fn(fn_ref) => Some(Callee::Fn(fn_ref)),
                    Dispatch::Trait(set) => Some(Callee::Trait(set)),
                    Dispatch::None => None,
                };
            }
        }
        match self.defs.resolve_value(scope.module, segments) {
            Some(Res::Def(Def::Fn(fn_ref))) => Some(Callee::Fn(fn_ref)),
            Some(Res::Assoc {
                owner: Def::Type(id),
                name,
            }) => match self.dispatch(
                &Ty::Adt {
                    id,
                    args: Vec::new(),
                },
                &name,
            ) {
                Dispatch::Fn(fn_ref) => Some(Callee::Fn(fn_ref)),
                Dispatch::Trait(set) => Some(Callee::Trait(set)),
                Dispatch::None => None,
            },
            Some(Res::Assoc {
                owner: Def::Trait(id),
                name,
            }) => self.trait_method_set(id, &name).map(Callee::Trait),
            Some(Res::Def(Def::External(path))) => {
                let mut external = op.clone();
                if let OpTarget::Path { full, .. } = &mut external.target {
                    *full = path;
                }
                external
                    .api(self.knowledge, ReceiverType::Unknown, false, false)
                    .map(Callee::Api)
            }
            _ => None,
        }
    }

    /// Resolves every awaited call once, in parallel, and builds the call graph from the
    /// answers. Resolution only reads the resolution layer (built before), never a summary, so
    /// the answers stay right while the summaries grow; the summaries ask each one many times.
    fn resolve_awaits(&mut self) {
        let this = &*self;
        let resolved: Vec<((usize, BodyId), Option<Callee<'k>>)> = (0..this.units.len())
            .into_par_iter()
            .flat_map_iter(|file| {
                let bodies = &this.units[file].model.bodies;
                bodies
                    .iter()
                    .enumerate()
                    .flat_map(|(body, the_body)| {
                        the_body.awaits.iter().filter_map(move |site| {
                            let op = site.op.as_ref()?;
                            Some(((op_key(op), body), this.resolve_now(file, body, op)))
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        self.resolved = resolved.into_iter().collect();
        let counts: Vec<usize> = self.units.iter().map(|unit| unit.model.fns.len()).collect();
        // Each body belongs to the fn it is written in (async blocks and closures inside it).
        let owners: Vec<Vec<Option<usize>>> = self
            .units
            .iter()
            .enumerate()
            .map(|(file, unit)| {
                let bodies = &unit.model.bodies;
                (0..bodies.len())
                    .map(|body| {
                        std::iter::successors(Some(body), |&id| bodies[id].parent)
                            .find_map(|id| self.fn_by_body[file].get(&id).copied())
                    })
                    .collect()
            })
            .collect();
        let mut owned: Vec<Vec<Vec<BodyId>>> =
            counts.iter().map(|&n| vec![Vec::new(); n]).collect();
        for (file, bodies) in owners.iter().enumerate() {
            for (body, owner) in bodies.iter().enumerate() {
                if let Some(index) = owner {
                    owned[file][*index].push(body);
                }
            }
        }
        let graph = CallGraph::new(&counts, |fn_ref| {
            let model = &self.units[fn_ref.file].model;
            owned[fn_ref.file][fn_ref.index]
                .iter()
                .flat_map(|&body| {
                    model.bodies[body]
                        .awaits
                        .iter()
                        .filter_map(move |site| site.op.as_ref().map(|op| (body, op)))
                })
                .flat_map(|(body, op)| self.targets(self.resolve(fn_ref.file, body, op)))
                .collect()
        });
        self.graph = graph;
    }

    /// Runs one step of a fixed point on every function over the call graph (see
    /// [`CallGraph::propagate`]).
    fn propagate(&mut self, mut step: impl FnMut(&mut Self, FnRef) -> bool) {
        let graph = std::mem::take(&mut self.graph);
        graph.propagate(|fn_ref| step(self, fn_ref));
        self.graph = graph;
    }

    fn summarise(&mut self) {
        let all = self.graph.fns().to_vec();
        for &fn_ref in &all {
            if let Some(safety) = self.documented_safety(fn_ref) {
                self.summaries.insert(fn_ref, safety);
            }
        }
        self.keeps_state = all
            .iter()
            .copied()
            .filter(|&fn_ref| self.item(fn_ref).is_async && self.keeps_state_in_self(fn_ref))
            .collect();
        // Wrappers of wrappers: only moves from "gives back nothing taken" to "gives back".
        self.propagate(|this, fn_ref| {
            let found = this.item(fn_ref).is_async
                && !this.returns_taken.contains(&fn_ref)
                && this.gives_back_taken(fn_ref);
            if found {
                this.returns_taken.insert(fn_ref);
            }
            found
        });
        // Summaries only move from safe to unsafe, so this reaches a fixed point; recursion and
        // cycles simply stop changing.
        self.propagate(|this, fn_ref| {
            let item = this.item(fn_ref);
            if !item.is_async || this.summaries.contains_key(&fn_ref) {
                return false;
            }
            if let Some(loss) = this.fn_loss(fn_ref) {
                this.summaries.insert(fn_ref, Safety::Unsafe(loss));
                return true;
            }
            if !this.param_losses.contains_key(&fn_ref) {
                if let Some(found) = this.param_loss(fn_ref) {
                    this.param_losses.insert(fn_ref, found);
                    return true;
                }
            }
            false
        });
    }

    /// Every race site of a file: the model's, and those its calls to race wrappers make.
    pub fn races(&self, file: usize) -> impl Iterator<Item = &RaceSite> + '_ {
        self.units[file]
            .model
            .races
            .iter()
            .chain(self.wrapper_races.get(file).into_iter().flatten())
    }

    /// Finds the functions that race a future parameter, directly (a branch of their own
    /// `select!`, `timeout` or `future::select` is the parameter) or by handing it to another
    /// such function, to a fixed point; then makes a race site of every awaited call to one.
    fn find_race_wrappers(&mut self) {
        let mut races_param: HashMap<FnRef, (usize, RaceKind)> = HashMap::new();
        for (file, unit) in self.units.iter().enumerate() {
            let model = &unit.model;
            for race in &model.races {
                let Some(&index) = self.fn_by_body[file].get(&race.body) else {
                    continue;
                };
                let params = &model.bodies[race.body].params;
                for branch in &race.branches {
                    let Some(name) = &branch.binding else {
                        continue;
                    };
                    if let Some(position) = params.iter().position(|param| &param.name == name) {
                        races_param
                            .entry(FnRef { file, index })
                            .or_insert((position, race.kind.clone()));
                    }
                }
            }
        }
        // Wrappers of wrappers.
        self.races_param = races_param;
        self.propagate(|this, fn_ref| {
            if this.races_param.contains_key(&fn_ref) {
                return false;
            }
            let model = &this.units[fn_ref.file].model;
            let body = this.item(fn_ref).body;
            let params = &model.bodies[body].params;
            let found = model.bodies[body].awaits.iter().find_map(|site| {
                let op = site.op.as_ref()?;
                let Some(Callee::Fn(callee)) = this.resolve(fn_ref.file, body, op) else {
                    return None;
                };
                let (raced, kind) = this.races_param.get(&callee)?;
                let arg = op.args.get(*raced)?.as_ref()?;
                let position = params
                    .iter()
                    .position(|param| param.name == arg.place.text)?;
                Some((position, kind.clone()))
            });
            match found {
                Some(found) => {
                    this.races_param.insert(fn_ref, found);
                    true
                }
                None => false,
            }
        });
        let mut wrapper_races = Vec::with_capacity(self.units.len());
        for (file, unit) in self.units.iter().enumerate() {
            let model = &unit.model;
            let mut found = Vec::new();
            for (body, the_body) in model.bodies.iter().enumerate() {
                for site in &the_body.awaits {
                    let Some(op) = &site.op else { continue };
                    if site.arg_futures.is_empty() {
                        continue;
                    }
                    let Some(Callee::Fn(callee)) = self.resolve(file, body, op) else {
                        continue;
                    };
                    let Some((raced, kind)) = self.races_param.get(&callee) else {
                        continue;
                    };
                    let Some((_, branch)) =
                        site.arg_futures.iter().find(|(index, _)| index == raced)
                    else {
                        continue;
                    };
                    let function = self.display_name(callee);
                    let kind = match kind {
                        RaceKind::Timeout { .. } => RaceKind::Timeout { function },
                        RaceKind::TryJoin { .. } => RaceKind::TryJoin { function },
                        RaceKind::Select { .. } | RaceKind::FutureSelect { .. } => {
                            RaceKind::FutureSelect { function }
                        }
                    };
                    found.push(RaceSite {
                        kind,
                        label_span: op.span,
                        span: op.span,
                        body,
                        in_loop: site.in_loop,
                        branches: vec![branch.clone()],
                        fallback_continues: !site.leaves_on_error,
                        fallback_panics: site.panics_on_error,
                        handlers_are_values: false,
                    });
                }
            }
            wrapper_races.push(found);
        }
        self.wrapper_races = wrapper_races;
    }

    /// The workspace functions a call can run: the one fn, or every member of a trait call's
    /// dispatch set.
    pub(super) fn targets(&self, callee: Option<Callee<'k>>) -> Vec<FnRef> {
        match callee {
            Some(Callee::Fn(fn_ref)) => vec![fn_ref],
            Some(Callee::Trait(set)) => self.callees_of(set).collect(),
            Some(Callee::Api(_)) | None => Vec::new(),
        }
    }

    /// The declaration and the impls of a dispatch set.
    fn callees_of(&self, set: usize) -> impl Iterator<Item = FnRef> + '_ {
        let set = self.dispatch_set(set);
        set.decl.into_iter().chain(set.impls.iter().copied())
    }

    /// Where a function awaits blocking work that dropping its future does not stop, if it does.
    pub fn blocking_work(&self, fn_ref: FnRef) -> Option<&BlockingWork> {
        self.blocking.get(&fn_ref)
    }

    /// Marks the functions that await a mutating file-system operation, directly or through
    /// other functions, to a fixed point. (A `spawn_blocking` inside a function is often
    /// read-only work such as a DNS lookup; only a handle raced directly is reported.)
    fn find_blocking(&mut self) {
        use crate::knowledge::Effect;
        self.propagate(|this, fn_ref| {
            if this.blocking.contains_key(&fn_ref) {
                return false;
            }
            let body = this.item(fn_ref).body;
            let model = &this.units[fn_ref.file].model;
            let found = model.bodies[body].awaits.iter().find_map(|site| {
                let op = site.op.as_ref()?;
                match this.resolve(fn_ref.file, body, op)? {
                    Callee::Api(api) if api.effect == Some(Effect::FsWrite) => Some(BlockingWork {
                        site: Site::new(&model.path, site.span),
                        call: call_text(op),
                    }),
                    Callee::Fn(callee) => this.blocking.get(&callee).cloned(),
                    Callee::Trait(set) => this
                        .callees_of(set)
                        .find_map(|callee| this.blocking.get(&callee).cloned()),
                    Callee::Api(_) => None,
                }
            });
            match found {
                Some(work) => {
                    this.blocking.insert(fn_ref, work);
                    true
                }
                None => false,
            }
        });
    }

    /// Marks every function a race drops with progress someone misses, directly or through
    /// the functions that await it and lose with it.
    fn find_raced(&mut self) {
        let mut queue: VecDeque<(FnRef, RacedBy)> = VecDeque::new();
        for (file, unit) in self.units.iter().enumerate() {
            for race in self.races(file) {
                let by = RacedBy {
                    site: Site::new(&unit.model.path, race.label_span),
                    kind: race.kind.clone(),
                };
                for fn_ref in self.dropped_with_loss(file, race) {
                    queue.push_back((fn_ref, by.clone()));
                }
            }
        }
        while let Some((fn_ref, by)) = queue.pop_front() {
            if self.raced.contains_key(&fn_ref) {
                continue;
            }
            let body = self.item(fn_ref).body;
            for next in self.callees_losing_with(fn_ref.file, body) {
                queue.push_back((next, by.clone()));
            }
            self.raced.insert(fn_ref, by);
        }
    }
}

/// The key of a call in [`Workspace::resolve`]'s table: where it is in its model (the models
/// do not move or change once the workspace holds them).
fn op_key(op: &Operation) -> usize {
    std::ptr::from_ref(op) as usize
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

#[cfg(test)]
mod tests {
    use crate::model::test_support::workspace_of;
    use crate::model::{Callee, FnRef, Leaf, Safety, Via};

    const NET: &str = r#"
use tokio::io::AsyncReadExt;
pub struct Conn { stream: tokio::net::TcpStream }
impl Conn {
    pub async fn read_frame(&mut self) -> Vec<u8> {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).await.unwrap();
        Vec::new()
    }
    pub async fn ping(&mut self) {}
}
pub async fn next_frame(conn: &mut Conn) -> Vec<u8> {
    conn.read_frame().await
}
"#;

    const APP: &str = r#"
use crate::net::next_frame as nf;
async fn run(mut conn: crate::net::Conn, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            f = nf(&mut conn) => drop(f),
            _ = stop.recv() => {}
        }
    }
}
"#;

    fn find(workspace: &crate::model::Workspace<'_>, name: &str) -> FnRef {
        for (file, unit) in workspace.units.iter().enumerate() {
            if let Some(index) = unit.model.fns.iter().position(|item| item.name == name) {
                return FnRef { file, index };
            }
        }
        panic!("no fn {name}");
    }

    #[test]
    fn summaries_propagate_through_methods_and_free_functions() {
        let workspace = workspace_of(&[("net", NET), ("app", APP)]);
        let read_frame = find(&workspace, "read_frame");
        let Safety::Unsafe(loss) = workspace.safety(read_frame) else {
            panic!("read_frame is not cancel safe");
        };
        assert!(
            matches!(loss.leaf, Leaf::Api(api) if api.path == "tokio::io::AsyncReadExt::read_exact")
        );
        assert!(matches!(&loss.via, Via::Awaits { call } if call == "self.stream.read_exact(..)"));
        let next_frame = find(&workspace, "next_frame");
        let Safety::Unsafe(loss) = workspace.safety(next_frame) else {
            panic!("next_frame is not cancel safe");
        };
        assert!(matches!(&loss.via, Via::Awaits { call } if call == "conn.read_frame(..)"));
        // The root cause stays at the leaf call, in net.rs.
        let root = loss.root.as_ref().expect("a root");
        assert_eq!(root.site.file, "src/net.rs");
        assert!(matches!(
            workspace.safety(find(&workspace, "ping")),
            Safety::Safe
        ));
    }

    /// `n` async fns, each awaiting the next, callers first; the last one reads a stream.
    fn chain(n: usize, per_file: usize) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = Vec::new();
        for index in 0..n {
            let module = format!("m{:04}", index / per_file);
            let next = index + 1;
            let body = if next == n {
                "let mut b = [0u8; 4];\n    s.read_exact(&mut b).await.unwrap();".to_string()
            } else if next / per_file == index / per_file {
                format!("f{next}(s).await;")
            } else {
                format!("crate::m{:04}::f{next}(s).await;", next / per_file)
            };
            let text = format!(
                "pub async fn f{index}(s: &mut tokio::net::TcpStream) {{\n    {body}\n}}\n"
            );
            match files.last_mut() {
                Some((last, source)) if *last == module => source.push_str(&text),
                _ => files.push((module, format!("use tokio::io::AsyncReadExt;\n{text}"))),
            }
        }
        files
    }

    #[test]
    fn a_long_chain_written_callers_first_is_summarised_to_its_top() {
        for per_file in [2_000, 5] {
            let files = chain(2_000, per_file);
            let files: Vec<(&str, &str)> = files
                .iter()
                .map(|(module, text)| (module.as_str(), text.as_str()))
                .collect();
            let workspace = workspace_of(&files);
            let Safety::Unsafe(loss) = workspace.safety(find(&workspace, "f0")) else {
                panic!("f0 is not cancel safe ({per_file} per file)");
            };
            assert!(matches!(&loss.via, Via::Awaits { call } if call == "f1(..)"));
            let root = loss.root.as_ref().expect("a root");
            assert_eq!(root.call.as_deref(), Some("s.read_exact(..)"));
            let last = &files.last().unwrap().0;
            assert_eq!(root.site.file, format!("src/{last}.rs"));
        }
    }

    #[test]
    fn the_table_of_awaited_calls_answers_as_resolution_does() {
        let workspace = workspace_of(&[("net", NET), ("app", APP)]);
        let mut checked = 0;
        for (file, unit) in workspace.units.iter().enumerate() {
            for (body, the_body) in unit.model.bodies.iter().enumerate() {
                for op in the_body.awaits.iter().filter_map(|site| site.op.as_ref()) {
                    let from_table = format!("{:?}", workspace.resolve(file, body, op));
                    let now = format!("{:?}", workspace.resolve_now(file, body, op));
                    assert_eq!(from_table, now);
                    assert!(workspace.resolved.contains_key(&(super::op_key(op), body)));
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2, "the two awaits of NET");
    }

    #[test]
    fn a_renamed_import_resolves_and_the_race_marks_its_callees() {
        let workspace = workspace_of(&[("net", NET), ("app", APP)]);
        let app = &workspace.units[1].model;
        let race = &app.races[0];
        let op = race.branches[0].op.as_ref().unwrap();
        let callee = workspace.resolve(1, race.body, op);
        assert!(matches!(callee, Some(Callee::Fn(f)) if f == find(&workspace, "next_frame")));
        for name in ["next_frame", "read_frame"] {
            let raced = workspace.raced_by(find(&workspace, name)).expect("raced");
            assert_eq!(raced.site.file, "src/app.rs");
        }
        assert!(workspace.raced_by(find(&workspace, "ping")).is_none());
        // `stop.recv()` is the knowledge base's receive.
        let recv = race.branches[1].op.as_ref().unwrap();
        assert!(
            matches!(workspace.resolve(1, race.body, recv), Some(Callee::Api(api)) if api.path.ends_with("Receiver::recv"))
        );
    }
}
