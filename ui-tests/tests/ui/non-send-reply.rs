// A reply that is not `Send`: it travels back to the asker's task.
// Expected: one error on `Rc<u8>`, saying it cannot be a reply.

use std::rc::Rc;

use aplay::prelude::*;

#[actor]
struct Keeper;

#[actor]
impl Keeper {
    fn get(&self) -> Rc<u8> {
        Rc::new(1)
    }
}

fn main() {}
