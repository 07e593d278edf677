//@ check-pass
// What rustc's parser accepts before expansion, where syn alone does not: nothing to report.

use std::rc::Rc;

// An attribute macro consumes the item before rustc would reject the visibility on `impl`.
#[extension_trait]
pub(crate) impl RoomExt for Room {
    fn display_name(&self) -> String {
        self.name.clone()
    }
}

#[extension_trait::extension_trait]
pub unsafe impl RawExt for Room {}

// Bare trait objects of the `Fn` family (editions 2015 and 2018).
pub trait AnyArg {
    fn validator(&self) -> Option<&Rc<Fn(String) -> Result<(), String>>>;
}

type Action = Fn(&u8) + Send + Sync;

pub fn on_event(callback: Box<std::ops::FnMut(u32)>) -> Box<FnOnce() -> u32> {
    let _ = callback;
    Box::new(|| 0)
}

// Never compiled: rustc strips it before checking it.
#[cfg(any())]
impl !Trait {}

pub struct Room {
    name: String,
}
