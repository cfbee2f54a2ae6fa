// `#[actor]` on a struct with a lifetime parameter: an actor outlives every borrow.
// Expected: one error on `'a`, saying why and what to own instead.

use aplay::prelude::*;

#[actor]
pub struct Borrower<'a> {
    pub name: &'a str,
}

fn main() {}
