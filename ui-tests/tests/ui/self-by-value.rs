// A handler that takes `self` by value: the actor would be consumed by its first message.
// Expected: one error on `self`, asking for `&self` or `&mut self` (or `#[skip]`).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn finish(self) {}
}

fn main() {}
