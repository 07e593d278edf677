//! `#[cancel_check::allow(..)]` on any item, under any path to the crate.

use cancel_check as cc;

#[cancel_check::allow(select_arm_not_cancel_safe)]
fn function() {}

#[cancel_check::allow(
    select_arm_not_cancel_safe,
    timeout_not_cancel_safe,
    reason = "reconnects"
)]
mod module {
    pub fn inside() {}
}

#[cc::allow(futurelock, reason = "one lock only")]
struct Struct;

#[cancel_check::allow(detached_spawn)]
impl Struct {
    #[cancel_check::allow(buffer_held_across_await, reason = "the buffer is local")]
    async fn method(&self) {}
}

#[cancel_check::allow(missing_send_bound)]
trait Trait {
    #[cancel_check::allow(missing_send_bound)]
    fn required(&self);
}

#[cancel_check::allow(undocumented_cancel_safety)]
enum Enum {
    Variant,
}

#[cancel_check::allow(block_on_in_async)]
const CONST: u8 = 1;

fn main() {
    function();
    module::inside();
    let _ = Struct.method();
    let _ = Enum::Variant;
    assert_eq!(CONST, 1);
    // The compiler's own attribute is untouched.
    #[allow(unused_variables)]
    let unused = 0;
}
