//! Test code: where a finding is in a test, some lints have a different default level
//! (`Lint::level_in_tests`, configurable with `lints-in-tests`). Test code is
//! - a fn with a test attribute: `#[test]`, `#[bench]`, or any attribute whose path ends in
//!   `test` (`#[tokio::test]`, `#[async_std::test]`, `#[sqlx::test]`, `#[test_log::test]`),
//!   `#[rstest]` or `#[test_case(..)]`;
//! - an item (a `mod`, an `impl`, a fn) under a `cfg` that requires `test` (`#[cfg(test)]`,
//!   `#[cfg(all(test, unix))]`), and a whole file under `#![cfg(test)]`;
//! - the files of a module declared `#[cfg(test)] mod tests;`, and their submodules;
//! - a file in a `tests/` or `benches/` folder (integration tests, benchmarks and their helpers).

use std::ops::Range;

use syn::visit::{self, Visit};
use syn::Attribute;

use super::workspace::Unit;
use crate::span::Span;

/// Where a file's test code is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestCode {
    /// The whole file is test code.
    pub whole_file: bool,
    /// Byte ranges of test fns and of items under `#[cfg(test)]`.
    pub regions: Vec<Range<usize>>,
    /// Modules declared under `#[cfg(test)]` without a body (`mod tests;`), as module paths
    /// relative to the file's module: their files are test code.
    pub module_declarations: Vec<Vec<String>>,
}

impl TestCode {
    /// Whether the byte at `offset` is in test code.
    pub fn covers(&self, offset: usize) -> bool {
        self.whole_file || self.regions.iter().any(|region| region.contains(&offset))
    }
}

/// The test code of a parsed file whose path label is `path`.
pub fn test_code(file: &syn::File, path: &str) -> TestCode {
    let in_test_folder = path
        .split(['/', '\\'])
        .rev()
        .skip(1)
        .any(|folder| folder == "tests" || folder == "benches");
    let mut found = TestCode {
        whole_file: in_test_folder || requires_test(&file.attrs),
        ..TestCode::default()
    };
    // Cheap: no attribute can make it test code unless the word is there.
    if !found.whole_file {
        let mut finder = Finder {
            found: &mut found,
            modules: Vec::new(),
        };
        finder.visit_file(file);
    }
    found
}

/// Marks the files of modules declared `#[cfg(test)] mod name;` (and their submodules) as test
/// code, across the files of each crate.
pub(crate) fn inherit(units: &mut [Unit]) {
    let mut declared: Vec<(String, Vec<String>)> = Vec::new();
    for unit in units.iter() {
        for inner in &unit.model.test_code.module_declarations {
            let mut module = unit.module.clone();
            module.extend(inner.iter().cloned());
            declared.push((unit.crate_name.clone(), module));
        }
    }
    if declared.is_empty() {
        return;
    }
    for unit in units.iter_mut() {
        if declared
            .iter()
            .any(|(krate, module)| *krate == unit.crate_name && unit.module.starts_with(module))
        {
            unit.model.test_code.whole_file = true;
        }
    }
}

struct Finder<'f> {
    found: &'f mut TestCode,
    /// Inline modules around the walk.
    modules: Vec<String>,
}

impl Finder<'_> {
    fn region<T: syn::spanned::Spanned>(&mut self, node: &T) {
        let span = Span::of(node);
        self.found.regions.push(span.start..span.end);
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if requires_test(&item.attrs) {
            match &item.content {
                Some(_) => self.region(item),
                None => {
                    let mut module = self.modules.clone();
                    module.push(item.ident.to_string());
                    self.found.module_declarations.push(module);
                }
            }
            return;
        }
        self.modules.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.modules.pop();
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if requires_test(&item.attrs) || is_test_fn(&item.attrs) {
            self.region(item);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if requires_test(&item.attrs) {
            self.region(item);
            return;
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if requires_test(&item.attrs) || is_test_fn(&item.attrs) {
            self.region(item);
        }
    }

    // Items only: bodies hold no test fns (and are skipped for speed).
    fn visit_block(&mut self, _: &'ast syn::Block) {}
}

/// A test attribute: `#[test]`, `#[bench]`, a path ending in `test` (`#[tokio::test]`,
/// `#[tokio::test(flavor = "multi_thread")]`), `#[rstest]`, `#[test_case(..)]`.
fn is_test_fn(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let last = attr
            .path()
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        matches!(last.as_str(), "test" | "bench" | "rstest" | "test_case")
    })
}

/// A `#[cfg(..)]` whose predicate requires `test`: `test`, an `all(..)` with it, an `any(..)`
/// all of whose alternatives require it.
fn requires_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|predicate| predicate_requires_test(&predicate))
    })
}

fn predicate_requires_test(predicate: &syn::Meta) -> bool {
    match predicate {
        syn::Meta::Path(path) => path.is_ident("test"),
        syn::Meta::List(list) => {
            let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
            let Ok(parts) = syn::parse::Parser::parse2(parser, list.tokens.clone()) else {
                return false;
            };
            if list.path.is_ident("all") {
                parts.iter().any(predicate_requires_test)
            } else if list.path.is_ident("any") {
                !parts.is_empty() && parts.iter().all(predicate_requires_test)
            } else {
                false
            }
        }
        syn::Meta::NameValue(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str, path: &str) -> TestCode {
        test_code(&syn::parse_file(text).unwrap(), path)
    }

    #[test]
    fn test_fns_cfg_test_items_and_test_folders() {
        let text = "fn lib() {}\n#[tokio::test(flavor = \"multi_thread\")]\nasync fn a() {}\n#[cfg(test)]\nmod tests { fn helper() {} }\n#[cfg(all(test, unix))]\nimpl S {}\n#[cfg(any(test, feature = \"x\"))]\nfn maybe() {}\n#[cfg(test)]\nmod more;\nmod inline { #[cfg(test)] mod deeper; }\n";
        let found = code(text, "src/lib.rs");
        let covered = |needle: &str| found.covers(text.find(needle).unwrap());
        assert!(!covered("fn lib"));
        assert!(covered("async fn a"));
        assert!(covered("fn helper"));
        assert!(covered("impl S"));
        assert!(!covered("fn maybe"));
        assert_eq!(
            found.module_declarations,
            [
                vec!["more".to_string()],
                vec!["inline".to_string(), "deeper".to_string()]
            ]
        );
        assert!(code("fn f() {}", "crates/a/tests/common/mod.rs").whole_file);
        assert!(code("fn f() {}", "benches/speed.rs").whole_file);
        assert!(!code("fn f() {}", "src/tests.rs").whole_file);
        assert!(code("#![cfg(test)]\nfn f() {}", "src/tests.rs").whole_file);
    }
}
