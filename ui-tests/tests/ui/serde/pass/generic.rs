// `serde` on a generic impl block: the block's bounds say its parameters are serializable
// (`K: Serialize + DeserializeOwned`), and the message enum, its encoding and `Wire` carry
// them. A reply of a parameter's type travels back too.
// It must compile without warnings and run: every assert holds.

use std::collections::HashMap;
use std::hash::Hash;

use aplay::prelude::*;
use aplay::wire::{self, Outcome, Wire};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[actor]
#[derive(Default)]
pub struct Store<K, V> {
    map: HashMap<K, V>,
}

#[actor(serde)]
impl<K, V> Store<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned + Send + 'static,
    V: Clone + Serialize + DeserializeOwned + Send + 'static,
{
    fn put(&mut self, k: K, v: V) {
        self.map.insert(k, v);
    }

    fn get(&self, k: K) -> Option<V> {
        self.map.get(&k).cloned()
    }

    fn len(&self) -> Result<usize, String> {
        Ok(self.map.len())
    }
}

fn assert_wire<A: Wire>() {}

fn main() {
    assert_wire::<Store<String, u32>>();
    assert_wire::<Store<u64, Vec<u8>>>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let store = system
            .spawn("store", Store::<String, u32>::default())
            .await
            .unwrap();

        let bytes = wire::encode(&StoreMsg::<String, u32>::put("a".into(), 1)).unwrap();
        let put: StoreMsg<String, u32> = wire::decode(&bytes).unwrap();
        ActorRef::send(&store, put).await.unwrap();

        let bytes = wire::encode(&StoreMsg::<String, u32>::get("a".into())).unwrap();
        let mut get: StoreMsg<String, u32> = wire::decode(&bytes).unwrap();
        let outcome = Store::expect_outcome(&mut get);
        ActorRef::send(&store, get).await.unwrap();
        match outcome.await {
            Outcome::Replied { reply, error: None } => {
                let value: Option<u32> = wire::decode(&reply).unwrap();
                assert_eq!(value, Some(1));
            }
            other => panic!("expected a reply, got {other:?}"),
        }
        assert_eq!(store.len().await.unwrap(), Ok(1));
        system.shutdown().await;
    });
}
