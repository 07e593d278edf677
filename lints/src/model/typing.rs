//! Types of places and method dispatch, on top of the resolution layer ([`super::resolve`]):
//! what type `self.conn.stream` or a local has, and which function(s) `x.recv()` reaches on it
//! (an inherent method, a trait impl, or every impl of a trait for a generic, `impl Trait` or
//! `dyn Trait` receiver).

use super::items::{TypeKind, TypeRef};
use super::resolve::{Def, ItemId, Res, TraitRef, Ty, TypeScope};
use super::value::{Proj, ValueExpr};
use super::workspace::FnRef;
use super::{BodyId, BodyKind, FnItem, FnOwner, Workspace};

/// The functions a method call can reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// The receiver's type has no such method in the workspace.
    None,
    /// An inherent method or the one trait impl for a known type.
    Fn(FnRef),
    /// A trait method called on a generic, `impl Trait` or `dyn Trait` receiver (or through
    /// `Trait::method(..)`): any impl in the workspace may run. Index into the workspace's
    /// dispatch sets.
    Trait(usize),
}

/// A trait method and the workspace impls of it.
#[derive(Clone, Debug)]
pub struct DispatchSet {
    /// The method as the trait declares it (its docs and attributes speak for every impl), when
    /// the trait declares it.
    pub decl: Option<FnRef>,
    /// The impls' methods, in file order.
    pub impls: Vec<FnRef>,
}

