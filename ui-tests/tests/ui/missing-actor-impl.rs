// An `#[actor]` impl block for a type that is not an actor (no `#[actor]` on the struct, no
// `impl Actor`).
// Expected: one error "`Worker` is not an actor", with the note saying to put `#[actor]` on the
// struct or to write `impl aplay::Actor for Worker {}`.

use aplay::prelude::*;

struct Worker;

#[actor]
impl Worker {
    fn work(&mut self) {}
}

fn main() {}
