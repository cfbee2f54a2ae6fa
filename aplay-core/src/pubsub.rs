//! Publish/subscribe in one process: a typed [`Topic`] that hands each published `T` to every
//! subscriber, an actor's handler (or an inbox) behind a [`Recipient<T>`].

use std::fmt;
use std::sync::Arc;

use parking_lot::RwLock;

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
/// Local to one process: across processes, a served actor's Redis mailbox is the way.
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
    /// Copied on subscribe (rare), read whole by a publish (one reference count).
    subscribers: Arc<RwLock<Arc<Vec<Recipient<T>>>>>,
}

/// What [`Topic::try_publish`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Published {
    /// Subscribers that got the message.
    pub delivered: usize,
    /// Subscribers whose mailbox was full: they did not get it.
    pub full: usize,
}

impl<T: Clone + Send + 'static> Topic<T> {
    /// A topic with no subscriber.
    pub fn new() -> Self {
        Topic {
            subscribers: Arc::new(RwLock::new(Arc::new(Vec::new()))),
        }
    }

    /// Adds `subscriber`: it gets every message published from now on, until its actor stops.
    ///
    /// See the example on [`Topic`].
    pub fn subscribe(&self, subscriber: Recipient<T>) {
        let mut subscribers = self.subscribers.write();
        let mut next = Vec::with_capacity(subscribers.len() + 1);
        next.extend(subscribers.iter().filter(|s| s.is_alive()).cloned());
        next.push(subscriber);
        *subscribers = Arc::new(next);
    }

    /// Removes every subscription that reaches the actor at `path`; how many there were.
    pub fn unsubscribe(&self, path: &crate::ActorPath) -> usize {
        let mut subscribers = self.subscribers.write();
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
    /// # Cancel safety
    ///
    /// Dropping the future part way leaves the subscribers not reached yet without the message.
    ///
    /// See the example on [`Topic`].
    pub async fn publish(&self, msg: T) -> usize {
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
    pub fn try_publish(&self, msg: T) -> Published {
        let subscribers = self.snapshot();
        let mut published = Published::default();
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
        Arc::clone(&self.subscribers.read())
    }

    fn drop_dead(&self) {
        let mut subscribers = self.subscribers.write();
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

impl<T: Clone + Send + 'static> Default for Topic<T> {
    fn default() -> Self {
        Topic::new()
    }
}

impl<T> Clone for Topic<T> {
    fn clone(&self) -> Self {
        Topic {
            subscribers: Arc::clone(&self.subscribers),
        }
    }
}

impl<T> fmt::Debug for Topic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topic")
            .field("subscribers", &self.subscribers.read().len())
            .finish()
    }
}
