// A destructuring pattern as an argument: each argument becomes a named field of the message.
// Expected: one error on `(x, y)`, asking for a plain name like `point: Point`.

use aplay::prelude::*;

#[actor]
struct Plotter;

#[actor]
impl Plotter {
    fn plot(&mut self, (x, y): (i32, i32)) {
        let _ = x + y;
    }
}

fn main() {}
