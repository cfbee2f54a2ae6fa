// `#[actor]` on an impl block for one instantiation of a generic type (`Holder<u8>`): the
// message enum and the handle are named after the type and cannot be generic.
// Expected: one error on `<u8>`, asking for a type without generic arguments.

use aplay::prelude::*;

struct Holder<T> {
    item: Option<T>,
}

impl Actor for Holder<u8> {}

#[actor]
impl Holder<u8> {
    fn take(&mut self) -> Option<u8> {
        self.item.take()
    }
}

fn main() {}
