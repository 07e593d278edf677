// ...and a third uses it through the re-export.
use std::future::Future;

use base::{Loggable, SendOutsideWasm};

pub trait Room {
    // Silent: `base::SendOutsideWasm` is `common::SendOutsideWasm: Send`.
    fn messages(&self) -> impl Future<Output = Vec<String>> + SendOutsideWasm;

    // `Loggable` does not imply `Send`.
    fn members(&self) -> impl Future<Output = Vec<String>> + Loggable; //~ missing_send_bound
}
