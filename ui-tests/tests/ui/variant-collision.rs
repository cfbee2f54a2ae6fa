// Two handlers whose names give the same message variant (`add` and `_add` are both `Add`).
// Expected: one error on `_add`, naming both handlers and asking to rename one of them.

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn _add(&mut self, n: u64) {
        self.count += n;
    }
}

fn main() {}
