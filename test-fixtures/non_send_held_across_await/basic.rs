// `!Send` values alive at an await in futures that must be `Send`.

use std::cell::RefCell;
use std::rc::Rc;

async fn save(_: usize) {}

// An `Rc` in a spawned task.
pub fn start_counter() {
    tokio::spawn(async {
        let counter = Rc::new(RefCell::new(0usize)); //~ non_send_held_across_await
        save(*counter.borrow()).await;
        *counter.borrow_mut() += 1;
    });
}

// `Rc::clone` in a task spawned on a `JoinSet`.
pub fn start_many(set: &mut tokio::task::JoinSet<()>, shared: Rc<Vec<u8>>) {
    set.spawn(async move {
        let mine = Rc::clone(&shared); //~ non_send_held_across_await
        save(mine.len()).await;
    });
}

// A public async fn of a library holding a raw pointer across an await.
pub async fn checksum(data: &[u8]) -> usize {
    let start = data.as_ptr() as *const u8; //~ non_send_held_across_await
    save(data.len()).await;
    start as usize
}
