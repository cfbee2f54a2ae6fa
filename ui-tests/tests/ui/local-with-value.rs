// `local` with a value, and `local` given twice: the option is a bare word, once.
// Expected: one error on `local = true` asking for a bare `#[actor(local)]`, one on the
// second `local`.

use std::rc::Rc;

use aplay::prelude::*;

struct Page {
    lines: Rc<Vec<String>>,
}

#[actor(local = true)]
impl Page {
    fn len(&self) -> usize {
        self.lines.len()
    }
}

struct Note {
    text: Rc<String>,
}

#[actor(local, local)]
impl Note {
    fn len(&self) -> usize {
        self.text.len()
    }
}

fn main() {}
