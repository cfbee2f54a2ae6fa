// `#[actor(serde)]` with a reply that serde cannot encode.
// Expected: one error on `Snapshot`, saying it cannot be the reply of a serializable message.

use aplay::prelude::*;

#[derive(Clone)]
struct Snapshot {
    count: u64,
}

#[actor]
struct Counter {
    count: u64,
}

#[actor(serde)]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot { count: self.count }
    }
}

fn main() {}
