// An `impl Trait` argument: a message field needs a type that can be named.
// Expected: one error on `impl Fn() + Send + 'static`, asking to name the type or box it.

use aplay::prelude::*;

#[actor]
struct Runner;

#[actor]
impl Runner {
    fn run(&mut self, job: impl Fn() + Send + 'static) {
        job();
    }
}

fn main() {}
