//! The attributes of the [`cancel-check`](https://docs.rs/cancel-check) crate. Use them through
//! that crate: `cancel_check::cancel_safe`, `cancel_check::not_cancel_safe` and
//! `#[cancel_check::allow(..)]`.
//!
//! None of them changes what the compiler builds: `#[cancel_safe]` and `#[not_cancel_safe]` add a
//! `# Cancel safety` section to the function's docs, and `#[cancel_check::allow]` returns its item
//! as it is. `cargo cancel-check` reads them from the source, both in the analysed workspace and
//! in the sources of its dependencies.

// The attribute macro `allow` is defined in this module, where its name is ambiguous with the
// built-in `#[allow]`: everything that may expand to an `#[allow]` lives in the modules below.
mod args;
mod docs;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};

use args::{parse_args, sentence_body, Attr};
use docs::annotate;

/// Marks a function or method as cancel safe: dropping its future before completion loses
/// nothing, and calling it again resumes the work.
///
/// The function is left unchanged; its docs get a `# Cancel safety` section saying "This method
/// is cancel safe." ("This function ..." for a function without `self`). When the docs already
/// have a `# Cancel safety` section, the sentence becomes its first paragraph instead.
/// `cargo cancel-check` reads the attribute from the source, so calls to the function in a
/// `select!` branch, under `timeout` or in `try_join!` are not reported.
///
/// Applies to free functions, methods, associated functions and trait methods (with or without a
/// default body). It takes no arguments.
///
/// # Cancel safety
///
/// An attribute, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::cancel_safe;
/// use tokio::sync::mpsc;
///
/// /// Receives the next job.
/// #[cancel_safe]
/// pub async fn next_job(jobs: &mut mpsc::Receiver<u32>) -> Option<u32> {
///     // `recv` is cancel safe: a message is only taken out of the channel when it is returned.
///     jobs.recv().await
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #     let (tx, mut rx) = mpsc::channel(1);
/// #     tx.send(7).await.unwrap();
/// #     assert_eq!(next_job(&mut rx).await, Some(7));
/// # }
/// ```
#[proc_macro_attribute]
pub fn cancel_safe(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    if let Some(first) = args.clone().into_iter().next() {
        let error = syn::Error::new(
            first.span(),
            "`#[cancel_safe]` takes no arguments; to state that a function is not cancel safe, \
             write `#[not_cancel_safe(reason = \"...\")]`",
        );
        return with_item(error, item);
    }
    match annotate(item.clone().into(), "cancel_safe", |subject| {
        format!("This {subject} is cancel safe.")
    }) {
        Ok(tokens) => tokens.into(),
        Err(error) => with_item(error, item),
    }
}

/// Marks a function or method as not cancel safe, with the reason: what is lost when its future
/// is dropped before completion.
///
/// The function is left unchanged; its docs get a `# Cancel safety` section saying "This method
/// is not cancel safe: *reason*." ("This function ..." for a function without `self`). When the
/// docs already have a `# Cancel safety` section, the sentence becomes its first paragraph
/// instead. `cargo cancel-check` reads the attribute from the source and reports calls to the
/// function wherever their future can be dropped midway (a `select!` branch in a loop, a
/// `timeout` in a retry loop, `try_join!`).
///
/// The `reason` is required: a non-empty string literal.
///
/// # Cancel safety
///
/// An attribute, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use cancel_check::not_cancel_safe;
/// use tokio::io::{AsyncRead, AsyncReadExt};
///
/// /// Reads one length-prefixed frame.
/// #[not_cancel_safe(reason = "the bytes of a partly read frame are lost")]
/// pub async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Vec<u8>> {
///     let len = reader.read_u32().await? as usize;
///     let mut frame = vec![0; len];
///     reader.read_exact(&mut frame).await?;
///     Ok(frame)
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #     let mut input: &[u8] = &[0, 0, 0, 2, b'h', b'i'];
/// #     assert_eq!(read_frame(&mut input).await.unwrap(), b"hi");
/// # }
/// ```
#[proc_macro_attribute]
pub fn not_cancel_safe(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = match parse_args(args.into(), Attr::NotCancelSafe) {
        Ok(args) => args,
        Err(error) => return with_item(error, item),
    };
    let Some(reason) = args.reason else {
        let error = syn::Error::new(
            Span::call_site(),
            "`#[not_cancel_safe]` needs a reason: write `#[not_cancel_safe(reason = \"what is \
             lost when the future is dropped\")]`",
        );
        return with_item(error, item);
    };
    let reason = sentence_body(&reason.value());
    match annotate(item.clone().into(), "not_cancel_safe", |subject| {
        format!("This {subject} is not cancel safe: {reason}.")
    }) {
        Ok(tokens) => tokens.into(),
        Err(error) => with_item(error, item),
    }
}

/// Silences `cargo cancel-check` lints on an item, like a `// cancel-check: allow(<lint>)`
/// comment above it, with an optional `reason`.
///
/// Write it with its path, `#[cancel_check::allow(..)]`: a bare `#[allow(..)]` is the compiler's
/// own attribute. It applies to any item (function, `impl` block, module, trait, struct, ...),
/// and to methods inside `impl` blocks and traits. The compiler sees the item unchanged; the
/// analyser reads the attribute from the source.
///
/// The arguments are one or more lint names (snake_case identifiers, such as
/// `select_arm_not_cancel_safe`), separated by commas, then optionally `reason = "..."`.
/// Whether a name is a known lint is checked by `cargo cancel-check`, which reports unknown
/// names.
///
/// # Cancel safety
///
/// An attribute, not a future: nothing to cancel.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use tokio::io::{AsyncRead, AsyncReadExt};
///
/// #[cancel_check::allow(select_arm_not_cancel_safe, reason = "the protocol restarts the \
///                        frame after a heartbeat")]
/// async fn serve<R: AsyncRead + Unpin>(mut reader: R) -> std::io::Result<()> {
///     let mut header = [0u8; 4];
///     loop {
///         tokio::select! {
///             read = reader.read_exact(&mut header) => {
///                 read?;
///                 return Ok(());
///             }
///             _ = tokio::time::sleep(Duration::from_secs(1)) => {}
///         }
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #     let input: &[u8] = &[1, 2, 3, 4];
/// #     serve(input).await.unwrap();
/// # }
/// ```
#[proc_macro_attribute]
pub fn allow(args: TokenStream, item: TokenStream) -> TokenStream {
    match parse_args(args.into(), Attr::Allow) {
        Ok(args) if args.lints.is_empty() => with_item(
            syn::Error::new(
                Span::call_site(),
                "`#[cancel_check::allow]` needs at least one lint name: write \
                 `#[cancel_check::allow(select_arm_not_cancel_safe, reason = \"...\")]`",
            ),
            item,
        ),
        Ok(_) => item,
        Err(error) => with_item(error, item),
    }
}

/// The error, followed by the item unchanged: the rest of the crate still sees the item, so one
/// wrong attribute gives one error and not a cascade of "cannot find function" errors.
fn with_item(error: syn::Error, item: TokenStream) -> TokenStream {
    let mut tokens = error.to_compile_error();
    tokens.extend(TokenStream2::from(item));
    tokens.into()
}
