//! A file's declarations, as the resolution layer needs them: its scopes (the file's module, the
//! inline `mod` blocks, fn bodies that declare items) with the names each declares and imports,
//! and the types, traits and impls with their generics and the types they are written with.
//!
//! Types are kept as written ([`TypeRef`]): the workspace resolves them in the scope they were
//! written in, so `T` is a generic parameter where one is in scope, and `TcpStream` is whatever the
//! file's imports make it.

use syn::punctuated::Punctuated;
use syn::{GenericArgument, PathArguments, ReturnType, Token, Type, TypeParamBound};

/// Index of a [`Scope`] in [`Items::scopes`]; the file's own module is scope 0.
pub type ScopeId = usize;

/// The declarations of one file.
#[derive(Debug, Default, Clone)]
pub struct Items {
    pub scopes: Vec<Scope>,
    pub types: Vec<TypeDecl>,
    pub traits: Vec<TraitDecl>,
    pub impls: Vec<ImplDecl>,
}

/// A scope names are declared and imported in.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub parent: Option<ScopeId>,
    /// The inline modules from the file's module to this scope (`["imp", "unix"]`); for a fn
    /// body, those of the module it is in.
    pub module: Vec<String>,
    /// A fn body that declares items or imports: its names come first, then the module's.
    pub is_block: bool,
    /// For an inline module: whether it is declared `pub` (not `pub(crate)`, `pub(super)` or
    /// private), so that it can be part of the crate's API.
    pub is_pub: bool,
    pub uses: Vec<UseDecl>,
    /// Names declared here, in source order.
    pub items: Vec<(String, ItemRef)>,
}

/// What a declared name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    Type(usize),
    Trait(usize),
    /// An inline `mod name { .. }`.
    Module(ScopeId),
    /// A `mod name;`, whose body is another file; whether it is declared `pub`.
    ModuleFile(bool),
    /// A free function (its `FnItem` carries its name and scope).
    Fn,
}

/// One name a `use` item brings in: `use a::b::c as d;` gives `d` → `a::b::c`; a glob
/// `use a::b::*;` has no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseDecl {
    pub name: Option<String>,
    /// The path as written (`crate`, `self`, `super` kept as segments; a leading `::` dropped).
    pub path: Vec<String>,
    /// `pub use` (exactly `pub`): a re-export that can make items the crate's API.
    pub is_pub: bool,
}

/// A struct, enum, union or type alias.
#[derive(Debug, Clone)]
pub struct TypeDecl {
    pub name: String,
    pub scope: ScopeId,
    pub kind: TypeKind,
    pub generics: Generics,
    /// Struct and union fields (`"0"`, `"1"` for tuple structs).
    pub fields: Vec<(String, TypeRef)>,
    /// Enum variants with their fields.
    pub variants: Vec<(String, Vec<(String, TypeRef)>)>,
    /// What a type alias stands for.
    pub aliased: Option<TypeRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Struct,
    Enum,
    Union,
    Alias,
}

/// A trait.
#[derive(Debug, Clone)]
pub struct TraitDecl {
    pub name: String,
    pub scope: ScopeId,
    pub generics: Generics,
    pub supertraits: Vec<PathRef>,
}

/// An `impl` block.
#[derive(Debug, Clone)]
pub struct ImplDecl {
    pub scope: ScopeId,
    pub generics: Generics,
    pub self_ty: TypeRef,
    /// `impl Trait for Type`: the trait as written.
    pub trait_path: Option<PathRef>,
}

/// Generic parameters with their trait bounds (from the parameter list and the `where` clause).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Generics {
    pub params: Vec<GenericParam>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenericParam {
    pub name: String,
    pub bounds: Vec<PathRef>,
}

impl Generics {
    /// The bounds of the type parameter `name`, if it is one.
    pub fn bounds_of(&self, name: &str) -> Option<&[PathRef]> {
        self.params
            .iter()
            .find(|param| param.name == name)
            .map(|param| param.bounds.as_slice())
    }
}

/// A type as written, reduced to what resolution uses.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Path(PathRef),
    Ref {
        mutable: bool,
        inner: Box<TypeRef>,
    },
    Tuple(Vec<TypeRef>),
    /// `impl A + B`.
    Impl(Vec<PathRef>),
    /// `dyn A + B` (and bare trait objects).
    Dyn(Vec<PathRef>),
    /// `[T]`, `[T; N]`.
    Slice(Box<TypeRef>),
    /// A raw pointer, `fn(..)`, `!`, `_`, a macro: nothing resolution follows.
    Other,
}

/// A path as written, with the generic arguments of its last segment.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRef {
    pub segments: Vec<String>,
    pub args: Vec<TypeRef>,
    /// Associated type bindings (`Future<Output = T>` gives `Output` → `T`).
    pub bindings: Vec<(String, TypeRef)>,
}

/// How deep types are converted: deeper generics are rare and tell resolution nothing more.
const MAX_TYPE_DEPTH: usize = 12;

impl TypeRef {
    /// The written type of a syn type.
    pub fn of(ty: &Type) -> TypeRef {
        Self::at_depth(ty, 0)
    }

