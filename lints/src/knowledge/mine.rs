// Length: about 420 lines of code and 450 of unit tests, each test a small crate to mine.
//! Mining the sources of dependencies for cancel-safety statements.
//!
//! A crate's own `# Cancel safety` sections (and the shim's `#[cancel_safe]` /
//! `#[not_cancel_safe]` attributes) extend the knowledge base for exactly the version in use. This
//! module turns one source file into knowledge entries; finding and reading the files, and
//! caching the results, is the binary's job.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser as _};

use super::docs::{annotation, doc_text, statements, Annotation, Stated, Statement};
use super::{ApiEntry, ApiKind, Origin, Verdict};
use crate::source::module_path;
use crate::syntax::type_name;

/// What a mined "not cancel safe" entry says is lost.
const NOT_SAFE_LOSES: &str = "its progress (documented as not cancel safe)";
/// What a mined conditional entry says is lost.
const CONDITIONAL_LOSES: &str = "its progress, unless the condition its docs state holds";
/// The fix of a mined entry that is not plainly safe.
const MINED_FIX: &str = "see the `# Cancel safety` section of its docs";
/// How far after "ancel" a "safe" may start for the text to possibly state cancel safety.
const WINDOW: usize = 64;

/// Whether a source text may state cancel safety at all: somewhere "ancel" is followed closely
/// by "safe" (as in "cancel safe", "Cancellation safety", "cancel-safe", `cancel_safe`). A
/// cheap filter that never rejects a file [`mine_source`] would find something in.
pub fn may_state_cancel_safety(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find("ancel") {
        let start = from + at + "ancel".len();
        let end = (start + WINDOW).min(bytes.len());
        if bytes[start..end]
            .windows(4)
            .any(|window| window.eq_ignore_ascii_case(b"safe"))
        {
            return true;
        }
        from = start;
    }
    false
}

