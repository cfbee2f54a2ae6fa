// An option `#[actor]` does not know.
// Expected: one error on `name`, listing the options (`crate = ..`, `vis = ..`).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor(name = "worker")]
impl Worker {
    fn work(&mut self) {}
}

fn main() {}
