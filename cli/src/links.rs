//! Where the project lives on the web: the one place that spells its addresses. The SARIF
//! `informationUri` and `helpUri` come from here; the workspace manifest's `repository` says the
//! same (a test checks), and so do the docs.

/// The project's canonical home.
pub const REPOSITORY: &str = "https://github.com/cancel-check/cancel-check";

/// The lint reference, generated from the lint declarations (docs/lints.md).
pub const LINT_REFERENCE: &str =
    "https://github.com/cancel-check/cancel-check/blob/main/docs/lints.md";

/// The section of the lint reference about `lint`. The heading of a lint is its name, and a
/// snake_case name is its own anchor on GitHub (`cli/tests/formats.rs` checks every one against
/// the generated page).
pub fn lint_docs(lint: &str) -> String {
    format!("{LINT_REFERENCE}#{lint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_same_repository() {
        assert_eq!(env!("CARGO_PKG_REPOSITORY"), REPOSITORY);
    }

    #[test]
    fn the_lint_reference_is_in_the_repository() {
        assert!(LINT_REFERENCE.starts_with(&format!("{REPOSITORY}/blob/main/")));
        assert_eq!(
            lint_docs("futurelock"),
            format!("{REPOSITORY}/blob/main/docs/lints.md#futurelock")
        );
    }
}
