// `#[actor]` on an `unsafe impl` block. rustc's parser rejects an `unsafe` inherent impl before
// the macro runs, so the macro adds no error of its own and emits the block without `unsafe`.
// Expected: one error, rustc's E0197 on `unsafe`, and the handler still becomes a message.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
unsafe impl Worker {
    fn work(&mut self) {}
}

fn main() {}
