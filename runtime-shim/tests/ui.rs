//! The attributes, compiled: good uses build, bad uses fail with the messages in the `.stderr`
//! files (regenerate them with `TRYBUILD=overwrite`, then read them).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
