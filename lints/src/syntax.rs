//! Shared syntax predicates: small questions about syn trees that several passes ask (the first
//! token of an expression, whether it diverges, which names a pattern binds, what place an
//! expression denotes). One copy of each, so the passes cannot drift apart.

use syn::punctuated::Punctuated;
use syn::{Expr, Pat, ReturnType, Stmt, Token, Type};

use crate::span::Span;

/// The span of an expression's first token, without turning the whole expression into tokens
/// (which is what `Spanned::span` does).
pub(crate) fn first_token(expr: &Expr) -> proc_macro2::Span {
    use syn::spanned::Spanned;
    match expr {
        Expr::MethodCall(inner) => first_token(&inner.receiver),
        Expr::Call(inner) => first_token(&inner.func),
        Expr::Field(inner) => first_token(&inner.base),
        Expr::Await(inner) => first_token(&inner.base),
        Expr::Try(inner) => first_token(&inner.expr),
        Expr::Index(inner) => first_token(&inner.expr),
        Expr::Cast(inner) => first_token(&inner.expr),
        Expr::Binary(inner) => first_token(&inner.left),
        Expr::Paren(inner) => inner.paren_token.span.open(),
        Expr::Reference(inner) => inner.and_token.span,
        Expr::Async(inner) => inner.async_token.span,
        Expr::Block(inner) if inner.label.is_none() => inner.block.brace_token.span.open(),
        Expr::Path(inner) if inner.qself.is_none() => {
            match (&inner.path.leading_colon, inner.path.segments.first()) {
                (Some(colon), _) => colon.spans[0],
                (None, Some(segment)) => segment.ident.span(),
                (None, None) => expr.span(),
            }
        }
        Expr::Macro(inner) => match inner.mac.path.segments.first() {
            Some(segment) => segment.ident.span(),
            None => expr.span(),
        },
        Expr::Lit(inner) => inner.lit.span(),
        _ => expr.span(),
    }
}

/// From the first token of one node to a closing token, cheaply.
pub(crate) fn between(first: proc_macro2::Span, last: proc_macro2::Span) -> Span {
    let span = Span::between(first, last);
    debug_assert_eq!(span, Span::from_pm2(first).to(Span::from_pm2(last)));
    span
}

/// A macro call from its path to its closing delimiter.
pub(crate) fn macro_span(mac: &syn::Macro) -> Span {
    let first = match mac.path.segments.first() {
        Some(segment) => segment.ident.span(),
        None => mac.bang_token.span,
    };
    between(first, mac.delimiter.span().close())
}

/// `x.await`, `x.await?`, `x.await.unwrap()`: the value, not a future.
pub(crate) fn is_awaited(expr: &Expr) -> bool {
    match expr {
        Expr::Await(_) => true,
        Expr::Try(inner) => is_awaited(&inner.expr),
        Expr::MethodCall(call) => {
            matches!(&*call.receiver, Expr::Await(_)) || is_awaited(&call.receiver)
        }
        Expr::Paren(inner) => is_awaited(&inner.expr),
        _ => false,
    }
}

/// A closure, or a block that ends in one (`spawn_blocking({ let x = ..; move || .. })`).
pub(crate) fn is_closure(expr: &Expr) -> bool {
    match expr {
        Expr::Closure(_) => true,
        Expr::Block(block) => {
            matches!(block.block.stmts.last(), Some(Stmt::Expr(last, None)) if is_closure(last))
        }
        Expr::Paren(inner) => is_closure(&inner.expr),
        _ => false,
    }
}

/// The last segment of a type with references, pointers and smart pointers peeled:
/// `&mut BufReader<TcpStream>` -> `BufReader`, `Arc<Mutex<Conn>>` -> `Mutex`.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Reference(reference) => type_name(&reference.elem),
        Type::Paren(inner) => type_name(&inner.elem),
        Type::Group(inner) => type_name(&inner.elem),
        Type::Path(path) => {
            let last = path.path.segments.last()?;
            let name = last.ident.to_string();
            if matches!(name.as_str(), "Box" | "Arc" | "Rc" | "Pin") {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                        return type_name(inner);
                    }
                }
            }
            Some(name)
        }
        _ => None,
    }
}

