//! Publish/subscribe in one process: a typed [`Topic`] that hands each published `T` to every
//! subscriber, an actor's handler (or an inbox) behind a [`Recipient<T>`]. A topic may also
//! carry a [`Bridge`] to other processes, which a layer above (Redis) sets up.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "redis")]
use std::sync::Weak;

use parking_lot::RwLock;
use tokio::sync::{Notify, mpsc};

use crate::error::Error;
use crate::inbox::Recipient;

/// A typed topic: publishers send a `T` to every subscriber, each a [`Recipient<T>`] (an
/// actor's handler, through [`ActorRef::recipient`](crate::ActorRef::recipient), or an
/// [`Inbox`](crate::Inbox)). Cheap to clone; every clone is the same topic.
///
/// - **Order**: each subscriber gets the messages of one publisher in the order published.
/// - **Back-pressure**: [`publish`](Self::publish) waits for room in each subscriber's
///   mailbox in turn, so a slow subscriber slows its publishers;
///   [`try_publish`](Self::try_publish) never waits and says which subscribers it skipped.
/// - **Dead subscribers drop out**: a subscriber whose actor has stopped (or whose inbox is
///   gone) is removed by the next publish that finds it so, and is not counted by
///   [`subscribers`](Self::subscribers) meanwhile.
///
/// Local to one process, unless it came from a Redis station (feature `redis`):
/// `RedisStation::topic` and `RedisStation::durable_topic` give topics whose messages also go to,
/// and come from, other processes, with this same API (see the guide's chapter on
/// publish/subscribe across processes).
///
/// # Examples
///
/// ```
/// use aplay::prelude::*;
///
/// #[actor]
/// #[derive(Default)]
/// struct Ticker { last: Option<u64> }
///
/// #[actor]
/// impl Ticker {
///     fn price(&mut self, cents: u64) { self.last = Some(cents); }
///     fn last(&self) -> Option<u64> { self.last }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let system = System::new();
/// let prices: Topic<u64> = Topic::new();
/// let a = system.spawn("a", Ticker::default()).await?;
/// let b = system.spawn("b", Ticker::default()).await?;
/// prices.subscribe(ActorRef::recipient(&a, TickerMsg::price));
/// prices.subscribe(ActorRef::recipient(&b, TickerMsg::price));
///
/// assert_eq!(prices.publish(1999).await, 2); // delivered to both
/// assert_eq!(a.last().await?, Some(1999));
/// assert_eq!(b.last().await?, Some(1999));
///
/// b.stop().await; // a stopped subscriber drops out
/// assert_eq!(prices.publish(2005).await, 1);
/// assert_eq!(prices.subscribers(), 1);
/// system.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Topic<T> {
    shared: Arc<Shared<T>>,
}

/// What every clone of a topic shares.
struct Shared<T> {
    /// Copied on subscribe (rare), read whole by a publish (one reference count).
    subscribers: RwLock<Arc<Vec<Recipient<T>>>>,
    /// Where published messages also go: other processes. `None` for a local topic.
    bridge: Option<Bridge<T>>,
}

/// A topic's way to other processes, set up by the layer that carries them (Redis): the
/// published messages are queued for it, and it hands the messages of other processes to the
/// local subscribers with [`WeakTopic::upgrade`] and [`Topic::publish_local`]. Dropped with
/// the last clone of the topic, which tells the carrier to stop (`on_drop`).
pub(crate) struct Bridge<T> {
    /// The queue of published messages on their way out (bounded: back-pressure).
    pub(crate) out: mpsc::Sender<T>,
    /// Whether a publish also hands the message to the local subscribers at once. `false`
    /// when they get it back through the carrier (a durable subscription, which may hand it
    /// to another process instead).
    pub(crate) deliver_local: bool,
    /// Notified on each subscribe: a carrier waiting for a first subscriber starts reading.
    pub(crate) subscribed: Arc<Notify>,
    /// Run once, when the last clone of the topic is dropped.
    pub(crate) on_drop: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl<T> Drop for Bridge<T> {
    fn drop(&mut self) {
        if let Some(on_drop) = self.on_drop.take() {
            on_drop();
        }
    }
}

/// A topic that does not keep it alive: what the tasks that carry a bridged topic hold.
#[cfg(feature = "redis")]
pub(crate) struct WeakTopic<T> {
    shared: Weak<Shared<T>>,
}

#[cfg(feature = "redis")]
impl<T> WeakTopic<T> {
    /// The topic, while a clone of it is alive.
    pub(crate) fn upgrade(&self) -> Option<Topic<T>> {
        self.shared.upgrade().map(|shared| Topic { shared })
    }
}

#[cfg(feature = "redis")]
impl<T> Clone for WeakTopic<T> {
    fn clone(&self) -> Self {
        WeakTopic {
            shared: Weak::clone(&self.shared),
        }
    }
}

/// What [`Topic::try_publish`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Published {
    /// Subscribers that got the message.
    pub delivered: usize,
    /// Subscribers whose mailbox was full: they did not get it.
    pub full: usize,
    /// Whether it went on its way to other processes: `true` for a topic from a Redis
    /// station whose queue toward Redis had room; `false` when that queue was full (no other
    /// process gets it), and for a local topic.
    pub forwarded: bool,
}