impl Workspace<'_> {
    /// The path of a workspace type in its crate (`my_crate::net::Conn`), as the knowledge base
    /// and the configuration name it.
    pub(crate) fn type_path(&self, id: ItemId) -> String {
        let unit = &self.units[id.file];
        let decl = &unit.model.items.types[id.index];
        let mut path = vec![unit.crate_name.as_str()];
        path.extend(unit.module.iter().map(String::as_str));
        path.extend(
            unit.model.items.scopes[decl.scope]
                .module
                .iter()
                .map(String::as_str),
        );
        path.push(&decl.name);
        path.join("::")
    }

    /// The fn whose body contains `body` (the innermost fn of its chain) and the fn's index.
    pub(crate) fn fn_of_body(&self, file: usize, body: BodyId) -> Option<(usize, &FnItem)> {
        let model = &self.units[file].model;
        let fn_body = model
            .body_chain(body)
            .zip(std::iter::successors(Some(body), |&id| {
                model.bodies[id].parent
            }))
            .find(|(body, _)| matches!(body.kind, BodyKind::Fn { .. }))
            .map(|(_, id)| id)?;
        self.fn_by_body[file]
            .get(&fn_body)
            .map(|&index| (index, &model.fns[index]))
    }

    /// What `Self` is for a fn: its impl's self type, or the trait for a trait's method.
    pub(crate) fn self_ty_of(&self, file: usize, owner: FnOwner) -> Ty {
        let items = &self.units[file].model.items;
        match owner {
            FnOwner::Impl(index) => {
                let decl = &items.impls[index];
                let Some(module) = self.defs.scope(file, decl.scope) else {
                    return Ty::Unknown;
                };
                let scope = TypeScope {
                    module,
                    generics: vec![&decl.generics],
                    self_ty: None,
                    subst: Vec::new(),
                };
                self.defs.resolve_type(&self.units, &scope, &decl.self_ty)
            }
            FnOwner::Trait(index) => Ty::Bounds(vec![TraitRef::Workspace(ItemId { file, index })]),
            FnOwner::Free => Ty::Unknown,
        }
    }

    /// The scope types in a fn's signature (`signature`) or body resolve in.
    pub(crate) fn type_scope_of_fn<'a>(
        &'a self,
        file: usize,
        item: &'a FnItem,
        signature: bool,
    ) -> Option<TypeScope<'a>> {
        let scope = if signature {
            item.scope
        } else {
            item.body_scope
        };
        let module = self.defs.scope(file, scope)?;
        let items = &self.units[file].model.items;
        let mut generics = vec![&item.generics];
        match item.owner {
            FnOwner::Impl(index) => generics.push(&items.impls[index].generics),
            FnOwner::Trait(index) => generics.push(&items.traits[index].generics),
            FnOwner::Free => {}
        }
        Some(TypeScope {
            module,
            generics,
            self_ty: Some(self.self_ty_of(file, item.owner)),
            subst: Vec::new(),
        })
    }

    /// The scope of a body: its fn's body scope, or the file's module for code outside fns.
    pub(crate) fn type_scope_of_body(&self, file: usize, body: BodyId) -> Option<TypeScope<'_>> {
        match self.fn_of_body(file, body) {
            Some((_, item)) => self.type_scope_of_fn(file, item, false),
            None => Some(TypeScope {
                module: self.defs.scope(file, 0)?,
                generics: Vec::new(),
                self_ty: None,
                subst: Vec::new(),
            }),
        }
    }

    /// The type of a place (`conn`, `self.inner.stream`) at `offset` in `body`, when it can be
    /// known: from `self`, a parameter's or local's declared type, a constructed local, and the
    /// declared types of struct fields (with the struct's generic arguments substituted).
    pub fn type_of_place(&self, file: usize, body: BodyId, place: &str, offset: usize) -> Ty {
        self.type_of_place_at(file, body, place, offset, 0)
    }

    fn type_of_place_at(
        &self,
        file: usize,
        body: BodyId,
        place: &str,
        offset: usize,
        depth: usize,
    ) -> Ty {
        let model = &self.units[file].model;
        let mut parts = place.split('.');
        let Some(root) = parts.next() else {
            return Ty::Unknown;
        };
        let Some(scope) = self.type_scope_of_body(file, body) else {
            return Ty::Unknown;
        };
        let mut ty = if root == "self" {
            scope.self_ty.clone().unwrap_or(Ty::Unknown)
        } else if let Some(binding) = model.binding_before(body, root, offset) {
            match (&binding.ty_ref, &binding.value) {
                (Some(written), _) => self.defs.resolve_type(&self.units, &scope, written),
                (None, Some(value)) if depth < 16 => {
                    self.type_of_value_at(file, body, value, binding.span.start, depth + 1)
                }
                _ => Ty::Unknown,
            }
        } else if let Some(local) = model.local_before(body, root, offset) {
            let declared = local
                .ty_ref
                .as_ref()
                .filter(|_| local.ty_declared)
                .map(|written| self.defs.resolve_type(&self.units, &scope, written));
            let computed = || {
                local
                    .value
                    .as_ref()
                    .filter(|_| depth < 16)
                    .map(|value| {
                        self.type_of_value_at(file, body, value, local.span.start, depth + 1)
                    })
                    .filter(Ty::is_known)
            };
            let constructed = || {
                local
                    .ty_ref
                    .as_ref()
                    .map(|written| self.defs.resolve_type(&self.units, &scope, written))
            };
            declared
                .or_else(computed)
                .or_else(constructed)
                .unwrap_or(Ty::Unknown)
        } else if let Some(param) = model.param(body, root) {
            match (
                &param.ty_ref,
                self.param_scope(file, body, root),
                &param.value,
            ) {
                (Some(written), Some(scope), _) => {
                    self.defs.resolve_type(&self.units, &scope, written)
                }
                // A closure parameter that is an element of what an adapter iterates.
                (None, _, Some(value)) if depth < 16 => {
                    self.type_of_value_at(file, body, value, offset, depth + 1)
                }
                _ => Ty::Unknown,
            }
        } else {
            Ty::Unknown
        };
        for field in parts {
            ty = self.field_type(&ty, field);
            if !ty.is_known() {
                break;
            }
        }
        ty
    }

    /// The scope a parameter's type resolves in: the signature scope of the fn that declares
    /// it (closures' parameters resolve in their fn's body scope).
    fn param_scope(&self, file: usize, body: BodyId, name: &str) -> Option<TypeScope<'_>> {
        let model = &self.units[file].model;
        let mut id = Some(body);
        while let Some(current) = id {
            let the_body = &model.bodies[current];
            if the_body.params.iter().any(|param| param.name == name) {
                return match the_body.kind {
                    BodyKind::Fn { .. } => {
                        let index = *self.fn_by_body[file].get(&current)?;
                        self.type_scope_of_fn(file, &model.fns[index], true)
                    }
                    _ => self.type_scope_of_body(file, current),
                };
            }
            id = the_body.parent;
        }
        None
    }

    /// The type of a field of a value of type `ty` (auto-derefed), or of a tuple element.
    pub(crate) fn field_type(&self, ty: &Ty, field: &str) -> Ty {
        match ty.peeled() {
            Ty::Adt { id, args } => {
                let decl = &self.units[id.file].model.items.types[id.index];
                if decl.kind != TypeKind::Struct && decl.kind != TypeKind::Union {
                    return Ty::Unknown;
                }
                let Some((_, written)) = decl.fields.iter().find(|(name, _)| name == field) else {
                    return Ty::Unknown;
                };
                self.resolve_in_type_decl(*id, args, written)
            }
            Ty::Tuple(elems) => field
                .parse::<usize>()
                .ok()
                .and_then(|index| elems.get(index).cloned())
                .unwrap_or(Ty::Unknown),
            _ => Ty::Unknown,
        }
    }

    /// A type written inside a type declaration (a field, a variant's field), with the
    /// declaration's generic parameters replaced by the arguments known for it.
    pub(crate) fn resolve_in_type_decl(&self, id: ItemId, args: &[Ty], written: &TypeRef) -> Ty {
        let decl = &self.units[id.file].model.items.types[id.index];
        let Some(module) = self.defs.scope(id.file, decl.scope) else {
            return Ty::Unknown;
        };
        let subst = decl
            .generics
            .params
            .iter()
            .map(|param| param.name.clone())
            .zip(args.iter().cloned())
            .collect();
        let scope = TypeScope {
            module,
            generics: vec![&decl.generics],
            self_ty: Some(Ty::Adt {
                id,
                args: args.to_vec(),
            }),
            subst,
        };
        self.defs.resolve_type(&self.units, &scope, written)
    }

    /// The functions `receiver.name(..)` reaches for a receiver of type `ty` (auto-derefed).
    pub fn dispatch(&self, ty: &Ty, name: &str) -> Dispatch {
        match ty.peeled() {
            Ty::Adt { id, .. } => {
                let found = self
                    .impls_of_type
                    .get(id)
                    .into_iter()
                    .flatten()
                    .find_map(|&(file, index)| self.impl_method(file, index, name));
                found.map_or(Dispatch::None, Dispatch::Fn)
            }
            Ty::Bounds(bounds) => {
                for bound in bounds {
                    if let TraitRef::Workspace(trait_id) = bound {
                        if let Some(set) = self.trait_method_set(*trait_id, name) {
                            return Dispatch::Trait(set);
                        }
                    }
                }
                Dispatch::None
            }
            _ => Dispatch::None,
        }
    }

    /// The method `name` of one impl block.
    fn impl_method(&self, file: usize, impl_index: usize, name: &str) -> Option<FnRef> {
        self.units[file]
            .model
            .fns
            .iter()
            .position(|item| item.owner == FnOwner::Impl(impl_index) && item.name == name)
            .map(|index| FnRef { file, index })
    }

    /// The dispatch set of a trait's method, looking through its supertraits.
    pub(crate) fn trait_method_set(&self, trait_id: ItemId, name: &str) -> Option<usize> {
        let mut stack = vec![trait_id];
        let mut seen = Vec::new();
        while let Some(id) = stack.pop() {
            if seen.contains(&id) || seen.len() > 32 {
                continue;
            }
            seen.push(id);
            if let Some(&set) = self.trait_sets.get(&(id, name.to_string())) {
                return Some(set);
            }
            stack.extend(self.supertraits.get(&id).into_iter().flatten().copied());
        }
        None
    }

    /// A dispatch set.
    pub fn dispatch_set(&self, set: usize) -> &DispatchSet {
        &self.dispatch_sets[set]
    }
}

