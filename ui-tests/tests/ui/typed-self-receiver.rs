// A typed receiver (`self: Box<Self>`): the runtime calls handlers on `&mut Self`.
// Expected: one error on `self: Box<Self>`, asking for `&self` or `&mut self` (or `#[skip]`).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn boxed(self: Box<Self>) {}
}

fn main() {}