/// The knowledge stated in one source file of a dependency: one entry for every public function
/// or method whose docs or attributes state its cancel safety.
///
/// `crate_name` is the package name as cargo reports it (`fixture-dep`); entry paths use it as an
/// identifier (`fixture_dep::Wire::recv_packet`). `relative_path` is the file's path from the
/// package root (`src/io/util.rs`): free functions take their module path from it. Methods are
/// named after the type of their `impl` block or their trait: `<crate>::<Owner>::<method>`.
///
/// Never panics and does no IO: a file that does not parse gives nothing. Parsing happens on the
/// calling thread, whose span source map is freed before returning (as the analysis does per
/// file): call it while holding no other syntax tree on this thread.
pub fn mine_source(
    crate_name: &str,
    version: &str,
    relative_path: &str,
    text: &str,
) -> Vec<ApiEntry> {
    if !may_state_cancel_safety(text) {
        return Vec::new();
    }
    let entries = std::panic::catch_unwind(|| {
        let Ok(file) = crate::parse::parse_source(text).map(|parsed| parsed.file) else {
            return Vec::new();
        };
        let relative = relative_path.replace('\\', "/");
        let in_src = relative.strip_prefix("src/").unwrap_or(&relative);
        let mut miner = Miner {
            crate_name,
            crate_ident: crate_name.replace('-', "_"),
            version,
            relative_path: &relative,
            declared: Vec::new(),
            types: Vec::new(),
        };
        let mut module = module_path(in_src);
        miner.items(&file.items, &mut module);
        miner.entries()
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    entries.unwrap_or_default()
}

struct Miner<'a> {
    crate_name: &'a str,
    crate_ident: String,
    version: &'a str,
    relative_path: &'a str,
    /// Every public function of the file, in file order.
    declared: Vec<Declared>,
    /// Public types whose docs make statements about their methods (`[`send`](Self::send) is
    /// cancel safe` in a struct's `# Cancel safety` section), as the `from` of those statements.
    types: Vec<Declared>,
}

/// A public function of the mined file.
struct Declared {
    path: String,
    kind: ApiKind,
    args: usize,
    /// The line of its name.
    line: usize,
    name: String,
    /// The type of its `impl` block or its trait.
    owner: Option<String>,
    module: Vec<String>,
    /// What its own docs or attributes say about it.
    own: Option<Annotation>,
    /// What its docs say about other items (`[`Pending::finish`] is not cancel safe`).
    about_others: Vec<Statement>,
}

/// Where a function is declared.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// A free function of the module.
    Module,
    /// In an `impl` block or a trait, named after the type or the trait.
    Owner(&'a str),
}

impl Miner<'_> {
    fn items(&mut self, items: &[syn::Item], module: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Fn(function) if is_pub(&function.vis) => {
                    self.function(&function.attrs, &function.sig, Place::Module, module);
                }
                syn::Item::Mod(inner) if !is_cfg_test(&inner.attrs) => {
                    if let Some((_, items)) = &inner.content {
                        module.push(inner.ident.to_string());
                        self.items(items, module);
                        module.pop();
                    }
                }
                syn::Item::Impl(block) => {
                    let Some(owner) = type_name(&block.self_ty) else {
                        continue;
                    };
                    // Methods of a trait impl are as public as the trait.
                    let all = block.trait_.is_some();
                    self.impl_items(&block.items, &owner, all, module);
                }
                syn::Item::Struct(definition) if is_pub(&definition.vis) => {
                    self.type_docs(&definition.attrs, &definition.ident, module);
                }
                syn::Item::Enum(definition) if is_pub(&definition.vis) => {
                    self.type_docs(&definition.attrs, &definition.ident, module);
                }
                syn::Item::Trait(definition) if is_pub(&definition.vis) => {
                    self.type_docs(&definition.attrs, &definition.ident, module);
                    let owner = definition.ident.to_string();
                    for item in &definition.items {
                        if let syn::TraitItem::Fn(function) = item {
                            self.function(
                                &function.attrs,
                                &function.sig,
                                Place::Owner(&owner),
                                module,
                            );
                        }
                    }
                }
                // Items wrapped in a macro (`cfg_io_util! { .. }`): mined when the body parses
                // as items.
                syn::Item::Macro(call) if call.ident.is_none() => {
                    if let Ok(file) = syn::parse2::<syn::File>(call.mac.tokens.clone()) {
                        self.items(&file.items, module);
                    }
                }
                _ => {}
            }
        }
    }

    /// Keeps what a type's docs say about other items (its methods, through `Self::` links).
    fn type_docs(&mut self, attrs: &[syn::Attribute], ident: &syn::Ident, module: &[String]) {
        let docs = doc_text(attrs);
        if !docs.contains("ancel") {
            return;
        }
        let name = ident.to_string();
        let about_others: Vec<Statement> = statements(&docs, &name)
            .into_iter()
            .filter(|statement| statement.about.is_some())
            .collect();
        if about_others.is_empty() {
            return;
        }
        self.types.push(Declared {
            path: format!("{}::{name}", self.crate_ident),
            kind: ApiKind::Assoc,
            args: 0,
            line: ident.span().start().line,
            owner: Some(name.clone()),
            name,
            module: module.to_vec(),
            own: None,
            about_others,
        });
    }

    fn impl_items(&mut self, items: &[syn::ImplItem], owner: &str, all: bool, module: &[String]) {
        for item in items {
            match item {
                syn::ImplItem::Fn(function) if all || is_pub(&function.vis) => {
                    self.function(&function.attrs, &function.sig, Place::Owner(owner), module);
                }
                syn::ImplItem::Macro(call) => {
                    if let Ok(items) = parse_impl_items(call.mac.tokens.clone()) {
                        self.impl_items(&items, owner, all, module);
                    }
                }
                _ => {}
            }
        }
    }

    fn function(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        place: Place<'_>,
        module: &[String],
    ) {
        let name = sig.ident.to_string();
        let own = annotation(attrs, &name);
        let docs = doc_text(attrs);
        let about_others: Vec<Statement> = if docs.contains("ancel") {
            statements(&docs, &name)
                .into_iter()
                .filter(|statement| statement.about.is_some())
                .collect()
        } else {
            Vec::new()
        };
        let has_self = sig.receiver().is_some();
        let (path, kind) = match place {
            Place::Owner(owner) => (
                format!("{}::{owner}::{name}", self.crate_ident),
                if has_self {
                    ApiKind::Method
                } else {
                    ApiKind::Assoc
                },
            ),
            Place::Module => {
                let mut path = self.crate_ident.clone();
                for segment in module {
                    path.push_str("::");
                    path.push_str(segment);
                }
                (format!("{path}::{name}"), ApiKind::Fn)
            }
        };
        let args = sig
            .inputs
            .iter()
            .filter(|input| matches!(input, syn::FnArg::Typed(_)))
            .count();
        self.declared.push(Declared {
            path,
            kind,
            args,
            line: sig.ident.span().start().line,
            name,
            owner: match place {
                Place::Owner(owner) => Some(owner.to_string()),
                Place::Module => None,
            },
            module: module.to_vec(),
            own,
            about_others,
        });
    }

    /// The entries: each function whose own docs or attributes state its cancel safety, then
    /// each function of this file that another one's docs make a statement about (an
    /// intra-doc link it names) when its own docs say nothing.
    fn entries(&self) -> Vec<ApiEntry> {
        let mut entries: Vec<ApiEntry> = self
            .declared
            .iter()
            .filter_map(|declared| {
                let own = declared.own.as_ref()?;
                Some(self.entry(declared, own.stated, &own.text, None))
            })
            .collect();
        for declared in self.declared.iter().chain(&self.types) {
            for statement in &declared.about_others {
                let Some(target) = statement
                    .about
                    .as_deref()
                    .and_then(|about| self.resolve(declared, about))
                else {
                    continue;
                };
                if target.own.is_some() || entries.iter().any(|entry| entry.path == target.path) {
                    continue;
                }
                entries.push(self.entry(
                    target,
                    statement.stated,
                    &statement.text,
                    Some(&declared.name),
                ));
            }
        }
        entries
    }

    /// The function of this file a link in the docs of `from` names: `Self::finish` and
    /// `Pending::finish` (a method of the type), `crate::pending::finish` or `finish` (a
    /// function of the module, or a method of `from`'s type).
    fn resolve(&self, from: &Declared, about: &str) -> Option<&Declared> {
        let segments: Vec<&str> = about.split("::").collect();
        let (name, parents) = segments.split_last()?;
        let owner = match parents.last() {
            Some(&"Self") => from.owner.as_deref(),
            Some(owner) => Some(*owner),
            None => None,
        };
        let module: Vec<&str> = match parents.first() {
            Some(&"crate") => parents[1..].to_vec(),
            _ => from.module.iter().map(String::as_str).collect(),
        };
        let method = |owner: &str| {
            self.declared
                .iter()
                .find(|declared| declared.name == *name && declared.owner.as_deref() == Some(owner))
        };
        let function = || {
            self.declared.iter().find(|declared| {
                declared.name == *name && declared.owner.is_none() && declared.module == module
            })
        };
        match owner {
            Some(owner) => method(owner).or_else(|| {
                parents
                    .first()
                    .filter(|first| **first == "crate")
                    .and(function())
            }),
            None => function().or_else(|| from.owner.as_deref().and_then(method)),
        }
    }

    /// The entry for `declared` with what a statement says; `said_in` names the function whose
    /// docs said it, when that is another one.
    fn entry(
        &self,
        declared: &Declared,
        stated: Stated,
        text: &str,
        said_in: Option<&str>,
    ) -> ApiEntry {
        let (verdict, loses, fix) = match stated {
            Stated::Safe => (Verdict::Safe, None, None),
            Stated::NotSafe => (
                Verdict::DataLoss,
                Some(NOT_SAFE_LOSES.to_string()),
                Some(MINED_FIX.to_string()),
            ),
            Stated::Conditional => (
                Verdict::Conditional,
                Some(CONDITIONAL_LOSES.to_string()),
                Some(MINED_FIX.to_string()),
            ),
        };
        let said_in = said_in
            .map(|name| format!(" (in the docs of `{name}`)"))
            .unwrap_or_default();
        ApiEntry {
            path: declared.path.clone(),
            kind: declared.kind,
            verdict,
            loses,
            fix,
            source: format!(
                "mined from {} {} {}:{}: \"{}\"{said_in}",
                self.crate_name, self.version, self.relative_path, declared.line, text
            ),
            note: None,
            effect: None,
            lost_only_with: None,
            resource_intact: false,
            listen_then_check: false,
            args: Some(declared.args),
            origin: Origin::Mined {
                krate: self.crate_name.to_string(),
                version: self.version.to_string(),
            },
        }
    }
}

