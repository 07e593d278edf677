//! Operations: the call that creates a raced future (`reader.read_exact(&mut buf)`,
//! `tokio::time::sleep(d)`), seen through adapters (`.fuse()`, `Box::pin(..)`, `.map(..)`), with
//! the resource it works on and what the knowledge base says about it.

use syn::{Expr, ExprMethodCall};

use super::imports::{path_segments, Imports};
use super::names::{ADAPTERS, DEREF_WRAPPERS, PLACE_ACCESSORS, TRAIT_OWNERS};
use crate::knowledge::{ApiEntry, ApiKind, Knowledge, Verdict};
use crate::span::Span;
use crate::syntax::{calls_now, fields_in, is_borrow, names_in, plain_name};

/// A place: a local, a parameter or a field path (`reader`, `self.conn.stream`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Dotted text: `self.conn.stream`.
    pub text: String,
    pub span: Span,
}

impl Place {
    /// The first segment: a local, a parameter or `self`.
    pub fn root(&self) -> &str {
        self.text.split('.').next().unwrap_or(&self.text)
    }

    /// A field reached through `self`.
    pub fn is_self_field(&self) -> bool {
        self.text.starts_with("self.")
    }
}

/// The place an expression denotes: `x`, `self.a.b`, `&mut x`, `*x`, `x.as_mut()`, `x[i]`.
pub(crate) fn place_of(expr: &Expr) -> Option<Place> {
    let text = place_text(expr)?;
    Some(Place {
        text,
        span: Span::of_expr(expr),
    })
}

/// [`place_of`] a field expression, without making an [`Expr`] of it.
pub(crate) fn place_of_field(field: &syn::ExprField) -> Option<Place> {
    let text = field_text(field)?;
    Some(Place {
        text,
        span: Span::of_field(field),
    })
}

/// The place text of `base.member`, when `base` is a place.
fn field_text(field: &syn::ExprField) -> Option<String> {
    let base = place_text(&field.base)?;
    let member = match &field.member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    };
    Some(format!("{base}.{member}"))
}

pub(crate) fn place_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) if path.qself.is_none() => {
            path.path.get_ident().map(ToString::to_string).or_else(|| {
                // `self` parses as a path with the `self` ident.
                (path.path.segments.len() == 1).then(|| path.path.segments[0].ident.to_string())
            })
        }
        Expr::Field(field) => field_text(field),
        Expr::Reference(reference) => place_text(&reference.expr),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => place_text(&unary.expr),
        Expr::Paren(inner) => place_text(&inner.expr),
        Expr::Index(index) => place_text(&index.expr),
        Expr::MethodCall(call)
            if PLACE_ACCESSORS.contains(&call.method.to_string().as_str())
                || UNWRAPPING_ACCESSORS.contains(&call.method.to_string().as_str()) =>
        {
            place_text(&call.receiver)
        }
        _ => None,
    }
}

/// Methods that reach the value in an `Option` field without moving it out of the place, for
/// the place a call works on: `self.stream.as_mut().unwrap().read_exact(..)` reads from
/// `self.stream`.
const UNWRAPPING_ACCESSORS: &[&str] = &["unwrap", "expect", "as_deref_mut", "as_deref"];

/// How an operation is called.
#[derive(Debug, Clone)]
pub enum OpTarget {
    /// `receiver.name(..)`; the receiver's place when it is one.
    Method { receiver: Option<Place> },
    /// A call through a path, expanded through the file's imports (`tokio::time::sleep`), and
    /// the path as written.
    Path { full: String, segments: Vec<String> },
}

/// The call that creates a future.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The method or function name.
    pub name: String,
    /// The whole call expression.
    pub span: Span,
    pub target: OpTarget,
    /// The first argument is a reference (`&buf`): nothing is moved into the future.
    pub first_arg_is_ref: bool,
    /// The first argument when it is a plain name (`send(buf)`), to check its declared type.
    pub first_arg_name: Option<String>,
    /// The first argument's expression (`Duration::from_secs(1)` in `sleep(..)`).
    pub first_arg: Option<Span>,
    /// An argument calls `now()`: a deadline computed on the spot.
    pub args_call_now: bool,
    /// The resource the operation works on: the receiver, else the first `&mut` argument.
    pub resource: Option<Place>,
    /// Single-segment names mentioned in the arguments (`sleep(remaining)` gives `remaining`).
    pub arg_names: Vec<String>,
    /// How many arguments the call passes (not counting the receiver).
    pub arg_count: usize,
    /// Field names mentioned in the arguments (`sleep(self.keepalive)` gives `keepalive`).
    pub arg_fields: Vec<String>,
    /// Each argument that is a place, as written: `&mut stream`, `reader`, `&self.buf`.
    pub args: Vec<Option<Arg>>,
    /// For a method call, the receiver as a value (`self.conn.lock().await`,
    /// `self.stream.as_mut().unwrap()`), for its type.
    pub receiver_value: Option<super::value::ValueExpr>,
}

