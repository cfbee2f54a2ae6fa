// `#[actor(serde)]` with an argument that derives `Serialize` but not `Deserialize`: it could
// be sent, but not received.
// Expected: one error on `Point`, naming `Deserialize` as what is missing.

use aplay::prelude::*;

#[derive(serde::Serialize)]
struct Point {
    x: i32,
}

#[actor]
struct Plotter;

#[actor(serde)]
impl Plotter {
    fn plot(&mut self, point: Point) {
        let _ = point.x;
    }
}

fn main() {}
