//@ check-pass
// Doc comments and strings that show the suppression syntax are not suppressions.

//! Write `// cancel-check: allow(select_arm_not_cancel_safe) -- reason` above the branch.

/// Suppress with `// cancel-check: allow(select_timer_reset)`.
pub fn documented() -> &'static str {
    "// cancel-check: allow(futurelock)"
}
