// A private module: only the re-exported trait is API.
pub trait Exported {
    async fn call(&self); //~ missing_send_bound
}

pub trait NotExported {
    async fn call(&self);
}
