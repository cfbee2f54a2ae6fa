// A generic actor whose block forgets `'static` on a parameter that travels in a reply.
// Expected: one error on the reply's type, saying a reply must be `Send + 'static`.

use aplay::prelude::*;

#[actor]
struct Latest<T> {
    value: Option<T>,
}

#[actor]
impl<T: Clone + Send + 'static, U: Send> Latest<(T, U)> {
    fn get(&self) -> Option<(T, U)> {
        None
    }
}

fn main() {}
