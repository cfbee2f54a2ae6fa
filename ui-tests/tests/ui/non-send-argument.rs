// An argument that is not `Send`: it would cross to the actor's task.
// Expected: one error on `Rc<u8>`, saying it cannot be a message argument and suggesting `Arc`.

use std::rc::Rc;

use aplay::prelude::*;

#[actor]
struct Keeper;

#[actor]
impl Keeper {
    fn keep(&mut self, value: Rc<u8>) {
        drop(value);
    }
}

fn main() {}
