//@ check-pass
// Modern syntax that must parse: nothing here is a parse error.

use std::future::Future;
use std::pin::Pin;

pub trait Store {
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
    fn watch(&self) -> impl Future<Output = ()> + Send + use<'_, Self>;
}

pub async fn load(store: &impl Store, key: &str) -> Result<Vec<u8>, String> {
    let Some(value) = store.get(key).await else {
        return Err(format!(r#"missing "{key}""#));
    };
    if let Some(first) = value.first()
        && *first == 0
    {
        return Err("empty record".into());
    }
    Ok(value)
}

pub fn boxed<'a>(store: &'a (impl Store + Sync)) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let fetch = async |key: &str| store.get(key).await;
        let _ = fetch("a").await;
        let _ = const { 1 + 1 };
    })
}
