// `#[skip]` with arguments: the marker takes none.
// Expected: one error on `#[skip(reason = "internal")]`, asking for a bare `#[skip]`.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    #[skip(reason = "internal")]
    fn helper(&self) -> u8 {
        7
    }
}

fn main() {}
