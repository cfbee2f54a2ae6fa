// `#[actor]` on an impl block for something other than a plain type name (here a reference).
// Expected: one error on `&Worker`, asking for `impl Worker { .. }` (and nothing more from rustc).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl &Worker {
    fn work(&self) {}
}

fn main() {}