impl<T: Clone + Send + 'static> Topic<T> {
    /// A topic with no subscriber.
    pub fn new() -> Self {
        Self::with_bridge(None)
    }

    /// A topic whose messages also go through `bridge`.
    #[cfg(feature = "redis")]
    pub(crate) fn bridged(bridge: Bridge<T>) -> Self {
        Self::with_bridge(Some(bridge))
    }

    fn with_bridge(bridge: Option<Bridge<T>>) -> Self {
        Topic {
            shared: Arc::new(Shared {
                subscribers: RwLock::new(Arc::new(Vec::new())),
                bridge,
            }),
        }
    }

    /// This topic, without keeping it alive.
    #[cfg(feature = "redis")]
    pub(crate) fn downgrade(&self) -> WeakTopic<T> {
        WeakTopic {
            shared: Arc::downgrade(&self.shared),
        }
    }

    /// Adds `subscriber`: it gets every message published from now on, until its actor stops.
    ///
    /// See the example on [`Topic`].
    pub fn subscribe(&self, subscriber: Recipient<T>) {
        {
            let mut subscribers = self.shared.subscribers.write();
            let mut next = Vec::with_capacity(subscribers.len() + 1);
            next.extend(subscribers.iter().filter(|s| s.is_alive()).cloned());
            next.push(subscriber);
            *subscribers = Arc::new(next);
        }
        if let Some(bridge) = &self.shared.bridge {
            bridge.subscribed.notify_one();
        }
    }

    /// Removes every subscription that reaches the actor at `path`; how many there were.
    pub fn unsubscribe(&self, path: &crate::ActorPath) -> usize {
        let mut subscribers = self.shared.subscribers.write();
        let before = subscribers.len();
        let next: Vec<_> = subscribers
            .iter()
            .filter(|s| s.path() != Some(path))
            .cloned()
            .collect();
        let removed = before - next.len();
        *subscribers = Arc::new(next);
        removed
    }

    /// How many live subscribers it has.
    ///
    /// See the example on [`Topic`].
    pub fn subscribers(&self) -> usize {
        self.snapshot().iter().filter(|s| s.is_alive()).count()
    }

    /// Sends `msg` to every subscriber, waiting for room in each mailbox in turn; how many
    /// got it. Subscribers found stopped are dropped from the topic.
    ///
    /// A topic from a Redis station also queues `msg` for the other processes (waiting for
    /// room in that queue first): a fire-and-forget topic hands it to the local subscribers
    /// too, and counts them; a durable topic does not (they get it through their
    /// subscription, like every other process) and returns 0.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future part way leaves the subscribers not reached yet without the message.
    ///
    /// See the example on [`Topic`].
    pub async fn publish(&self, msg: T) -> usize {
        if let Some(bridge) = &self.shared.bridge {
            if !bridge.deliver_local {
                // A closed queue: the carrier is gone (its runtime shut down); nothing to do.
                let _ = bridge.out.send(msg).await;
                return 0;
            }
            let _ = bridge.out.send(msg.clone()).await;
        }
        self.publish_local(msg).await
    }

    /// Sends `msg` to the local subscribers only, as [`publish`](Self::publish) does.
    pub(crate) async fn publish_local(&self, msg: T) -> usize {
        let subscribers = self.snapshot();
        let mut delivered = 0;
        let mut dead = false;
        for subscriber in subscribers.iter() {
            match subscriber.tell(msg.clone()).await {
                Ok(()) => delivered += 1,
                Err(_) => dead = true,
            }
        }
        if dead {
            self.drop_dead();
        }
        delivered
    }

    /// Sends `msg` to every subscriber that has room now, never waiting; what it did.
    /// Subscribers found stopped are dropped from the topic.
    ///
    /// A topic from a Redis station also queues `msg` for the other processes when that queue
    /// has room ([`Published::forwarded`]); a durable topic only does that.
    pub fn try_publish(&self, msg: T) -> Published {
        let mut published = Published::default();
        if let Some(bridge) = &self.shared.bridge {
            if !bridge.deliver_local {
                published.forwarded = bridge.out.try_send(msg).is_ok();
                return published;
            }
            published.forwarded = bridge.out.try_send(msg.clone()).is_ok();
        }
        let subscribers = self.snapshot();
        let mut dead = false;
        for subscriber in subscribers.iter() {
            match subscriber.try_tell(msg.clone()) {
                Ok(()) => published.delivered += 1,
                Err(Error::Full(_)) => published.full += 1,
                Err(_) => dead = true,
            }
        }
        if dead {
            self.drop_dead();
        }
        published
    }

    fn snapshot(&self) -> Arc<Vec<Recipient<T>>> {
        Arc::clone(&self.shared.subscribers.read())
    }

    fn drop_dead(&self) {
        let mut subscribers = self.shared.subscribers.write();
        if subscribers.iter().any(|s| !s.is_alive()) {
            *subscribers = Arc::new(
                subscribers
                    .iter()
                    .filter(|s| s.is_alive())
                    .cloned()
                    .collect(),
            );
        }
    }
}

impl<T> Topic<T> {
    /// How many published messages wait in the queue toward other processes.
    #[cfg(feature = "redis")]
    pub(crate) fn queued_out(&self) -> usize {
        self.shared
            .bridge
            .as_ref()
            .map_or(0, |b| b.out.max_capacity() - b.out.capacity())
    }
}

impl<T: Clone + Send + 'static> Default for Topic<T> {
    fn default() -> Self {
        Topic::new()
    }
}

impl<T> Clone for Topic<T> {
    fn clone(&self) -> Self {
        Topic {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for Topic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topic")
            .field("subscribers", &self.shared.subscribers.read().len())
            .field("bridged", &self.shared.bridge.is_some())
            .finish()
    }
}
