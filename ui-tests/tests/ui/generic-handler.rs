// A generic handler: its message would need a type parameter the enum cannot have.
// Expected: one error on `<T: Send + 'static>`, asking for concrete types (or `#[skip]`).

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn take<T: Send + 'static>(&mut self, item: T) {
        drop(item);
    }
}

fn main() {}