/// Methods whose result has the receiver's type (seen through references and pointers).
const SAME_TYPE: &[&str] = &[
    "clone",
    "to_owned",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "by_ref",
    "deref",
    "deref_mut",
    "get_ref",
    "as_pin_mut",
    "ok_or",
    "ok_or_else",
    "ok",
    "map_err",
    "context",
    "with_context",
    "into_future",
];

/// Methods that give what a lock or cell holds (through its guard).
const LOCKS: &[&str] = &[
    "lock",
    "read",
    "write",
    "try_lock",
    "try_read",
    "try_write",
    "lock_owned",
    "read_owned",
    "write_owned",
    "blocking_lock",
    "upgradable_read",
    "get_mut",
];

/// Methods that give an element of a collection (in an `Option`).
const ELEMENTS: &[&str] = &[
    "pop",
    "pop_front",
    "pop_back",
    "first",
    "last",
    "first_mut",
    "last_mut",
    "get",
    "get_mut",
    "remove",
    "swap_remove",
    "take",
    "next",
    "peek",
];

/// Collections and iterators whose element is their first (or, for maps, second) argument.
const COLLECTIONS: &[&str] = &[
    "Vec",
    "VecDeque",
    "LinkedList",
    "BinaryHeap",
    "HashSet",
    "BTreeSet",
    "SmallVec",
    "Option",
];
const MAPS: &[&str] = &["HashMap", "BTreeMap", "IndexMap", "DashMap"];

