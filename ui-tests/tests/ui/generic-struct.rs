// `#[actor]` on a generic struct: the attribute writes `impl Actor` only for concrete types.
// Expected: one error on `<T>`, showing the `impl<..> aplay::Actor` to write by hand.

use aplay::prelude::*;

#[actor]
pub struct Holder<T> {
    pub item: Option<T>,
}

fn main() {}
