//! Generic actors: `#[actor]` on a generic struct and on a generic `impl` block (type and const
//! parameters, `where` clauses), and on an `impl` block for one instantiation of a generic type.
//! Each instantiation is an actor type of its own: its own handle, its own messages, its own
//! type for `lookup` and `address`.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use aplay::prelude::*;
use tokio::sync::Notify;

/// A key-value cache, generic over both. Its `impl Actor` is by hand, for the mailbox.
struct Cache<K, V> {
    map: HashMap<K, V>,
    mailbox: Mailbox,
}

impl<K, V> Cache<K, V> {
    fn new(mailbox: Mailbox) -> Self {
        Cache {
            map: HashMap::new(),
            mailbox,
        }
    }
}

impl<K: Send + 'static, V: Send + 'static> Actor for Cache<K, V> {
    fn mailbox(&self) -> Mailbox {
        self.mailbox
    }
}

#[actor]
impl<K: Hash + Eq + Send + 'static, V: Clone + Send + 'static> Cache<K, V> {
    /// Stores `v` under `k`.
    fn put(&mut self, k: K, v: V) {
        self.map.insert(k, v);
    }

    /// The value under `k`.
    fn get(&self, k: K) -> Option<V> {
        self.map.get(&k).cloned()
    }

    /// How many keys it holds.
    fn len(&self) -> usize {
        self.map.len()
    }

    /// Says it is `inside`, then waits until `gate` is notified: holds the actor up.
    async fn hold(&mut self, inside: Arc<Notify>, gate: Arc<Notify>) {
        inside.notify_one();
        gate.notified().await;
    }

    /// `Err` on a key it does not hold.
    fn remove(&mut self, k: K) -> Result<V, String> {
        self.map.remove(&k).ok_or_else(|| "no such key".to_owned())
    }
}

/// The last `N` numbers it was given: a const generic, with `#[actor]` on the struct.
#[actor]
struct Ring<const N: usize> {
    items: [u64; N],
    next: usize,
}

#[actor]
impl<const N: usize> Ring<N> {
    fn push(&mut self, item: u64) {
        self.items[self.next % N] = item;
        self.next += 1;
    }

    fn sum(&self) -> u64 {
        self.items.iter().sum()
    }

    fn capacity(&self) -> usize {
        N
    }
}

/// A generic actor whose bounds are in a `where` clause, and whose handlers name `Self`.
#[actor]
struct Latest<T> {
    value: Option<T>,
}

#[actor]
impl<T> Latest<T>
where
    T: Clone + Debug + Send + 'static,
{
    fn set(&mut self, value: T) -> Option<T> {
        self.value.replace(value)
    }

    fn describe(&self) -> String {
        format!("{:?}", self.value)
    }

    fn snapshot(&self) -> Self {
        Latest {
            value: self.value.clone(),
        }
    }
}

/// `#[actor]` on the block of one instantiation of a generic type.
struct Tally<T> {
    total: T,
}

impl Actor for Tally<u32> {}

#[actor]
impl Tally<u32> {
    fn add(&mut self, n: u32) -> u32 {
        self.total += n;
        self.total
    }
}