impl Workspace<'_> {
    /// The type a value computes (see [`super::value`]), when it can be known: through places,
    /// the return types of the workspace's functions (an `async fn`'s output after `.await`),
    /// `?`/`unwrap`, locks, collections and the parts of it a pattern binds. A constructor of a
    /// type outside the workspace (`TcpStream::connect(..).await?`) gives that type.
    pub fn type_of_value(&self, file: usize, body: BodyId, value: &ValueExpr, offset: usize) -> Ty {
        self.type_of_value_at(file, body, value, offset, 0)
    }

    fn type_of_value_at(
        &self,
        file: usize,
        body: BodyId,
        value: &ValueExpr,
        offset: usize,
        depth: usize,
    ) -> Ty {
        if depth > 16 {
            return Ty::Unknown;
        }
        let inner = |value: &ValueExpr| self.type_of_value_at(file, body, value, offset, depth + 1);
        match value {
            ValueExpr::Place(place) => self.type_of_place_at(file, body, place, offset, depth + 1),
            ValueExpr::Call(segments) => self.type_of_call(file, body, segments),
            ValueExpr::Pointer { path, inner: held } => {
                let held = match inner(held) {
                    Ty::Ref { inner, .. } => *inner,
                    other => other,
                };
                match path {
                    // `Arc::clone(&x)` has the type of `x`.
                    None => held,
                    Some(path) => match self.type_of_pointer(file, body, path) {
                        Ty::External { path, .. } => Ty::External {
                            path,
                            args: if held.is_known() {
                                vec![held]
                            } else {
                                Vec::new()
                            },
                        },
                        _ => Ty::Unknown,
                    },
                }
            }
            ValueExpr::Method {
                receiver,
                name,
                args,
            } => {
                let receiver = inner(receiver);
                self.type_of_method(&receiver, name, *args)
            }
            ValueExpr::Await(future) => match inner(future) {
                Ty::Future(output) => *output,
                // A constructor's type stands for its awaited result too.
                other @ (Ty::External { .. } | Ty::Adt { .. }) => other,
                _ => Ty::Unknown,
            },
            ValueExpr::Unwrap(wrapped) => inner(wrapped).unwrapped(),
            ValueExpr::Ref(referenced) => Ty::Ref {
                mutable: true,
                inner: Box::new(inner(referenced)),
            },
            ValueExpr::Project(whole, steps) => {
                let mut ty = inner(whole);
                for step in steps {
                    ty = self.project(file, body, &ty, step);
                    if !ty.is_known() {
                        break;
                    }
                }
                ty
            }
        }
    }

    /// The pointer type a path names (`Arc`, `std::sync::Arc`), as a type written in `body`.
    fn type_of_pointer(&self, file: usize, body: BodyId, path: &[String]) -> Ty {
        let Some(scope) = self.type_scope_of_body(file, body) else {
            return Ty::Unknown;
        };
        let written = TypeRef::Path(super::items::PathRef {
            segments: path.to_vec(),
            args: Vec::new(),
            bindings: Vec::new(),
        });
        self.defs.resolve_type(&self.units, &scope, &written)
    }

    /// The result type of a call through a path.
    fn type_of_call(&self, file: usize, body: BodyId, segments: &[String]) -> Ty {
        let Some(scope) = self.type_scope_of_body(file, body) else {
            return Ty::Unknown;
        };
        let owner_of = |segments: &[String]| -> Option<Ty> {
            let owner = &segments[..segments.len().checked_sub(1)?];
            if owner.is_empty() {
                return None;
            }
            if owner == ["Self"] {
                return scope.self_ty.clone();
            }
            let written = TypeRef::Path(super::items::PathRef {
                segments: owner.to_vec(),
                args: Vec::new(),
                bindings: Vec::new(),
            });
            Some(self.defs.resolve_type(&self.units, &scope, &written))
        };
        let callee = match self.defs.resolve_value(scope.module, segments) {
            Some(Res::Def(Def::Fn(fn_ref))) => Some((fn_ref, Ty::Unknown)),
            Some(Res::Assoc {
                owner: Def::Type(id),
                name,
            }) => {
                let ty = Ty::Adt {
                    id,
                    args: Vec::new(),
                };
                match self.dispatch(&ty, &name) {
                    Dispatch::Fn(fn_ref) => Some((fn_ref, ty)),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((fn_ref, self_ty)) = callee {
            return self.return_type(fn_ref, &self_ty);
        }
        // `Self::new(..)`, `T::new(..)`, `TcpStream::connect(..)`: a constructor of its owner
        // type, as constructors are named.
        match owner_of(segments) {
            Some(ty @ (Ty::External { .. } | Ty::Adt { .. })) => {
                let constructor = segments
                    .last()
                    .is_some_and(|name| name.starts_with(char::is_lowercase));
                if constructor {
                    ty
                } else {
                    Ty::Unknown
                }
            }
            _ => Ty::Unknown,
        }
    }

    /// What calling a workspace function gives: its declared return type (a future of it for
    /// an `async fn`), with `Self` the receiver's type when known, else its impl's.
    pub(crate) fn return_type(&self, fn_ref: FnRef, receiver: &Ty) -> Ty {
        let item = self.item(fn_ref);
        let Some(mut scope) = self.type_scope_of_fn(fn_ref.file, item, true) else {
            return Ty::Unknown;
        };
        if receiver.is_known() && !matches!(receiver.peeled(), Ty::Bounds(_)) {
            scope.self_ty = Some(receiver.peeled().clone());
        }
        let output = match &item.ret {
            Some(written) => self.defs.resolve_type(&self.units, &scope, written),
            None => Ty::Tuple(Vec::new()),
        };
        if item.async_keyword {
            Ty::Future(Box::new(output))
        } else {
            output
        }
    }

    /// The result type of `receiver.name(..)`.
    fn type_of_method(&self, receiver: &Ty, name: &str, args: usize) -> Ty {
        match self.dispatch(receiver, name) {
            Dispatch::Fn(fn_ref) => return self.return_type(fn_ref, receiver),
            Dispatch::Trait(set) => {
                if let Some(decl) = self.dispatch_set(set).decl {
                    return self.return_type(decl, receiver);
                }
            }
            Dispatch::None => {}
        }
        let peeled = receiver.peeled();
        if SAME_TYPE.contains(&name) {
            return peeled.clone();
        }
        if let Ty::External {
            args: type_args, ..
        } = peeled
        {
            let type_name = peeled.external_name().unwrap_or("");
            if LOCKS.contains(&name)
                && super::resolve::CELLS.contains(&type_name)
                && !type_args.is_empty()
            {
                return type_args[0].clone();
            }
            if ELEMENTS.contains(&name) || (name == "get" && args == 1) {
                if let Some(element) = element_type(peeled) {
                    return option_of(element);
                }
            }
            if matches!(
                name,
                "iter" | "iter_mut" | "into_iter" | "drain" | "values" | "values_mut"
            ) {
                return peeled.clone();
            }
        }
        Ty::Unknown
    }

    /// One step of a pattern into a value of type `ty`.
    fn project(&self, file: usize, body: BodyId, ty: &Ty, step: &Proj) -> Ty {
        let peeled = ty.peeled();
        match step {
            Proj::Tuple(index) => match peeled {
                Ty::Tuple(elems) => elems.get(*index).cloned().unwrap_or(Ty::Unknown),
                _ => Ty::Unknown,
            },
            Proj::Element => element_type(peeled).unwrap_or(Ty::Unknown),
            Proj::Variant { path, index } => {
                let last = path.last().map(String::as_str).unwrap_or("");
                if let Ty::External { args, .. } = peeled {
                    return match (last, peeled.external_name()) {
                        ("Some", Some("Option"))
                        | ("Ok", Some("Result"))
                        | ("Ready", Some("Poll")) => args.first().cloned().unwrap_or(Ty::Unknown),
                        ("Err", Some("Result")) => args.get(1).cloned().unwrap_or(Ty::Unknown),
                        _ => Ty::Unknown,
                    };
                }
                self.variant_field(file, body, peeled, path, VariantField::Index(*index))
            }
            Proj::Field { path, name } => match peeled {
                Ty::Adt { id, .. }
                    if self.units[id.file].model.items.types[id.index].kind == TypeKind::Enum =>
                {
                    self.variant_field(file, body, peeled, path, VariantField::Name(name))
                }
                _ => self.field_type(peeled, name),
            },
        }
    }

    /// A field of an enum variant of a value of type `ty`.
    fn variant_field(
        &self,
        _file: usize,
        _body: BodyId,
        ty: &Ty,
        path: &[String],
        field: VariantField<'_>,
    ) -> Ty {
        let Ty::Adt { id, args } = ty else {
            return Ty::Unknown;
        };
        let decl = &self.units[id.file].model.items.types[id.index];
        let Some(variant) = path.last() else {
            return Ty::Unknown;
        };
        let Some((_, fields)) = decl.variants.iter().find(|(name, _)| name == variant) else {
            return Ty::Unknown;
        };
        let written = match field {
            VariantField::Index(index) => fields.get(index).map(|(_, ty)| ty),
            VariantField::Name(name) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, ty)| ty),
        };
        match written {
            Some(written) => self.resolve_in_type_decl(*id, args, written),
            None => Ty::Unknown,
        }
    }
}

