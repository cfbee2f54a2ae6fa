// A handler named like a method of `ActorRef` (`stop`): `actor_ref.stop()` would call
// `ActorRef::stop`, never the handler.
// Expected: one error on `stop`, suggesting another name (`stop_job`), and nothing from rustc.

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Job {
    running: bool,
}

#[actor]
impl Job {
    fn stop(&mut self) {
        self.running = false;
    }
}

fn main() {}
