// The context parameter before a message argument: it must come last.
// Expected: one error on `&mut Context<Self>`, asking to move it to the end.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn work(&mut self, ctx: &mut Context<Self>, n: u32) {
        let _ = (ctx, n);
    }
}

fn main() {}
