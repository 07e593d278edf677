// Test code is not public API: in test fns' modules (`#[cfg(test)]`), and in `tests/` folders,
// the lint is allowed by default (`lints-in-tests` changes that).

pub trait Store {
    async fn get(&self, key: &str) -> Option<Vec<u8>>; //~ missing_send_bound
}

#[cfg(test)]
mod tests {
    pub trait Fake {
        async fn get(&self, key: &str) -> Option<Vec<u8>>;
    }

    pub type Job = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
}
