// An attribute macro on a trait decides what its futures are, written directly or inside
// `cfg_attr`: `#[async_trait]` boxes `Send` futures, `#[async_trait(?Send)]` is a deliberate
// opt-out, jsonrpsee's `#[rpc(..)]` replaces the trait with server and client traits built on
// `async_trait`. The `async fn`s as written never reach rustc. Shapes from a client SDK that
// builds for wasm, an HTTP proxy framework and an Ethereum client.

use async_trait::async_trait;
use jsonrpsee::proc_macros::rpc;

// `Send` futures on every native build, `?Send` only on wasm, on purpose.
#[cfg_attr(target_family = "wasm", async_trait(?Send))]
#[cfg_attr(not(target_family = "wasm"), async_trait)]
pub trait CryptoStore: std::fmt::Debug {
    type Error;

    async fn load_account(&self) -> Result<Option<Vec<u8>>, Self::Error>;
    async fn save_changes(&self, changes: Vec<u8>) -> Result<(), Self::Error>;
}

// Plain `async_trait` on every real build; the cfg only lets rustdoc show `async fn`s.
#[cfg_attr(not(doc_async_trait), async_trait)]
pub trait ProxyHttp {
    type CTX;

    async fn request_filter(&self, ctx: &mut Self::CTX) -> Result<bool, String>;
}

#[cfg_attr(not(doc), async_trait)]
pub trait Hook {
    async fn run(&self);
}

// jsonrpsee, with the feature-dependent twin.
#[cfg_attr(not(feature = "client"), rpc(server, namespace = "anvil"))]
#[cfg_attr(feature = "client", rpc(server, client, namespace = "anvil"))]
pub trait AnvilApi {
    #[method(name = "impersonateAccount")]
    async fn anvil_impersonate_account(&self, address: String) -> Result<(), String>;

    #[method(name = "mine")]
    async fn anvil_mine(&self, blocks: Option<u64>) -> Result<(), String>;
}

#[rpc(server, client, namespace = "eth")]
pub trait EthApi {
    #[method(name = "blockNumber")]
    async fn block_number(&self) -> Result<u64, String>;
}

// A deliberate opt-out, through `cfg_attr` or not.
#[cfg_attr(feature = "local", async_trait(?Send))]
pub trait LocalOnly {
    async fn tick(&self);
}

// A nested `cfg_attr` still applies the macro.
#[cfg_attr(feature = "net", cfg_attr(not(target_family = "wasm"), async_trait))]
pub trait Transport {
    async fn send(&self, frame: Vec<u8>);
}

// Still reported: mockall's `automock` only adds a mock next to the trait, which stays as
// written.
#[cfg_attr(test, mockall::automock)]
pub trait Repository {
    async fn find(&self, id: u64) -> Option<String>; //~ missing_send_bound
}

// Still reported: a lint level or rustdoc attribute through `cfg_attr` changes nothing.
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
#[cfg_attr(feature = "strict", deny(missing_docs))]
pub trait Store {
    async fn get(&self, key: &str) -> Option<Vec<u8>>; //~ missing_send_bound
}
