// `#[actor(serde)]` while the `serde` feature of aplay is off.
// Expected: one error on `serde`, saying to enable the feature.

use aplay::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor(serde)]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