/// Items of an `impl` block given as a macro's tokens.
fn parse_impl_items(tokens: TokenStream) -> syn::Result<Vec<syn::ImplItem>> {
    let parser = |input: ParseStream<'_>| {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(items)
    };
    parser.parse2(tokens)
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// `#[cfg(test)]`: a test module is not API.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    const SOURCE: &str = r#"
pub struct Wire;

impl Wire {
    /// Receives a packet.
    ///
    /// # Cancel safety
    /// This method is not cancel safe: a partly received packet is lost.
    pub async fn recv_packet(&mut self) -> Vec<u8> { Vec::new() }

    /// This method is cancel safe.
    pub async fn ready(&self, timeout: u64) {}

    /// This method is cancel safe.
    async fn private(&self) {}

    /// This function is cancel safe.
    pub fn new() -> Wire { Wire }
}

/// This function is only cancel safe if `fut` is.
pub async fn with_deadline<F>(fut: F) {}

pub trait Source {
    /// This method is cancel safe.
    fn next_item(&mut self) -> u8;
}

mod private {
    /// This method is cancel safe.
    pub async fn reexported() {}
}

#[cfg(test)]
mod tests {
    /// This method is cancel safe.
    pub async fn test_only() {}
}

cfg_net! {
    impl Wire {
        /// This method is not cancel safe.
        #[doc(hidden)]
        pub async fn hidden(&mut self, buf: &mut [u8]) {}

        cfg_more! {
            /// Cancel safety: this method is cancel-safe.
            pub async fn nested(&mut self) {}
        }
    }
}
"#;

    fn mined() -> Vec<ApiEntry> {
        mine_source("fixture-dep", "0.1.0", "src/net/wire.rs", SOURCE)
    }

    fn find<'a>(entries: &'a [ApiEntry], path: &str) -> &'a ApiEntry {
        entries
            .iter()
            .find(|entry| entry.path == path)
            .unwrap_or_else(|| panic!("no entry `{path}` in {entries:#?}"))
    }

    #[test]
    fn methods_functions_and_traits_are_mined() {
        let entries = mined();
        let paths: Vec<&str> = entries.iter().map(|entry| entry.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "fixture_dep::Wire::recv_packet",
                "fixture_dep::Wire::ready",
                "fixture_dep::Wire::new",
                "fixture_dep::net::wire::with_deadline",
                "fixture_dep::Source::next_item",
                "fixture_dep::net::wire::private::reexported",
                "fixture_dep::Wire::hidden",
                "fixture_dep::Wire::nested",
            ]
        );
        let recv = find(&entries, "fixture_dep::Wire::recv_packet");
        assert_eq!(recv.kind, ApiKind::Method);
        assert_eq!(recv.verdict, Verdict::DataLoss);
        assert_eq!(recv.args, Some(0));
        assert_eq!(recv.loses.as_deref(), Some(NOT_SAFE_LOSES));
        assert_eq!(
            recv.source,
            "mined from fixture-dep 0.1.0 src/net/wire.rs:9: \"This method is not cancel safe: \
             a partly received packet is lost.\""
        );
        assert_eq!(
            recv.origin,
            Origin::Mined {
                krate: "fixture-dep".to_string(),
                version: "0.1.0".to_string()
            }
        );
        assert_eq!(find(&entries, "fixture_dep::Wire::ready").args, Some(1));
        assert_eq!(
            find(&entries, "fixture_dep::Wire::new").kind,
            ApiKind::Assoc
        );
        let deadline = find(&entries, "fixture_dep::net::wire::with_deadline");
        assert_eq!(
            (deadline.kind, deadline.verdict),
            (ApiKind::Fn, Verdict::Conditional)
        );
        assert_eq!(
            find(&entries, "fixture_dep::Source::next_item").verdict,
            Verdict::Safe
        );
        assert_eq!(
            find(&entries, "fixture_dep::Wire::hidden").verdict,
            Verdict::DataLoss
        );
    }

    #[test]
    fn the_lib_root_and_attributes() {
        let source = "/// # Cancel safety\n/// It is.\n#[cancel_check::not_cancel_safe(reason = \
                      \"drops the frame\")]\npub async fn read_frame() {}\n";
        let entries = mine_source("dep", "1.2.3", "src/lib.rs", source);
        assert_eq!(entries.len(), 1, "{entries:#?}");
        assert_eq!(entries[0].path, "dep::read_frame");
        assert_eq!(entries[0].verdict, Verdict::DataLoss);
        assert!(
            entries[0]
                .source
                .ends_with("src/lib.rs:4: \"drops the frame\""),
            "{}",
            entries[0].source
        );
    }

    #[test]
    fn a_type_s_docs_speak_for_the_methods_they_link_to() {
        let source = r#"
/// A queue of messages.
///
/// # Cancel safety
///
/// [`push`](Self::push) is cancel safe: a dropped push leaves the message queued.
/// [`Queue::drain`] is not cancel safe.
pub struct Queue;

impl Queue {
    /// Pushes a message; if the future is dropped, the message stays queued.
    pub async fn push(&mut self, message: u8) {}

    pub async fn drain(&mut self) {}

    /// This method is not cancel safe: its own docs win.
    pub async fn pop(&mut self) {}
}

/// [`Queue::pop`] is cancel safe.
pub enum Mode { A }
"#;
        let entries = mine_source("dep", "1.0.0", "src/lib.rs", source);
        let verdicts: Vec<(&str, Verdict)> = entries
            .iter()
            .map(|entry| (entry.path.as_str(), entry.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("dep::Queue::pop", Verdict::DataLoss),
                ("dep::Queue::push", Verdict::Safe),
                ("dep::Queue::drain", Verdict::DataLoss),
            ]
        );
    }

    #[test]
    fn a_statement_about_a_linked_item_is_that_item_s() {
        let source = r#"
pub struct Helper;
pub struct Pending;

impl Helper {
    /// # Cancel safety
    ///
    /// This method is cancel-safe. However, [`Pending::finish`] must be awaited, and that
    /// part is not cancel-safe. [`Self::close`] is cancel safe. [`flush`] is cancel safe too.
    pub async fn recv(&mut self) -> Pending { Pending }

    /// Closes, and says it itself: this method is not cancel safe.
    pub async fn close(&mut self) {}

    /// [`Elsewhere::run`] is not cancel safe.
    pub async fn unrelated(&self) {}
}

impl Pending {
    pub async fn finish(self, timeout: u64) {}
}

pub async fn flush() {}
"#;
        let entries = mine_source("dep", "1.0.0", "src/lib.rs", source);
        let verdicts: Vec<(&str, Verdict)> = entries
            .iter()
            .map(|entry| (entry.path.as_str(), entry.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("dep::Helper::recv", Verdict::Safe),
                ("dep::Helper::close", Verdict::DataLoss),
                ("dep::Pending::finish", Verdict::DataLoss),
                ("dep::flush", Verdict::Safe),
            ]
        );
        let finish = find(&entries, "dep::Pending::finish");
        assert_eq!((finish.kind, finish.args), (ApiKind::Method, Some(1)));
        assert!(
            finish.source.ends_with("(in the docs of `recv`)")
                && finish.source.contains("src/lib.rs:20:"),
            "{}",
            finish.source
        );
    }

    #[test]
    fn bad_input_gives_nothing() {
        assert!(mine_source("dep", "1.0.0", "src/lib.rs", "pub fn (").is_empty());
        assert!(mine_source("dep", "1.0.0", "src/lib.rs", "pub fn f() {}").is_empty());
        let deep = format!(
            "/// This is cancel safe.\npub fn f() {{ {}{} }}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert!(mine_source("dep", "1.0.0", "src/lib.rs", &deep).is_empty());
    }

    #[test]
    fn the_filter_accepts_every_wording() {
        for text in [
            "is cancel safe",
            "# Cancellation safety",
            "is cancel-safe",
            "#[cancel_safe]",
            "not **cancel**\n    /// safe",
            "Cancel Safety",
        ] {
            assert!(may_state_cancel_safety(text), "{text}");
        }
        let far_apart = format!(
            "fn cancel(&self) {{}}\n{}\nfn safe() {{}}",
            "// ".repeat(30)
        );
        assert!(!may_state_cancel_safety(&far_apart));
        assert!(!may_state_cancel_safety("CancelIoEx"));
    }

    fn builtin_like(path: &str, verdict: Verdict) -> ApiEntry {
        let text = format!(
            "[[api]]\npath = \"{path}\"\nkind = \"method\"\nargs = 1\nverdict = \"{}\"\n\
             source = \"built in\"\n",
            verdict.as_str()
        );
        Knowledge::from_toml(&text).unwrap().entries()[0].clone()
    }

    fn mined_entry(path: &str, verdict: Verdict) -> ApiEntry {
        let stated = match verdict {
            Verdict::Safe => "is cancel safe",
            Verdict::Conditional => "is only cancel safe if the stream is",
            _ => "is not cancel safe",
        };
        let (owner, name) = {
            let mut parts = path.rsplit("::");
            let name = parts.next().unwrap();
            (parts.next().unwrap(), name)
        };
        let source = format!(
            "impl {owner} {{\n/// This method {stated}.\npub async fn {name}(&mut self, buf: \
             &mut String) {{}}\n}}\n"
        );
        let krate = path.split("::").next().unwrap();
        let entries = mine_source(krate, "9.9.9", "src/lib.rs", &source);
        assert_eq!(entries.len(), 1, "{source}");
        entries.into_iter().next().unwrap()
    }

    fn base() -> Knowledge {
        let mut knowledge = Knowledge::default();
        knowledge.insert(builtin_like(
            "tokio::io::AsyncBufReadExt::read_line",
            Verdict::DataLoss,
        ));
        knowledge.insert(builtin_like(
            "futures::stream::StreamExt::next",
            Verdict::Safe,
        ));
        knowledge.insert(builtin_like(
            "tokio::sync::Mutex::lock",
            Verdict::QueuePositionLost,
        ));
        knowledge
    }

    #[test]
    fn an_agreeing_mined_entry_keeps_the_built_in_one() {
        let mut knowledge = base();
        knowledge.merge_mined(vec![
            mined_entry("tokio::AsyncBufReadExt::read_line", Verdict::DataLoss),
            mined_entry("futures_util::StreamExt::next", Verdict::Safe),
            mined_entry("tokio::Mutex::lock", Verdict::Safe),
        ]);
        assert_eq!(knowledge.entries().len(), 3);
        for entry in knowledge.entries() {
            assert_eq!(entry.origin, Origin::Builtin, "{entry:?}");
            assert_eq!(entry.source, "built in");
            assert_eq!(entry.note, None);
        }
    }

    #[test]
    fn a_disagreeing_mined_entry_wins() {
        let mut knowledge = base();
        knowledge.merge_mined(vec![
            mined_entry("tokio::AsyncBufReadExt::read_line", Verdict::Safe),
            mined_entry("futures_util::StreamExt::next", Verdict::Conditional),
        ]);
        assert_eq!(knowledge.entries().len(), 3);
        let read_line = knowledge
            .by_path("tokio::io::AsyncBufReadExt::read_line")
            .unwrap();
        assert_eq!(read_line.verdict, Verdict::Safe);
        assert_eq!(
            (read_line.loses.as_deref(), read_line.fix.as_deref()),
            (None, None)
        );
        assert!(read_line
            .source
            .starts_with("mined from tokio 9.9.9 src/lib.rs:3: "));
        assert!(matches!(read_line.origin, Origin::Mined { .. }));
        assert!(read_line.note.as_deref().unwrap().contains("`data_loss`"));
        // The indexes still find it, by name and by path.
        let named: Vec<&ApiEntry> = knowledge.named("read_line").collect();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].verdict, Verdict::Safe);
        let next = knowledge
            .by_path("futures::stream::StreamExt::next")
            .unwrap();
        assert_eq!(next.verdict, Verdict::Conditional);
    }

    #[test]
    fn a_built_in_entry_written_from_the_same_docs_stays() {
        let mut knowledge = Knowledge::default();
        let mut curated = builtin_like(
            "quinn::SendStream::write_all_chunks",
            Verdict::PartialProgressKept,
        );
        curated.source = "quinn 9.9.9 src/send_stream.rs: \"This method is *not* \
                          cancellation safe.\"; the implementation resumes"
            .to_string();
        knowledge.insert(curated);
        knowledge.merge_mined(vec![mined_entry(
            "quinn::SendStream::write_all_chunks",
            Verdict::DataLoss,
        )]);
        let entry = &knowledge.entries()[0];
        assert_eq!(
            (entry.verdict, &entry.origin),
            (Verdict::PartialProgressKept, &Origin::Builtin)
        );
    }

    #[test]
    fn a_mined_function_matches_its_re_export() {
        let mut knowledge = Knowledge::default();
        let mut entry = |path: &str| {
            let mut entry = builtin_like(path, Verdict::DataLoss);
            entry.kind = ApiKind::Fn;
            entry.args = None;
            knowledge.insert(entry);
        };
        entry("tokio::io::copy");
        entry("tokio::fs::copy");
        let mined = |file: &str| {
            let source = "/// This function is not cancel safe.\npub async fn copy() {}\n";
            mine_source("tokio", "1.0.0", file, source)
        };
        knowledge.merge_mined(mined("src/io/util/copy.rs"));
        knowledge.merge_mined(mined("src/fs/copy.rs"));
        // Both agree with the entries of their public paths: nothing is added.
        assert_eq!(knowledge.entries().len(), 2);
        knowledge.merge_mined(mined("src/net/copy.rs"));
        assert_eq!(knowledge.entries().len(), 3);
        assert_eq!(knowledge.entries()[2].path, "tokio::net::copy::copy");
    }

    #[test]
    fn a_new_mined_entry_is_added() {
        let mut knowledge = base();
        knowledge.merge_mined(vec![
            mined_entry("fixture_dep::Wire::recv_packet", Verdict::DataLoss),
            // Same name, another owner: another API.
            mined_entry("fixture_dep::Lines::read_line", Verdict::Safe),
        ]);
        assert_eq!(knowledge.entries().len(), 5);
        let recv = knowledge.by_path("fixture_dep::Wire::recv_packet").unwrap();
        assert_eq!(recv.verdict, Verdict::DataLoss);
        assert_eq!(knowledge.named("recv_packet").count(), 1);
        let owners: Vec<&str> = knowledge
            .named("read_line")
            .map(|entry| entry.owner())
            .collect();
        assert_eq!(owners, ["AsyncBufReadExt", "Lines"]);
        assert_eq!(
            knowledge
                .by_path("tokio::io::AsyncBufReadExt::read_line")
                .unwrap()
                .verdict,
            Verdict::DataLoss
        );
    }

    #[test]
    fn entries_round_trip_through_json() {
        let entries = mined();
        let json = serde_json::to_string(&entries).unwrap();
        let back: Vec<ApiEntry> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.len(), entries.len());
        for (a, b) in entries.iter().zip(&back) {
            assert_eq!(
                (&a.path, a.kind, a.verdict, &a.loses, &a.fix, &a.source, a.args),
                (&b.path, b.kind, b.verdict, &b.loses, &b.fix, &b.source, b.args)
            );
            // The origin is not data: the reader sets it.
            assert_eq!(b.origin, Origin::Builtin);
        }
        for entry in Knowledge::builtin().entries() {
            let json = serde_json::to_string(entry).unwrap();
            let back: ApiEntry = serde_json::from_str(&json).unwrap();
            assert_eq!(format!("{entry:?}"), format!("{back:?}"));
        }
    }
}
