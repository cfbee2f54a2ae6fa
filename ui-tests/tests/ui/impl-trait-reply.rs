// An `impl Trait` return type: the reply travels in a channel whose type must be named.
// Expected: one error on `impl Iterator<Item = u8>`, asking to name the type or box it.

use aplay::prelude::*;

#[actor]
struct Source;

#[actor]
impl Source {
    fn items(&self) -> impl Iterator<Item = u8> {
        vec![1, 2, 3].into_iter()
    }
}

fn main() {}
