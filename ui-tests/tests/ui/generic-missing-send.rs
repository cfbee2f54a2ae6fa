// A generic actor whose block forgets `Send` on a parameter that travels in a message.
// Expected: one error on the argument's type `K`, saying a message argument must be
// `Send + 'static`; nothing inside generated code.

use std::collections::HashMap;
use std::hash::Hash;

use aplay::prelude::*;

#[actor]
struct Cache<K, V> {
    map: HashMap<K, V>,
}

#[actor]
impl<K: Hash + Eq + 'static, V: Clone + Send + 'static> Cache<K, V> {
    fn put(&mut self, k: K, v: V) {
        self.map.insert(k, v);
    }
}

fn main() {}
