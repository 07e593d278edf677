//! The prelude leaves the compiler's `#[allow]` alone.

use cancel_check::prelude::*;

#[allow(dead_code)]
#[cancel_safe]
async fn flush(writer: &mut CancelSafeWriter<Vec<u8>>) -> std::io::Result<()> {
    writer.flush().await
}

fn main() {}