enum VariantField<'a> {
    Index(usize),
    Name(&'a str),
}

/// The element type of a collection or iterator type, when known.
fn element_type(ty: &Ty) -> Option<Ty> {
    let Ty::External { args, .. } = ty else {
        return None;
    };
    let name = ty.external_name()?;
    if COLLECTIONS.contains(&name) {
        return args.first().cloned();
    }
    if MAPS.contains(&name) {
        return args.get(1).cloned();
    }
    None
}

/// `Option<T>`.
fn option_of(ty: Ty) -> Ty {
    Ty::External {
        path: "Option".to_string(),
        args: vec![ty],
    }
}

#[cfg(test)]
mod tests {
    use crate::model::resolve::Ty;
    use crate::model::test_support::workspace_of;

    /// The type of `place` at the first race of the root file.
    fn type_at_race(text: &str, place: &str) -> Ty {
        let workspace = workspace_of(&[("", text)]);
        let race = &workspace.units[0].model.races[0];
        let op = race.branches[0].op.as_ref().expect("an operation");
        workspace.type_of_place(0, race.body, place, op.span.start)
    }

    #[test]
    fn a_name_from_the_one_external_glob_is_that_crates() {
        let ty = type_at_race(
            "use std::sync::Arc;
use signals::*;
pub struct W { stop: Arc<Notify> }
impl W {
    async fn run(&self, mut rx: R) { tokio::select! { _ = self.stop.notified() => {}, _ = rx.recv() => {} } }
}",
            "self.stop",
        );
        let Ty::External { path, args } = ty else {
            panic!("{ty:?}")
        };
        assert_eq!(path, "std::sync::Arc");
        assert!(
            matches!(args.as_slice(), [Ty::External { path, .. }] if path == "signals::Notify"),
            "{args:?}"
        );
    }

    #[test]
    fn a_pointer_made_or_shared_derefs_to_what_it_holds() {
        let text = "use std::sync::Arc;
pub struct Bell;
async fn run(mut rx: R) {
    let bell = Arc::new(Bell::new());
    let shared = Arc::clone(&bell);
    let boxed = Box::pin(tokio::sync::Notify::new());
    tokio::select! { _ = shared.notified() => {}, _ = rx.recv() => {} }
}";
        let shared = type_at_race(text, "shared");
        assert!(matches!(shared.peeled(), Ty::Adt { .. }), "{shared:?}");
        let boxed = type_at_race(text, "boxed");
        assert!(
            matches!(boxed.peeled(), Ty::External { path, .. } if path == "tokio::sync::Notify"),
            "{boxed:?}"
        );
    }
}
