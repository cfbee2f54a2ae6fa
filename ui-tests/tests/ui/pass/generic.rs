// Generic actors: `#[actor]` on a generic struct (type and const parameters), on a generic
// `impl` block (bounds inline and in a `where` clause, `Self` in signatures, the context, an
// `async` handler, `#[skip]`, `#[cfg]`), and on the block of one instantiation. The generated
// enum and handle are generic too, and usable as types.
// It must compile without warnings and run: every assert holds.

use std::collections::HashMap;
use std::hash::Hash;

use aplay::prelude::*;

#[actor]
pub(crate) struct Cache<K, V> {
    map: HashMap<K, V>,
}

#[actor(vis = pub(crate))]
impl<K: Hash + Eq + Send + 'static, V: Clone + Send + 'static> Cache<K, V> {
    fn put(&mut self, k: K, v: V) {
        self.map.insert(k, v);
    }

    fn get(&self, k: K) -> Option<V> {
        self.map.get(&k).cloned()
    }

    async fn put_later(&mut self, k: K, v: V, ctx: &mut Context<Self>) {
        tokio::task::yield_now().await;
        let _ = ctx.path();
        self.map.insert(k, v);
    }

    fn merge(&mut self, other: Self) -> usize {
        self.map.extend(other.map);
        self.map.len()
    }

    #[cfg(any())]
    fn never_built(&self, missing: NoSuchType) {}

    #[skip]
    fn peek(&self, k: &K) -> Option<&V> {
        self.map.get(k)
    }
}

#[actor]
struct Window<T, const N: usize> {
    items: Vec<T>,
}

#[actor]
impl<T, const N: usize> Window<T, N>
where
    T: Clone + Send + 'static,
{
    fn push(&mut self, item: T) -> Option<T> {
        self.items.push(item);
        (self.items.len() > N).then(|| self.items.remove(0))
    }

    fn items(&self) -> Vec<T> {
        self.items.clone()
    }
}

#[actor]
struct Tally<T> {
    total: T,
}

#[actor]
impl Tally<u64> {
    fn add(&mut self, n: u64) -> u64 {
        self.total += n;
        self.total
    }
}

/// The generated types carry the parameters.
fn messages(handle: &CacheHandle<String, u32>) -> [CacheMsg<String, u32>; 1] {
    let _ = handle.clone();
    [CacheMsg::put("b".to_owned(), 2)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let cache = system
            .spawn("cache", Cache::<String, u32> { map: HashMap::new() })
            .await
            .unwrap();
        cache.put("a".to_owned(), 1).await.unwrap();
        for msg in messages(&cache) {
            ActorRef::send(&cache, msg).await.unwrap();
        }
        cache.put_later("c".to_owned(), 3).ask().await.unwrap();
        assert_eq!(cache.get("b".to_owned()).await.unwrap(), Some(2));
        let other = Cache {
            map: HashMap::from([("d".to_owned(), 4)]),
        };
        assert_eq!(other.peek(&"d".to_owned()), Some(&4));
        assert_eq!(cache.merge(other).await.unwrap(), 4);

        let window = system
            .spawn("window", Window::<char, 2> { items: Vec::new() })
            .await
            .unwrap();
        assert_eq!(window.push('a').await.unwrap(), None);
        assert_eq!(window.push('b').await.unwrap(), None);
        assert_eq!(window.push('c').await.unwrap(), Some('a'));
        assert_eq!(window.items().await.unwrap(), vec!['b', 'c']);

        let tally = system.spawn("tally", Tally { total: 0_u64 }).await.unwrap();
        assert_eq!(tally.add(5).await.unwrap(), 5);

        system.shutdown().await;
    });
}