pub(crate) fn is_macro_rules(mac: &syn::Macro) -> bool {
    mac.path.is_ident("macro_rules")
}

/// A type whose value outlives a call it is passed to: a reference, or a handle shared with
/// others (`Arc`, `Rc`, channel senders). An owned value moved in dies with the future.
pub(crate) fn is_shared_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) => true,
        Type::Paren(inner) => is_shared_type(&inner.elem),
        Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "Arc" | "Rc" | "Sender" | "UnboundedSender" | "SyncSender" | "WeakSender" | "Pin"
            )
        }),
        _ => false,
    }
}

/// A signature that hands out a future: `-> impl Future<..>`, `-> Pin<Box<dyn Future<..>>>`,
/// `-> BoxFuture<..>` / `LocalBoxFuture<..>`.
pub(crate) fn returns_impl_future(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    is_future_type(ty)
}

pub(crate) fn is_future_type(ty: &Type) -> bool {
    let bounds_name_future =
        |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, Token![+]>| {
            bounds.iter().any(|bound| match bound {
                syn::TypeParamBound::Trait(trait_bound) => trait_bound
                    .path
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident == "Future"),
                _ => false,
            })
        };
    match ty {
        Type::ImplTrait(imp) => bounds_name_future(&imp.bounds),
        Type::TraitObject(object) => bounds_name_future(&object.bounds),
        Type::Paren(inner) => is_future_type(&inner.elem),
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
                return true;
            }
            if last.ident == "Pin" || last.ident == "Box" {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    return args.args.iter().any(|arg| matches!(arg, syn::GenericArgument::Type(inner) if is_future_type(inner)));
                }
            }
            false
        }
        _ => false,
    }
}

/// The names a pattern binds.
pub(crate) fn pat_names(pat: &Pat) -> Vec<String> {
    let mut names = Vec::new();
    collect_pat_names(pat, &mut names, false);
    names
}

/// The names a pattern binds, leaving out those inside `Err(..)`: what an awaited call gave,
/// not the error it reported.
pub(crate) fn pat_names_outside_errors(pat: &Pat) -> Vec<String> {
    let mut names = Vec::new();
    collect_pat_names(pat, &mut names, true);
    names
}

fn collect_pat_names(pat: &Pat, names: &mut Vec<String>, skip_errors: bool) {
    let mut each = |pat: &Pat| collect_pat_names(pat, names, skip_errors);
    match pat {
        Pat::Ident(ident) => {
            names.push(ident.ident.to_string());
            if let Some((_, sub)) = &ident.subpat {
                collect_pat_names(sub, names, skip_errors);
            }
        }
        Pat::Type(typed) => each(&typed.pat),
        Pat::Reference(reference) => each(&reference.pat),
        Pat::Tuple(tuple) => tuple.elems.iter().for_each(each),
        Pat::TupleStruct(_) if skip_errors && is_err_pattern(pat) => {}
        Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(each),
        Pat::Struct(strukt) => strukt.fields.iter().for_each(|field| each(&field.pat)),
        Pat::Slice(slice) => slice.elems.iter().for_each(each),
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                each(first);
            }
        }
        Pat::Paren(paren) => each(&paren.pat),
        Pat::Guard(guarded) => each(&guarded.pat),
        _ => {}
    }
}

/// Whether evaluating the expression never completes normally: `break`, `return`, a panic, a
/// `?` on `Err(..)`, or a block / `if` / `match` all of whose ways end so.
pub(crate) fn diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Break(_) | Expr::Return(_) => true,
        Expr::Block(block) => block_diverges(&block.block),
        Expr::Paren(inner) => diverges(&inner.expr),
        Expr::Macro(mac) => mac.mac.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
            )
        }),
        Expr::Try(try_expr) => {
            matches!(&*try_expr.expr, Expr::Call(call) if matches!(&*call.func, Expr::Path(path) if path.path.is_ident("Err")))
        }
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "exit")
            && path.path.segments.len() >= 2)
        }
        Expr::If(if_expr) => {
            block_diverges(&if_expr.then_branch)
                && if_expr
                    .else_branch
                    .as_ref()
                    .is_some_and(|(_, other)| diverges(other))
        }
        Expr::Match(match_expr) => {
            !match_expr.arms.is_empty() && match_expr.arms.iter().all(|arm| diverges(&arm.body))
        }
        _ => false,
    }
}

