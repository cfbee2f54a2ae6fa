// The `serde` option on the struct: the messages come from the `impl` block.
// Expected: one error on `serde`, saying where it goes.

use aplay::prelude::*;

#[actor(serde)]
struct Counter;

#[actor]
impl Counter {
    fn ping(&self) {}
}

fn main() {}
