// The `serde` option with a value: it is a flag.
// Expected: one error on `serde`, saying to write `#[actor(serde)]`.

use aplay::prelude::*;

#[actor]
struct Counter;

#[actor(serde = 1)]
impl Counter {
    fn ping(&self) {}
}

fn main() {}
