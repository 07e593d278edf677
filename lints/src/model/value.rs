//! How a local's value was computed, as far as its type goes: `connect(addr).await?`,
//! `self.halves.as_mut().expect(..)`, the second element of a tuple a pattern takes apart. The
//! workspace turns a [`ValueExpr`] into a type with the callees' return types
//! (`Workspace::type_of_value`).

use syn::{Expr, Pat};

use super::operation::place_text;

/// A value as written, reduced to what its type depends on.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueExpr {
    /// `x`, `self.conn.stream`.
    Place(String),
    /// The result of a call through a path: `connect(addr)`, `Client::open(..)`.
    Call(Vec<String>),
    /// A smart pointer made around a value (`Arc::new(x)`, `Box::pin(x)`, `Rc::from(x)`; the
    /// pointer's path), or shared again (`Arc::clone(&x)`, with no path): it derefs to `x`.
    Pointer {
        path: Option<Vec<String>>,
        inner: Box<ValueExpr>,
    },
    /// `receiver.name(..)`.
    Method {
        receiver: Box<ValueExpr>,
        name: String,
        args: usize,
    },
    /// `fut.await`.
    Await(Box<ValueExpr>),
    /// `x?`, `x.unwrap()`, `x.expect(..)`: what an `Option` or `Result` holds.
    Unwrap(Box<ValueExpr>),
    /// `&x`, `&mut x`.
    Ref(Box<ValueExpr>),
    /// The part of a value a pattern binds.
    Project(Box<ValueExpr>, Vec<Proj>),
}

/// One step into a value, as a pattern takes it apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Proj {
    /// The `index`-th field of a tuple-like variant (`Some(x)`, `Ok(x)`, `State::Open(s)`).
    Variant { path: Vec<String>, index: usize },
    /// A named field of a struct-like variant or a struct (`Event { kind, .. }`).
    Field { path: Vec<String>, name: String },
    /// A tuple's element.
    Tuple(usize),
    /// An element of a collection or iterator (a `for` loop's item, a closure's argument
    /// in `.map(|x| ..)`).
    Element,
}

/// Whether a call through `segments` makes a smart pointer around its one argument
/// (`Some(true)`: `Arc::new(x)`, `Box::pin(x)`) or shares one again (`Some(false)`:
/// `Arc::clone(&x)`).
fn pointer_call(segments: &[String]) -> Option<bool> {
    let [.., owner, name] = segments else {
        return None;
    };
    if !matches!(owner.as_str(), "Arc" | "Rc" | "Box") {
        return None;
    }
    match name.as_str() {
        "new" | "pin" | "from" => Some(true),
        "clone" => Some(false),
        _ => None,
    }
}

/// How deep values are followed: longer chains are rare and tell no more.
const MAX_DEPTH: usize = 16;

/// Methods that take the value out of an `Option` or `Result`.
const UNWRAPS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_unchecked",
];

impl ValueExpr {
    /// The value an expression computes, when it is a shape the analysis follows.
    pub fn of(expr: &Expr) -> Option<ValueExpr> {
        Self::at_depth(expr, 0)
    }

