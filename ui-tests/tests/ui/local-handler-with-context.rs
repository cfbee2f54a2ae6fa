// A handler of a `local` actor that takes the context: the context belongs to the shell.
// Expected: one error on `spawn_helper`, saying where to spawn from instead.

use std::rc::Rc;

use aplay::prelude::*;

struct Page {
    lines: Rc<Vec<String>>,
}

#[actor(local)]
impl Page {
    fn len(&self) -> usize {
        self.lines.len()
    }

    fn spawn_helper(&self, _ctx: &mut Context<Self>) {}
}

fn main() {}
