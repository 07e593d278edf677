//@ check-pass
// Two levels below the crate root that allows `async_fn_in_trait`.

pub trait Filesystem {
    async fn open_file_writable(&self, path: &str) -> std::io::Result<Vec<u8>>;
    async fn delete_file(&self, path: &str) -> std::io::Result<()>;
}
