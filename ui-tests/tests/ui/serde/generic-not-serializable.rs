// `serde` on a generic block whose bounds forget that a parameter must be serializable.
// Expected: one error on the argument's type `K`, saying what it lacks; nothing inside
// generated code (the derive takes the block's bounds as they are).

use aplay::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[actor]
struct Store<K, V> {
    last: Option<(K, V)>,
}

#[actor(serde)]
impl<K: Send + 'static, V: Serialize + DeserializeOwned + Send + 'static> Store<K, V> {
    fn put(&mut self, k: K, v: V) {
        self.last = Some((k, v));
    }
}

fn main() {}
