#[cancel_check::allow]
fn no_lint() {}

#[cancel_check::allow(reason = "only a reason")]
fn only_reason() {}

#[cancel_check::allow(SelectArmNotCancelSafe)]
fn not_snake_case() {}

#[cancel_check::allow(select__arm)]
fn double_underscore() {}

#[cancel_check::allow("futurelock")]
fn a_string() {}

#[cancel_check::allow(clippy::futurelock)]
fn a_path() {}

#[cancel_check::allow(futurelock, because = "x")]
fn unknown_key() {}

#[cancel_check::allow(futurelock, reason = "x", detached_spawn)]
fn lint_after_reason() {}

fn main() {}
