use cancel_check::{cancel_safe, not_cancel_safe};

#[cancel_safe]
struct Reader;

#[not_cancel_safe(reason = "drops data")]
impl Reader {}

#[cancel_safe]
mod module {}

#[cancel_safe]
const LIMIT: usize = 1;

fn main() {}
