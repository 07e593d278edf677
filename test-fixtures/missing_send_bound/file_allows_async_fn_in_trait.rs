//@ check-pass
// The file's inner attribute covers every trait in it.

#![allow(async_fn_in_trait)]

pub trait PortableFileExt {
    async fn portable_dev(&self) -> u64;
    async fn portable_ino(&self) -> u64;
}
