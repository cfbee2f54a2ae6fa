// The `serde` option given twice.
// Expected: one error on the second `serde`.

use aplay::prelude::*;

#[actor]
struct Counter;

#[actor(serde, serde)]
impl Counter {
    fn ping(&self) {}
}

fn main() {}
