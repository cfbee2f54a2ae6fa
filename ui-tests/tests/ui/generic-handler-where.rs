// A handler with a `where` clause of its own, on a parameter of the generic block: the bound
// would hold for that message only, and the enum has one set of bounds for all.
// Expected: one error on the method's `where` clause, asking to move the bound to the block.

use aplay::prelude::*;

#[actor]
struct Holder<T> {
    item: Option<T>,
}

#[actor]
impl<T: Send + 'static> Holder<T> {
    fn put(&mut self, item: T) {
        self.item = Some(item);
    }

    fn copy(&self) -> Option<T>
    where
        T: Clone,
    {
        self.item.clone()
    }
}

fn main() {}