/// An argument that denotes a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub place: Place,
    /// Written `&x` or `&mut x`.
    pub borrowed: bool,
    /// Written `&mut x`.
    pub mutable: bool,
    /// Written `x.clone()` (or `to_owned`, `to_vec`, `to_string`): the caller keeps `x`, and
    /// a dropped future loses only its copy.
    pub copied: bool,
}

/// The places the arguments of a call denote.
fn arg_places<'a>(args: impl Iterator<Item = &'a Expr>) -> Vec<Option<Arg>> {
    args.map(|arg| {
        let (borrowed, mutable) = match arg {
            Expr::Reference(reference) => (true, reference.mutability.is_some()),
            _ => (false, false),
        };
        if let Expr::MethodCall(call) = arg {
            let copies = matches!(
                call.method.to_string().as_str(),
                "clone" | "to_owned" | "to_vec" | "to_string"
            );
            if copies && call.args.is_empty() {
                return place_of(&call.receiver).map(|place| Arg {
                    place,
                    borrowed: false,
                    mutable: false,
                    copied: true,
                });
            }
        }
        place_of(arg).map(|place| Arg {
            place,
            borrowed,
            mutable,
            copied: false,
        })
    })
    .collect()
}

/// A future expression seen through adapters: a call, a binding, or something else.
pub enum FutureShape {
    Call(Box<Operation>),
    /// `fut`, `&mut fut`, `fut.as_mut()`: a future created elsewhere and polled here.
    Binding(String),
    AsyncBlock,
    Other,
}

/// Classifies a future expression.
pub fn future_shape(expr: &Expr, imports: &Imports) -> FutureShape {
    match expr {
        Expr::Paren(inner) => future_shape(&inner.expr, imports),
        Expr::Group(inner) => future_shape(&inner.expr, imports),
        Expr::Reference(reference) => match future_shape(&reference.expr, imports) {
            FutureShape::Binding(name) => FutureShape::Binding(name),
            other => other,
        },
        Expr::Path(path) if path.qself.is_none() => match path.path.get_ident() {
            Some(ident) => FutureShape::Binding(ident.to_string()),
            None => FutureShape::Other,
        },
        Expr::Field(_) => FutureShape::Other,
        Expr::Async(_) => FutureShape::AsyncBlock,
        Expr::MethodCall(call) => {
            let method = call.method.to_string();
            if ADAPTERS.contains(&method.as_str()) || PLACE_ACCESSORS.contains(&method.as_str()) {
                return future_shape(&call.receiver, imports);
            }
            FutureShape::Call(Box::new(method_operation(call)))
        }
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return FutureShape::Other;
            };
            let segments: Vec<String> = path_segments(&func.path);
            let full = imports.expand(&segments);
            if matches!(
                full.as_str(),
                "Box::pin" | "std::pin::pin" | "core::pin::pin" | "Pin::new" | "std::pin::Pin::new"
            ) && call.args.len() == 1
            {
                return future_shape(&call.args[0], imports);
            }
            let name = segments.last().cloned().unwrap_or_default();
            // Only timers need the field names in their arguments (`select_timer_reset`).
            let is_timer = name.starts_with("sleep");
            let resource = call.args.iter().find_map(|arg| match arg {
                Expr::Reference(reference) if reference.mutability.is_some() => {
                    place_of(&reference.expr)
                }
                _ => None,
            });
            FutureShape::Call(Box::new(Operation {
                name,
                span: Span::of_call(call),
                target: OpTarget::Path { full, segments },
                first_arg_is_ref: call.args.first().is_some_and(is_borrow),
                first_arg_name: call.args.first().and_then(plain_name),
                first_arg: call.args.first().map(Span::of_expr),
                args_call_now: call.args.iter().any(calls_now),
                resource,
                arg_names: names_in(call.args.iter()),
                arg_count: call.args.len(),
                arg_fields: if is_timer {
                    fields_in(call.args.iter())
                } else {
                    Vec::new()
                },
                args: arg_places(call.args.iter()),
                receiver_value: None,
            }))
        }
        Expr::Macro(mac) => {
            let last = mac
                .mac
                .path
                .segments
                .last()
                .map(|segment| segment.ident.to_string());
            if matches!(last.as_deref(), Some("pin")) {
                if let Ok(inner) = mac.mac.parse_body::<Expr>() {
                    return future_shape(&inner, imports);
                }
            }
            FutureShape::Other
        }
        _ => FutureShape::Other,
    }
}

