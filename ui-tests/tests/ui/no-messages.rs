// Spawning an actor that has `impl Actor` but no `#[actor]` impl block: it has no messages.
// Expected: one error "`Idle` has no messages", with the note saying to put `#[actor]` on an
// `impl Idle { .. }` block (it may be empty).

use aplay::prelude::*;

#[actor]
struct Idle;

async fn start(system: &System) {
    let _idle = system.spawn("idle", Idle).await;
}

fn main() {
    let _ = start;
}
