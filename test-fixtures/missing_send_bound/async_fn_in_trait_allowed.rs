// `#[allow(async_fn_in_trait)]` (or `expect`) on the method, the trait or any enclosing item
// means the author answered the `Send` question: rustc's own lint asked it.

pub trait Executor {
    #[allow(async_fn_in_trait)]
    async fn query(&self, sql: &str) -> Vec<String>;

    // The allow on one method covers only that method.
    async fn execute(&self, sql: &str) -> u64; //~ missing_send_bound
}

#[expect(async_fn_in_trait)]
pub trait Loader {
    async fn load(&self) -> Vec<u8>;
}

#[allow(async_fn_in_trait, clippy::module_name_repetitions)]
pub mod io {
    pub trait Filesystem {
        async fn open(&self, path: &str) -> std::io::Result<Vec<u8>>;
        fn sync(&self) -> impl std::future::Future<Output = std::io::Result<()>>;
    }

    pub mod nested {
        pub trait AsyncFile {
            async fn flush(&mut self) -> std::io::Result<()>;
        }
    }
}

#[cfg_attr(feature = "nightly", allow(async_fn_in_trait))]
pub trait Feature {
    async fn run(&self);
}

pub mod plain {
    // Another lint's allow answers nothing.
    #[allow(dead_code)]
    pub trait Metadata {
        async fn modified(&self) -> u64; //~ missing_send_bound
    }
}
