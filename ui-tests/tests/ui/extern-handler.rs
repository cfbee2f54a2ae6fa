// A handler with an `extern` ABI: the runtime calls handlers as Rust functions.
// Expected: one error on `extern "C"`, asking to remove it.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    extern "C" fn poke(&mut self) {}
}

fn main() {}
