// Two handlers with the same name.
// Expected: one error on the second `ping`, asking to rename one of them (and no second error
// from rustc about the duplicate definition).

use aplay::prelude::*;

#[actor]
struct Pinger;

#[actor]
impl Pinger {
    fn ping(&self) -> u8 {
        1
    }

    fn ping(&self) -> u8 {
        2
    }
}

fn main() {}
