// Only what other crates can reach is public API: items declared `pub` in modules reachable
// from the crate root through `pub` modules, and what a `pub use` there re-exports.

use std::future::Future;
use std::pin::Pin;

mod internal;
pub mod api;
mod exported;
pub use exported::Exported;
mod globbed;
pub use globbed::*;
pub(crate) mod crate_only;
mod client;
pub use client::Client;

mod hidden {
    // Silent: a private inline module that nothing re-exports.
    pub trait Hidden {
        async fn run(&self);
    }
}

pub mod shown {
    pub trait Shown {
        async fn run(&self); //~ missing_send_bound
    }

    // Silent: `pub(crate)` is not API.
    pub(crate) trait Local {
        async fn run(&self);
    }
}

pub mod outer {
    // Reachable through `pub mod outer` and `pub mod inner`.
    pub mod inner {
        pub fn job() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> { //~ missing_send_bound
            Box::pin(async {})
        }
    }

    // Silent: `inner_private` is private and not re-exported.
    mod inner_private {
        pub fn job() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
            Box::pin(async {})
        }
    }
}

pub type Job = Pin<Box<dyn Future<Output = ()> + 'static>>; //~ missing_send_bound
