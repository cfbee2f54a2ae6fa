// An `unsafe fn` handler: a message can be sent by anyone, so nobody could uphold its contract.
// Expected: one error on `unsafe`, asking to remove it (or mark the method `#[skip]`).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    unsafe fn poke(&mut self) {}
}

fn main() {}
