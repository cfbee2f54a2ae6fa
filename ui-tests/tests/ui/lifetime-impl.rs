// `#[actor]` on an impl block with a lifetime parameter, and on one for a borrowing type
// (`'_`): an actor outlives every borrow.
// Expected: one error on each lifetime, saying why and what to own instead; nothing about the
// handlers nor about the calls to them.

use aplay::prelude::*;

pub struct Borrower<'a> {
    pub name: &'a str,
}

#[actor]
impl<'a> Borrower<'a> {
    fn name(&self) -> String {
        self.name.to_owned()
    }
}

pub struct Other<'a> {
    pub name: &'a str,
}

#[actor]
impl Other<'_> {
    fn name(&self) -> String {
        self.name.to_owned()
    }
}

fn main() {}
