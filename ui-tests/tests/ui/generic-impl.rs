// `#[actor]` on a generic impl block: the message enum needs concrete types.
// Expected: one error on `<T: Send + 'static>`, asking for a concrete type (and nothing about
// the `Holder<T>` self type, nor about the `#[skip]` marker left in the block).

use aplay::prelude::*;

struct Holder<T> {
    item: Option<T>,
}

impl<T: Send + 'static> Actor for Holder<T> {}

#[actor]
impl<T: Send + 'static> Holder<T> {
    fn take(&mut self) -> bool {
        self.item.take().is_some()
    }

    #[skip]
    fn has_item(&self) -> bool {
        self.item.is_some()
    }
}

fn main() {}