/// An expression that only computes a value: a literal, a path, a constructor (`Some(x)`,
/// `Reason::Timer`, `Event { .. }`), `x?`, or a block of `let`s, `?`s and logging macros ending in
/// one. Anything that calls a method or awaits does work.
pub(crate) fn is_plain_value(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Paren(inner) => is_plain_value(&inner.expr),
        Expr::Tuple(tuple) => tuple.elems.iter().all(is_plain_value),
        Expr::Struct(strukt) => strukt
            .fields
            .iter()
            .all(|field| is_plain_value(&field.expr)),
        Expr::Try(inner) => is_plain_value(&inner.expr),
        // `() = result?;` checks an outcome; it does no work.
        Expr::Assign(assign) => {
            matches!(&*assign.left, Expr::Tuple(unit) if unit.elems.is_empty())
                && is_plain_value(&assign.right)
        }
        Expr::Call(call) => {
            let constructor = matches!(&*call.func, Expr::Path(path) if path.path.segments.last()
                .is_some_and(|segment| segment.ident.to_string().starts_with(char::is_uppercase)));
            constructor && call.args.iter().all(is_plain_value)
        }
        Expr::Block(block) => block.block.stmts.iter().all(|stmt| match stmt {
            Stmt::Local(local) => local
                .init
                .as_ref()
                .is_none_or(|init| is_plain_value(&init.expr)),
            Stmt::Expr(expr, _) => is_plain_value(expr),
            Stmt::Macro(_) => true,
            Stmt::Item(_) => false,
        }),
        Expr::Macro(_) => true,
        _ => false,
    }
}

/// `continue`, or a block whose last statement is `continue`.
pub(crate) fn ends_with_continue(expr: &Expr) -> bool {
    match expr {
        Expr::Continue(_) => true,
        Expr::Block(block) => block.block.stmts.last().is_some_and(|stmt| match stmt {
            Stmt::Expr(expr, _) => ends_with_continue(expr),
            _ => false,
        }),
        _ => false,
    }
}

pub(crate) fn block_diverges(block: &syn::Block) -> bool {
    block.stmts.iter().any(|stmt| match stmt {
        Stmt::Expr(expr, _) => diverges(expr),
        Stmt::Macro(mac) => diverges(&Expr::Macro(syn::ExprMacro {
            attrs: Vec::new(),
            mac: mac.mac.clone(),
        })),
        _ => false,
    })
}

/// `Err(..)`, `Err(_)`: the arm taken when a timeout elapses.
pub(crate) fn is_err_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(tuple) => tuple.path.segments.last().is_some_and(|s| s.ident == "Err"),
        Pat::Or(or) => or.cases.iter().any(is_err_pattern),
        Pat::Guard(guarded) => is_err_pattern(&guarded.pat),
        _ => false,
    }
}

/// `Ok(..)`: the pattern of `if let` / `let .. else` on a timeout's result.
pub(crate) fn is_ok_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(tuple) => tuple.path.segments.last().is_some_and(|s| s.ident == "Ok"),
        Pat::Guard(guarded) => is_ok_pattern(&guarded.pat),
        _ => false,
    }
}

/// The elements of `vec![a, b]` or `[a, b]`, for `select_all`.
pub(crate) fn collection_elements(expr: &Expr) -> Vec<Expr> {
    match expr {
        Expr::Array(array) => array.elems.iter().cloned().collect(),
        Expr::Reference(reference) => collection_elements(&reference.expr),
        Expr::Macro(mac) if mac.mac.path.is_ident("vec") => mac
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map(|elems| elems.into_iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// An initialiser that makes a growable or piecewise-filled collection.
pub(crate) fn is_collection_init(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let n = segments.len();
                n >= 2
                    && matches!(
                        segments[n - 2].as_str(),
                        "Vec" | "String" | "BytesMut" | "VecDeque"
                    )
                    && matches!(
                        segments[n - 1].as_str(),
                        "new" | "with_capacity" | "default"
                    )
            }
            _ => false,
        },
        Expr::Macro(mac) => mac.mac.path.is_ident("vec"),
        Expr::Repeat(_) => true,
        _ => false,
    }
}

