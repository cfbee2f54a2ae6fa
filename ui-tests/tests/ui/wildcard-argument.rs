// An argument named `_`: it becomes a field of the message, and a field needs a name.
// Expected: one error on `_`, asking to name the argument.

use aplay::prelude::*;

#[actor]
struct Sink;

#[actor]
impl Sink {
    fn swallow(&mut self, _: u64) {}
}

fn main() {}
