// A borrowed argument: the message travels to the actor's task, so it cannot borrow from the
// sender.
// Expected: one error on `&str`, suggesting an owned type (`String`, `Vec<T>`, `Arc<T>`).

use aplay::prelude::*;

#[actor]
struct Greeter;

#[actor]
impl Greeter {
    fn greet(&self, name: &str) -> String {
        format!("hello {name}")
    }
}

fn main() {}