fn method_operation(call: &ExprMethodCall) -> Operation {
    Operation {
        name: call.method.to_string(),
        span: Span::of_method_call(call),
        target: OpTarget::Method {
            receiver: place_of(&call.receiver),
        },
        first_arg_is_ref: call.args.first().is_some_and(is_borrow),
        first_arg_name: call.args.first().and_then(plain_name),
        first_arg: call.args.first().map(Span::of_expr),
        args_call_now: call.args.iter().any(calls_now),
        resource: place_of(&call.receiver),
        arg_names: names_in(call.args.iter()),
        arg_count: call.args.len(),
        arg_fields: Vec::new(),
        args: arg_places(call.args.iter()),
        receiver_value: super::value::ValueExpr::of(&call.receiver),
    }
}

impl Operation {
    /// Whether the call's shape fits the entry: the same number of arguments when the entry
    /// knows it (`send()` with no argument is a request builder, not a channel's `send(value)`).
    fn fits(&self, entry: &ApiEntry) -> bool {
        entry.args.is_none_or(|args| args == self.arg_count)
    }

    /// The full path when called through a path.
    pub fn path(&self) -> Option<&str> {
        match &self.target {
            OpTarget::Path { full, .. } => Some(full),
            OpTarget::Method { .. } => None,
        }
    }

    /// What the knowledge base says about this operation, or `None` when it does not know it or
    /// cannot tell which API is meant.
    ///
    /// Methods match by name and arity, and the receiver's type decides among same-named
    /// entries: a type outside the workspace matches the entries it owns (`tokio::sync::Notify`
    /// owns `Notify::notified`; a project's own `Notify` from another crate does not); a type of
    /// the workspace, a generic or a trait object has only trait methods (`AsyncReadExt`,
    /// `StreamExt`...). With the type unknown, a name the workspace defines as a method
    /// (`user_method`) is left to the workspace, and otherwise the more common meaning wins.
    /// A call through a path (`AsyncReadExt::read_exact(&mut r, buf)`) matches the entry at that
    /// path, its first argument being the receiver.
    pub fn api<'k>(
        &self,
        knowledge: &'k Knowledge,
        receiver: ReceiverType<'_>,
        user_method: bool,
        first_arg_borrowed: bool,
    ) -> Option<&'k ApiEntry> {
        match &self.target {
            OpTarget::Path { full, .. } => knowledge.by_path(full).filter(|entry| {
                if entry.kind == ApiKind::Method {
                    // UFCS: the receiver is the first argument.
                    entry.args.is_none_or(|args| args + 1 == self.arg_count)
                } else {
                    self.fits(entry)
                }
            }),
            OpTarget::Method { .. } => {
                let candidates: Vec<&ApiEntry> = knowledge
                    .named(&self.name)
                    .filter(|entry| entry.kind == ApiKind::Method && self.fits(entry))
                    .collect();
                if candidates.is_empty() {
                    return None;
                }
                let borrowed = self.first_arg_is_ref || first_arg_borrowed;
                let traits_only = |candidates: &[&'k ApiEntry]| {
                    let traits: Vec<&ApiEntry> = candidates
                        .iter()
                        .copied()
                        .filter(|entry| is_trait_owner(entry.owner()))
                        .collect();
                    pick_without_type(&traits, borrowed)
                };
                match receiver {
                    ReceiverType::External(path) => {
                        let name = path.rsplit("::").next().unwrap_or(path);
                        let root = path.split("::").next().unwrap_or(path);
                        // A bare name the file does not import says nothing about its crate.
                        let crate_known = path.contains("::");
                        if let Some(entry) = candidates.iter().find(|entry| {
                            entry.owner() == name
                                && (!crate_known || entry.path.split("::").next() == Some(root))
                        }) {
                            return Some(entry);
                        }
                        // A smart pointer whose content is not known tells nothing: as for an
                        // unknown type, a method the workspace defines is left to it.
                        if DEREF_WRAPPERS.contains(&name) {
                            return (!user_method)
                                .then(|| pick_without_type(&candidates, borrowed))
                                .flatten();
                        }
                        // The type's own crate's traits first (`postage::sink::Sink::send` for a
                        // postage sender), then any extension trait.
                        let own: Vec<&ApiEntry> = candidates
                            .iter()
                            .copied()
                            .filter(|entry| {
                                crate_known && entry.path.split("::").next() == Some(root)
                            })
                            .collect();
                        traits_only(&own).or_else(|| traits_only(&candidates))
                    }
                    ReceiverType::TraitsOnly => traits_only(&candidates),
                    ReceiverType::Unknown if user_method => None,
                    ReceiverType::Unknown => pick_without_type(&candidates, borrowed),
                }
            }
        }
    }
}

