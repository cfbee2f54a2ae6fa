// `#[handler(..)]` where there is no message: on a `#[skip]` method, on an associated function,
// and given twice.
// Expected: one error on each misplaced `#[handler(priority = high)]` saying why it has nothing
// to apply to, and one on the second of two.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    #[skip]
    #[handler(priority = high)]
    fn helper(&self) -> u8 {
        7
    }

    #[handler(priority = high)]
    fn new() -> Self {
        Worker
    }

    #[handler(priority = high)]
    #[handler(priority = normal)]
    fn twice(&self) {}
}

fn main() {}
