// `#[actor]` on a function: it goes on an impl block, a struct or an enum.
// Expected: one error on the function, listing where `#[actor]` goes.

use aplay::prelude::*;

#[actor]
async fn worker() {}

fn main() {}
