// Silent: `mod internal;` is private and nothing re-exports its items.
pub trait Internal {
    async fn run(&self);
}
