//! `select!` bodies. The macro arrives as tokens; this parses the syntax shared by
//! `tokio::select!`, `futures::select!` and `futures::select_biased!`:
//!
//! ```text
//! [biased;]
//! <pattern> = <future> [, if <precondition>] => <handler>[,]
//! else => <handler>          (tokio)
//! default => <handler>       (futures)
//! complete => <handler>      (futures)
//! ```

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Pat, Token};

/// A parsed `select!` body.
pub struct SelectBody {
    /// `biased;` was given (branches are polled in order).
    pub biased: bool,
    pub branches: Vec<SelectBranch>,
    /// Handlers of `else`, `default` and `complete`.
    pub fallbacks: Vec<Expr>,
}

/// One `pattern = future => handler` branch.
pub struct SelectBranch {
    pub pat: Pat,
    pub future: Expr,
    pub precondition: Option<Expr>,
    pub handler: Expr,
}

/// Parses a select body; `None` when the tokens are not select syntax (another crate's
/// `select!`, a malformed or empty body).
pub fn parse_select_body(tokens: TokenStream) -> Option<SelectBody> {
    let body = Parser::parse2(parse_body, tokens).ok()?;
    if body.branches.is_empty() {
        return None;
    }
    Some(body)
}

fn parse_body(input: ParseStream<'_>) -> syn::Result<SelectBody> {
    let mut body = SelectBody {
        biased: false,
        branches: Vec::new(),
        fallbacks: Vec::new(),
    };
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        let ident: syn::Ident = input.parse()?;
        if ident != "biased" {
            return Err(syn::Error::new(ident.span(), "expected `biased;`"));
        }
        input.parse::<Token![;]>()?;
        body.biased = true;
    }
    while !input.is_empty() {
        if input.peek(Token![else]) || (input.peek(syn::Ident) && input.peek2(Token![=>])) {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
            } else {
                let ident: syn::Ident = input.parse()?;
                if ident != "default" && ident != "complete" {
                    return Err(syn::Error::new(ident.span(), "expected a select branch"));
                }
            }
            input.parse::<Token![=>]>()?;
            body.fallbacks.push(parse_handler(input)?);
            continue;
        }
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        input.parse::<Token![=]>()?;
        let future: Expr = input.parse()?;
        let precondition = if input.peek(Token![,]) && input.peek2(Token![if]) {
            input.parse::<Token![,]>()?;
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        input.parse::<Token![=>]>()?;
        let handler = parse_handler(input)?;
        body.branches.push(SelectBranch {
            pat,
            future,
            precondition,
            handler,
        });
    }
    Ok(body)
}

/// A handler is an expression ended by a comma, or a block with an optional comma (as match arms).
fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    if input.peek(syn::token::Brace) {
        let block: syn::ExprBlock = input.parse()?;
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        return Ok(Expr::Block(block));
    }
    let handler: Expr = input.parse()?;
    if !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    Ok(handler)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Option<SelectBody> {
        parse_select_body(src.parse().unwrap())
    }

    #[test]
    fn parses_tokio_forms() {
        let body = parse(
            "biased; Some(v) = rx.recv(), if open => { handle(v) } \
             res = reader.read_exact(&mut buf) => res?, \
             _ = sleep(d) => break, else => return",
        )
        .unwrap();
        assert!(body.biased);
        assert_eq!(body.branches.len(), 3);
        assert!(body.branches[0].precondition.is_some());
        assert_eq!(body.fallbacks.len(), 1);
    }

    #[test]
    fn parses_futures_forms() {
        let body = parse("x = a.next().fuse() => x, default => {}, complete => break,").unwrap();
        assert_eq!(body.branches.len(), 1);
        assert_eq!(body.fallbacks.len(), 2);
    }

    #[test]
    fn rejects_other_syntax() {
        assert!(parse("recv(r) -> msg => println!(\"{msg:?}\"),").is_none());
        assert!(parse("").is_none());
        assert!(parse("x = => y").is_none());
    }
}
