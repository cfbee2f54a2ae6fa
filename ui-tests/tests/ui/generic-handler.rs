// A generic handler: its message would need a type parameter of the method's own, which the
// message enum (one for every handler) cannot carry.
// Expected: one error on `<T: Send + 'static>`, suggesting a parameter on the impl block (or
// `#[skip]`); the call to the handler adds nothing.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn take<T: Send + 'static>(&mut self, item: T) {
        drop(item);
    }
}

async fn call(worker: ActorRef<Worker>) {
    worker.take(5_u8).await.unwrap();
}

fn main() {
    drop(call);
}