    fn at_depth(expr: &Expr, depth: usize) -> Option<ValueExpr> {
        if depth > MAX_DEPTH {
            return None;
        }
        let inner = |expr: &Expr| Self::at_depth(expr, depth + 1).map(Box::new);
        match expr {
            Expr::Paren(paren) => Self::at_depth(&paren.expr, depth + 1),
            Expr::Group(group) => Self::at_depth(&group.expr, depth + 1),
            Expr::Path(_) | Expr::Field(_) => place_text(expr).map(ValueExpr::Place),
            Expr::Call(call) => match &*call.func {
                Expr::Path(path) if path.qself.is_none() => {
                    let segments: Vec<String> = path
                        .path
                        .segments
                        .iter()
                        .map(|segment| segment.ident.to_string())
                        .collect();
                    let one_arg = (call.args.len() == 1).then(|| call.args.first()).flatten();
                    if let (Some(pointer), Some(arg)) = (pointer_call(&segments), one_arg) {
                        if let Some(inner) = inner(arg) {
                            return Some(ValueExpr::Pointer {
                                path: pointer.then(|| segments[..segments.len() - 1].to_vec()),
                                inner,
                            });
                        }
                    }
                    Some(ValueExpr::Call(segments))
                }
                _ => None,
            },
            Expr::MethodCall(call) => {
                let method = call.method.to_string();
                let receiver = inner(&call.receiver)?;
                if UNWRAPS.contains(&method.as_str()) {
                    return Some(ValueExpr::Unwrap(receiver));
                }
                Some(ValueExpr::Method {
                    receiver,
                    name: method,
                    args: call.args.len(),
                })
            }
            Expr::Await(awaited) => inner(&awaited.base).map(ValueExpr::Await),
            Expr::Try(tried) => inner(&tried.expr).map(ValueExpr::Unwrap),
            Expr::Reference(reference) => inner(&reference.expr).map(ValueExpr::Ref),
            Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
                Self::at_depth(&unary.expr, depth + 1)
            }
            _ => None,
        }
    }

    /// The part of this value that `steps` reach.
    pub fn project(self, steps: Vec<Proj>) -> ValueExpr {
        if steps.is_empty() {
            self
        } else {
            ValueExpr::Project(Box::new(self), steps)
        }
    }
}

/// The names a pattern binds, each with the steps that reach it from the whole value
/// (`Some((_, ref mut s))` binds `s` at `[Variant(Some, 0), Tuple(1)]`).
pub fn pat_bindings(pat: &Pat) -> Vec<(String, Vec<Proj>)> {
    let mut found = Vec::new();
    collect(pat, &mut Vec::new(), &mut found, 0);
    found
}

fn collect(pat: &Pat, steps: &mut Vec<Proj>, found: &mut Vec<(String, Vec<Proj>)>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match pat {
        Pat::Ident(ident) => {
            found.push((ident.ident.to_string(), steps.clone()));
            if let Some((_, sub)) = &ident.subpat {
                collect(sub, steps, found, depth + 1);
            }
        }
        Pat::Type(typed) => collect(&typed.pat, steps, found, depth + 1),
        Pat::Reference(reference) => collect(&reference.pat, steps, found, depth + 1),
        Pat::Paren(paren) => collect(&paren.pat, steps, found, depth + 1),
        Pat::Guard(guarded) => collect(&guarded.pat, steps, found, depth + 1),
        Pat::Tuple(tuple) => {
            for (index, elem) in tuple.elems.iter().enumerate() {
                steps.push(Proj::Tuple(index));
                collect(elem, steps, found, depth + 1);
                steps.pop();
            }
        }
        Pat::TupleStruct(tuple) => {
            let path: Vec<String> = tuple
                .path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect();
            for (index, elem) in tuple.elems.iter().enumerate() {
                steps.push(Proj::Variant {
                    path: path.clone(),
                    index,
                });
                collect(elem, steps, found, depth + 1);
                steps.pop();
            }
        }
        Pat::Struct(strukt) => {
            let path: Vec<String> = strukt
                .path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect();
            for field in &strukt.fields {
                let name = match &field.member {
                    syn::Member::Named(ident) => ident.to_string(),
                    syn::Member::Unnamed(index) => index.index.to_string(),
                };
                steps.push(Proj::Field {
                    path: path.clone(),
                    name,
                });
                collect(&field.pat, steps, found, depth + 1);
                steps.pop();
            }
        }
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                collect(first, steps, found, depth + 1);
            }
        }
        Pat::Slice(slice) => {
            for elem in &slice.elems {
                steps.push(Proj::Element);
                collect(elem, steps, found, depth + 1);
                steps.pop();
            }
        }
        _ => {}
    }
}