/// `T::new(..)`, `a::T::connect(..).await?`, `T { .. }`: the path of the constructed type
/// (`["a", "T"]`), when its last segment is capitalised like a type.
pub(crate) fn constructed_type(expr: &Expr) -> Option<Vec<String>> {
    let capitalised = |segments: &[syn::PathSegment]| {
        segments
            .last()
            .is_some_and(|last| last.ident.to_string().starts_with(char::is_uppercase))
    };
    let names = |segments: &[syn::PathSegment]| -> Vec<String> {
        segments.iter().map(|s| s.ident.to_string()).collect()
    };
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) if path.path.segments.len() >= 2 => {
                let segments: Vec<syn::PathSegment> = path.path.segments.iter().cloned().collect();
                let owner = &segments[..segments.len() - 1];
                capitalised(owner).then(|| names(owner))
            }
            _ => None,
        },
        Expr::Struct(strukt) => {
            let segments: Vec<syn::PathSegment> = strukt.path.segments.iter().cloned().collect();
            (!segments.is_empty()).then(|| names(&segments))
        }
        Expr::Await(inner) => constructed_type(&inner.base),
        Expr::Try(inner) => constructed_type(&inner.expr),
        Expr::MethodCall(call)
            if matches!(call.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            constructed_type(&call.receiver)
        }
        _ => None,
    }
}

/// An argument that lends data rather than moving it: `&buf`, `buf.as_ref()`, `&buf[..n]`.
pub(crate) fn is_borrow(expr: &Expr) -> bool {
    match expr {
        Expr::Reference(_) => true,
        Expr::MethodCall(call) => {
            matches!(
                call.method.to_string().as_str(),
                "as_ref" | "as_slice" | "as_bytes" | "as_str" | "chunk"
            )
        }
        Expr::Paren(inner) => is_borrow(&inner.expr),
        _ => false,
    }
}

/// `x` in `f(x)`: a plain local or parameter name.
pub(crate) fn plain_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}

/// The single-segment paths (locals, parameters, constants) mentioned in some expressions.
pub(crate) fn names_in<'a>(exprs: impl Iterator<Item = &'a Expr>) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
            if let Some(ident) = path.path.get_ident() {
                self.0.push(ident.to_string());
            }
        }
    }
    let mut names = Names(Vec::new());
    for expr in exprs {
        syn::visit::Visit::visit_expr(&mut names, expr);
    }
    names.0
}

/// The named fields accessed in some expressions (`self.keepalive` gives `keepalive`).
pub(crate) fn fields_in<'a>(exprs: impl Iterator<Item = &'a Expr>) -> Vec<String> {
    struct Fields(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Fields {
        fn visit_member(&mut self, member: &'ast syn::Member) {
            if let syn::Member::Named(ident) = member {
                self.0.push(ident.to_string());
            }
        }
    }
    let mut fields = Fields(Vec::new());
    for expr in exprs {
        syn::visit::Visit::visit_expr(&mut fields, expr);
    }
    fields.0
}

/// Whether an expression calls something named `now` (`Instant::now()`).
pub(crate) fn calls_now(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => {
            let is_now = matches!(&*call.func, Expr::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "now"));
            is_now || call.args.iter().any(calls_now)
        }
        Expr::Binary(binary) => calls_now(&binary.left) || calls_now(&binary.right),
        Expr::MethodCall(call) => calls_now(&call.receiver) || call.args.iter().any(calls_now),
        Expr::Paren(inner) => calls_now(&inner.expr),
        Expr::Reference(reference) => calls_now(&reference.expr),
        _ => false,
    }
}
