// `serde` on an impl block without handlers: the enum is empty and the generated `Wire` impl
// still compiles (its matches have no arms).

use aplay::prelude::*;

#[actor]
struct Quiet;

#[actor(serde)]
impl Quiet {}

fn main() {
    fn assert_wire<A: aplay::wire::Wire>() {}
    assert_wire::<Quiet>();
}
