use cancel_check::cancel_safe;

#[cancel_safe(reason = "it is")]
async fn with_arguments() {}

fn main() {}
