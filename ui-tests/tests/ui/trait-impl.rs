// `#[actor]` on a trait impl: lifecycle hooks go in a plain `impl Actor for Name`.
// Expected: one error on `Actor` (the trait), pointing to the plain `impl aplay::Actor`.

use aplay::prelude::*;

struct Worker;

#[actor]
impl Actor for Worker {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