#[tokio::test]
async fn two_instantiations_of_one_generic_actor_run_side_by_side() {
    let system = System::new();
    let names = system
        .spawn("names", Cache::<String, u32>::new(Mailbox::default()))
        .await
        .unwrap();
    let blobs = system
        .spawn("blobs", Cache::<u64, Vec<u8>>::new(Mailbox::default()))
        .await
        .unwrap();

    names.put("one".to_owned(), 1).await.unwrap();
    names.put("two".to_owned(), 2).await.unwrap();
    blobs.put(7, vec![1, 2, 3]).await.unwrap();

    assert_eq!(names.get("two".to_owned()).await.unwrap(), Some(2));
    assert_eq!(names.get("three".to_owned()).await.unwrap(), None);
    assert_eq!(blobs.get(7).await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(names.len().await.unwrap(), 2);
    assert_eq!(blobs.len().await.unwrap(), 1);

    // A `Result` reply, asked and told.
    assert_eq!(names.remove("one".to_owned()).await.unwrap(), Ok(1));
    assert_eq!(
        names.remove("one".to_owned()).await.unwrap(),
        Err("no such key".to_owned())
    );

    // The messages, built by their constructors, are `Debug` and named after the handler.
    let msg = CacheMsg::<String, u32>::put("k".to_owned(), 3);
    assert_eq!(format!("{msg:?}"), "CacheMsg::Put");
    ActorRef::send(&names, msg).await.unwrap();
    assert_eq!(names.get("k".to_owned()).await.unwrap(), Some(3));

    system.shutdown().await;
}

#[tokio::test]
async fn lookup_by_path_needs_the_same_type_arguments() {
    let system = System::new();
    system
        .spawn("names", Cache::<String, u32>::new(Mailbox::default()))
        .await
        .unwrap();

    let found = system.lookup::<Cache<String, u32>>("/names").unwrap();
    found.put("x".to_owned(), 9).await.unwrap();
    assert_eq!(found.get("x".to_owned()).await.unwrap(), Some(9));

    assert!(system.lookup::<Cache<u64, Vec<u8>>>("/names").is_none());
    assert!(system.lookup::<Cache<String, u64>>("/names").is_none());
    let err = system.address::<Cache<u64, Vec<u8>>>("/names").unwrap_err();
    assert!(matches!(err, Error::WrongType { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("the actor at /names is a "), "{text}");
    assert!(text.contains("Cache<alloc::string::String, u32>"), "{text}");

    system.shutdown().await;
}

#[tokio::test]
async fn try_tell_on_a_full_mailbox_hands_the_generic_message_back() {
    let system = System::new();
    let cache = system
        .spawn("c", Cache::<String, u32>::new(Mailbox::bounded(1)))
        .await
        .unwrap();
    let (inside, gate) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    cache.hold(inside.clone(), gate.clone()).await.unwrap();
    inside.notified().await;
    // The actor is held: one message fills the mailbox.
    cache.put("a".to_owned(), 1).try_tell().unwrap();
    let err = cache.put("b".to_owned(), 2).try_tell().unwrap_err();
    assert!(matches!(err, Error::Full(_)), "{err:?}");
    let back: CacheMsg<String, u32> = err.undelivered().unwrap().take_message().unwrap();
    assert!(matches!(back, CacheMsg::Put { ref k, v: 2, .. } if k == "b"));
    gate.notify_one();
    assert_eq!(cache.len().await.unwrap(), 1);
    system.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_ask_to_a_generic_actor_times_out() {
    let system = System::new();
    let cache = system
        .spawn("c", Cache::<u64, Vec<u8>>::new(Mailbox::default()))
        .await
        .unwrap();
    let (inside, gate) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    cache.hold(inside, gate.clone()).await.unwrap();
    let err = cache
        .get(1)
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.to_string(), "/c did not reply within 1s");
    gate.notify_one();
    assert_eq!(cache.get(1).await.unwrap(), None);
    system.shutdown().await;
}

#[tokio::test]
async fn a_const_generic_actor_is_one_type_per_value() {
    let system = System::new();
    let three = system
        .spawn(
            "three",
            Ring::<3> {
                items: [0; 3],
                next: 0,
            },
        )
        .await
        .unwrap();
    let five = system
        .spawn(
            "five",
            Ring::<5> {
                items: [0; 5],
                next: 0,
            },
        )
        .await
        .unwrap();
    for i in 1..=5 {
        three.push(i).await.unwrap();
        five.push(i).await.unwrap();
    }
    assert_eq!(three.sum().await.unwrap(), 3 + 4 + 5);
    assert_eq!(five.sum().await.unwrap(), 15);
    assert_eq!(three.capacity().await.unwrap(), 3);
    assert_eq!(five.capacity().await.unwrap(), 5);
    assert!(system.lookup::<Ring<3>>("/three").is_some());
    assert!(matches!(
        system.address::<Ring<5>>("/three"),
        Err(Error::WrongType { .. })
    ));
    system.shutdown().await;
}

#[tokio::test]
async fn where_clauses_and_self_in_a_generic_block() {
    let system = System::new();
    let latest = system
        .spawn("latest", Latest::<String> { value: None })
        .await
        .unwrap();
    assert_eq!(latest.set("a".to_owned()).await.unwrap(), None);
    assert_eq!(
        latest.set("b".to_owned()).await.unwrap(),
        Some("a".to_owned())
    );
    assert_eq!(latest.describe().await.unwrap(), "Some(\"b\")");
    assert_eq!(latest.snapshot().await.unwrap().value.as_deref(), Some("b"));
    system.shutdown().await;
}

#[tokio::test]
async fn an_impl_block_for_one_instantiation() {
    let system = System::new();
    let tally = system.spawn("tally", Tally { total: 0u32 }).await.unwrap();
    assert_eq!(tally.add(2).await.unwrap(), 2);
    assert_eq!(tally.add(3).await.unwrap(), 5);
    let msg: TallyMsg = TallyMsg::add(1);
    assert_eq!(format!("{msg:?}"), "TallyMsg::Add");
    system.shutdown().await;
}
