// An argument named `reply`, the name of the reply channel every message variant carries.
// Expected: one error on `reply`, asking to rename the argument.

use aplay::prelude::*;

#[actor]
struct Mailer;

#[actor]
impl Mailer {
    fn answer(&mut self, reply: String) {
        drop(reply);
    }
}

fn main() {}
