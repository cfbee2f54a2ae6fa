// `Handle` implemented by hand: it is sealed, `#[actor]` implements it.
// Expected: one error on the type, "`MyHandle` is not a handle: `Handle` is sealed", with a
// note saying that `#[actor]` writes handles and a hand-written `Dispatch` takes `BareHandle`.

use aplay::prelude::*;
use aplay::{Dispatch, Handle, RawRef};

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn work(&mut self) {}
}

#[derive(Clone)]
struct MyHandle(RawRef<Worker>);

impl Handle<Worker> for MyHandle {}

fn main() {
    let _ = <Worker as Dispatch>::message_name;
}
