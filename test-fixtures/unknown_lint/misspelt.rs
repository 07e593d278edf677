// Lint names that cancel-check does not know, in every form of suppression.

use tokio::sync::mpsc;

pub async fn comment(mut rx: mpsc::Receiver<u32>) {
    // cancel-check: allow(select_arm_not_cancelsafe) -- typo
    //~^ unknown_lint: unknown lint `select_arm_not_cancelsafe`
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}

#[cancel_check::allow(futurelocks, reason = "typo")] //~ unknown_lint: unknown lint `futurelocks`
pub async fn shim_attribute(mut rx: mpsc::Receiver<u32>) {
    while let Some(value) = rx.recv().await {
        println!("{value}");
    }
}

#[cfg_attr(any(), allow(cancel_check::not_a_lint_at_all))] //~ unknown_lint: unknown lint `not_a_lint_at_all`
pub fn cfg_attr_form() {}

// Clippy's lints are not ours: `allow(clippy::..)` and plain `allow(..)` are left alone.
#[allow(clippy::needless_return, dead_code)]
fn not_ours() {}

// cancel-check: allow(unknown_lint, no_such_lint) -- an unknown name can be silenced
pub fn silenced() {}
