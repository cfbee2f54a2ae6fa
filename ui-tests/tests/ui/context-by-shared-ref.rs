// The context taken by shared reference: handlers get it as `&mut Context<Self>`.
// Expected: one error on `&Context<Self>`, asking for `&mut Context<Self>`.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn whoami(&self, ctx: &Context<Self>) -> String {
        ctx.path().to_string()
    }
}

fn main() {}
