// `#[actor(serde)]` with a reply whose inner type serde cannot encode.
// Expected: one error, on the reply type, saying `Snapshot` is not `Serialize` (rustc then uses
// serde's own message, as the type that lacks it is not the reply type itself).

use aplay::prelude::*;

#[derive(Clone)]
struct Snapshot {
    count: u64,
}

#[actor]
#[derive(Default)]
struct Counter {
    history: Vec<Snapshot>,
}

#[actor(serde)]
impl Counter {
    fn history(&self) -> Vec<Snapshot> {
        self.history.clone()
    }
}

fn main() {
    let _ = Snapshot { count: 0 }.count;
}
