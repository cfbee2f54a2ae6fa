// A handler returning `!`: it never replies, so it cannot be a message.
// Expected: one error on `!`, saying a handler must return.

use aplay::prelude::*;

#[actor]
struct Crasher;

#[actor]
impl Crasher {
    fn crash(&mut self) -> ! {
        panic!("crashed")
    }
}

fn main() {}
