// Two handlers whose names give the same message variant (`add` and `_add` are both `Add`).
// Expected: one error on `_add`, naming both handlers and asking to rename one of them, and
// none where `_add` is called: it keeps its handle method.

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn _add(&mut self, n: u64) {
        self.count += n;
    }
}

async fn add_twice(counter: ActorRef<Counter>) -> Result<(), Error> {
    counter.add(1).await?;
    counter._add(1).await
}

fn main() {
    let _ = add_twice;
}