    fn at_depth(ty: &Type, depth: usize) -> TypeRef {
        if depth > MAX_TYPE_DEPTH {
            return TypeRef::Other;
        }
        match ty {
            Type::Path(path) if path.qself.is_none() => {
                TypeRef::Path(PathRef::at_depth(&path.path, depth))
            }
            Type::Reference(reference) => TypeRef::Ref {
                mutable: reference.mutability.is_some(),
                inner: Box::new(Self::at_depth(&reference.elem, depth + 1)),
            },
            Type::Paren(inner) => Self::at_depth(&inner.elem, depth),
            Type::Group(inner) => Self::at_depth(&inner.elem, depth),
            Type::Tuple(tuple) => TypeRef::Tuple(
                tuple
                    .elems
                    .iter()
                    .map(|elem| Self::at_depth(elem, depth + 1))
                    .collect(),
            ),
            Type::ImplTrait(imp) => TypeRef::Impl(bound_paths(&imp.bounds, depth)),
            Type::TraitObject(object) => TypeRef::Dyn(bound_paths(&object.bounds, depth)),
            Type::Slice(slice) => TypeRef::Slice(Box::new(Self::at_depth(&slice.elem, depth + 1))),
            Type::Array(array) => TypeRef::Slice(Box::new(Self::at_depth(&array.elem, depth + 1))),
            _ => TypeRef::Other,
        }
    }

    /// The written return type of a signature (`None` for `()`).
    pub fn of_return(output: &ReturnType) -> Option<TypeRef> {
        match output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => Some(TypeRef::of(ty)),
        }
    }
}

impl PathRef {
    /// The written path of a syn path.
    pub fn of(path: &syn::Path) -> PathRef {
        Self::at_depth(path, 0)
    }

    fn at_depth(path: &syn::Path, depth: usize) -> PathRef {
        let segments = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let mut args = Vec::new();
        let mut bindings = Vec::new();
        if let Some(last) = path.segments.last() {
            if let PathArguments::AngleBracketed(angle) = &last.arguments {
                for arg in &angle.args {
                    match arg {
                        GenericArgument::Type(ty) => args.push(TypeRef::at_depth(ty, depth + 1)),
                        GenericArgument::AssocType(assoc) => bindings.push((
                            assoc.ident.to_string(),
                            TypeRef::at_depth(&assoc.ty, depth + 1),
                        )),
                        _ => {}
                    }
                }
            }
        }
        PathRef {
            segments,
            args,
            bindings,
        }
    }

    /// The last segment.
    pub fn name(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }
}

/// The trait paths among some bounds (lifetimes and `?Sized` dropped).
pub(crate) fn bound_paths(
    bounds: &Punctuated<TypeParamBound, Token![+]>,
    depth: usize,
) -> Vec<PathRef> {
    bounds
        .iter()
        .filter_map(|bound| match bound {
            TypeParamBound::Trait(bound) if bound.maybe.is_none() => {
                Some(PathRef::at_depth(&bound.path, depth + 1))
            }
            _ => None,
        })
        .collect()
}

impl Generics {
    /// The type parameters of syn generics with their bounds, the `where` clause's included
    /// (`where T: Transport + Send`).
    pub fn of(generics: &syn::Generics) -> Generics {
        let mut params: Vec<GenericParam> = generics
            .type_params()
            .map(|param| GenericParam {
                name: param.ident.to_string(),
                bounds: bound_paths(&param.bounds, 0),
            })
            .collect();
        if let Some(clause) = &generics.where_clause {
            for predicate in &clause.predicates {
                let syn::WherePredicate::Type(predicate) = predicate else {
                    continue;
                };
                let Type::Path(bounded) = &predicate.bounded_ty else {
                    continue;
                };
                let Some(ident) = bounded.path.get_ident() else {
                    continue;
                };
                let name = ident.to_string();
                let bounds = bound_paths(&predicate.bounds, 0);
                match params.iter_mut().find(|param| param.name == name) {
                    Some(param) => param.bounds.extend(bounds),
                    None => params.push(GenericParam { name, bounds }),
                }
            }
        }
        Generics { params }
    }
}

/// The names a `use` tree brings in, with the paths they stand for.
pub(crate) fn use_decls(tree: &syn::UseTree, is_pub: bool, out: &mut Vec<UseDecl>) {
    fn walk(prefix: &mut Vec<String>, tree: &syn::UseTree, is_pub: bool, out: &mut Vec<UseDecl>) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                walk(prefix, &path.tree, is_pub, out);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                if ident == "self" {
                    if let Some(last) = prefix.last() {
                        out.push(UseDecl {
                            name: Some(last.clone()),
                            path: prefix.clone(),
                            is_pub,
                        });
                    }
                } else {
                    let mut path = prefix.clone();
                    path.push(ident.clone());
                    out.push(UseDecl {
                        name: Some(ident),
                        path,
                        is_pub,
                    });
                }
            }
            syn::UseTree::Rename(rename) => {
                let target = rename.ident.to_string();
                let mut path = prefix.clone();
                if target != "self" {
                    path.push(target);
                }
                let name = rename.rename.to_string();
                // `use x as _;` brings in a trait's methods only.
                if name != "_" {
                    out.push(UseDecl {
                        name: Some(name),
                        path,
                        is_pub,
                    });
                }
            }
            syn::UseTree::Glob(_) => out.push(UseDecl {
                name: None,
                path: prefix.clone(),
                is_pub,
            }),
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    walk(prefix, item, is_pub, out);
                }
            }
        }
    }
    walk(&mut Vec::new(), tree, is_pub, out);
}
