// `local` with `serde`: a Redis mailbox serves ordinary actors only.
// Expected: one error on `local`.

use std::rc::Rc;

use aplay::prelude::*;

struct Page {
    lines: Rc<Vec<String>>,
}

#[actor(local, serde)]
impl Page {
    fn len(&self) -> usize {
        self.lines.len()
    }
}

fn main() {}