/// What is known of a method call's receiver for matching knowledge-base entries.
#[derive(Clone, Copy, Debug)]
pub enum ReceiverType<'a> {
    Unknown,
    /// A type outside the workspace, by its path as the file's imports give it.
    External(&'a str),
    /// A type of the workspace, a generic parameter or a trait object: only trait methods
    /// (extension traits) can be what it calls.
    TraitsOnly,
}

/// Whether an entry's owner is an extension trait (`AsyncReadExt`, `StreamExt`, `Sink`...),
/// whose methods any implementing type has.
fn is_trait_owner(owner: &str) -> bool {
    owner.ends_with("Ext") || TRAIT_OWNERS.contains(&owner)
}

/// Chooses among same-named entries when the receiver's type is unknown. A value passed by
/// reference is not moved into the future, so "message lost" entries do not apply. Otherwise the
/// majority decides whether progress is lost (`send` is a channel or sink send far more often
/// than a datagram socket's); a tie claims nothing.
fn pick_without_type<'k>(
    candidates: &[&'k ApiEntry],
    first_arg_is_ref: bool,
) -> Option<&'k ApiEntry> {
    let applicable: Vec<&ApiEntry> = candidates
        .iter()
        .copied()
        .filter(|entry| !(first_arg_is_ref && entry.verdict == Verdict::MessageLost))
        .collect();
    let losing = applicable
        .iter()
        .filter(|entry| entry.verdict.loses_progress())
        .count();
    let keeping = applicable.len() - losing;
    match losing.cmp(&keeping) {
        std::cmp::Ordering::Greater => applicable
            .into_iter()
            .find(|entry| entry.verdict.loses_progress()),
        std::cmp::Ordering::Less => applicable
            .into_iter()
            .find(|entry| !entry.verdict.loses_progress()),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> FutureShape {
        let expr: Expr = syn::parse_str(text).expect("an expression");
        let mut imports = Imports::default();
        let tree: syn::UseTree = syn::parse_str("tokio::time::sleep").unwrap();
        imports.add_use(&tree, &syn::Visibility::Inherited);
        future_shape(&expr, &imports)
    }

    fn call(text: &str) -> Operation {
        match shape(text) {
            FutureShape::Call(op) => *op,
            _ => panic!("`{text}` is not a call"),
        }
    }

    #[test]
    fn adapters_and_pins_are_seen_through() {
        for text in [
            "reader.read_exact(&mut buf).fuse()",
            "Box::pin(reader.read_exact(&mut buf))",
            "std::pin::pin!(reader.read_exact(&mut buf))",
            "reader.read_exact(&mut buf).map(|r| r.is_ok()).boxed()",
        ] {
            let op = call(text);
            assert_eq!(op.name, "read_exact", "{text}");
            assert_eq!(op.resource.map(|p| p.text).as_deref(), Some("reader"));
        }
    }

    #[test]
    fn bindings_blocks_and_paths_are_classified() {
        assert!(matches!(shape("&mut fut"), FutureShape::Binding(name) if name == "fut"));
        assert!(matches!(shape("fut.as_mut()"), FutureShape::Binding(name) if name == "fut"));
        assert!(matches!(shape("async { 1 }"), FutureShape::AsyncBlock));
        let sleep = call("sleep(Duration::from_secs(1))");
        assert_eq!(sleep.path(), Some("tokio::time::sleep"));
        let io = call("tokio::io::copy(&mut a, &mut b)");
        assert_eq!(io.resource.map(|p| p.text).as_deref(), Some("a"));
        assert_eq!(io.arg_count, 2);
    }

    #[test]
    fn places_keep_their_field_paths() {
        for (text, place) in [
            ("self.conn.stream", "self.conn.stream"),
            ("&mut *self.rx", "self.rx"),
            ("buf[..n]", "buf"),
            ("s.as_mut()", "s"),
        ] {
            let expr: Expr = syn::parse_str(text).unwrap();
            assert_eq!(
                place_of(&expr).map(|p| p.text).as_deref(),
                Some(place),
                "{text}"
            );
        }
        let expr: Expr = syn::parse_str("make().stream").unwrap();
        assert!(place_of(&expr).is_none());
    }
}
