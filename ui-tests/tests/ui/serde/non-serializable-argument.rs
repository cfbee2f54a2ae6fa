// `#[actor(serde)]` with an argument that serde cannot encode.
// Expected: one error on `Point`, saying it cannot be an argument of a serializable message.

use aplay::prelude::*;

struct Point {
    x: i32,
    y: i32,
}

#[actor]
struct Plotter;

#[actor(serde)]
impl Plotter {
    fn plot(&mut self, label: String, point: Point) {
        let _ = (label, point.x, point.y);
    }
}

fn main() {}
