//! Topics across processes: a [`Topic`] bridged to Redis, fire-and-forget on a Pub/Sub
//! channel or durable on a stream read by one consumer group per subscription.
//!
//! ```text
//!  publish ──queue──▶ forwarder ──PUBLISH / XADD (batched)──▶ Redis
//!     │ (fire-and-forget: local subscribers at once)              │
//!     ▼                                                           ▼
//!  local subscribers ◀──publish_local── listener (SUBSCRIBE) / consumer (XREADGROUP, XACK)
//! ```
//!
//! The forwarder runs while the topic lives (its queue's senders are in the topic); the
//! listener or consumer holds the topic weakly, and stops when the last clone is dropped or
//! on [`RedisTopic::stop`].

mod consume;
mod forward;
mod listen;

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::backoff::random_u64;
use super::conn::ensure_group_from;
use super::dead_letter::{self, DeadLetter};
use super::error::{RedisError, RedisErrorKind};
use super::permissions;
use super::shared::{OpenTopic, Station, TopicKey};
use crate::error::Error;
use crate::pubsub::{Bridge, Topic, WeakTopic};

/// A [`Topic`] whose messages cross processes through Redis, from
/// [`RedisStation::topic`](super::RedisStation::topic) (fire-and-forget, on a Pub/Sub
/// channel) or [`RedisStation::durable_topic`](super::RedisStation::durable_topic) (durable,
/// on a stream, one consumer group per subscription).
///
/// It dereferences to its [`Topic`]: [`subscribe`](Topic::subscribe),
/// [`publish`](Topic::publish), [`try_publish`](Topic::try_publish),
/// [`unsubscribe`](Topic::unsubscribe) and [`subscribers`](Topic::subscribers) read the same
/// as on a local topic, and [`topic`](Self::topic) gives the `Topic<T>` itself for code that
/// takes one (it publishes through Redis just the same). What is added here: how Redis is
/// doing ([`flushed`](Self::flushed), the counts), the dead letters of a durable
/// subscription, and [`stop`](Self::stop).
///
/// Cheap to clone; every clone (and every `Topic` from [`topic`](Self::topic)) is the same
/// topic. Opening the same topic (and subscription) again on the same station gives the same
/// topic too. It carries messages as long as one clone lives; the tasks behind it end with the
/// last one.
///
/// # Examples
///
/// ```no_run
/// use aplay::prelude::*;
/// use aplay_core::redis::RedisStation;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Debug, Serialize, Deserialize)]
/// struct Price { symbol: String, cents: u64 }
///
/// #[actor]
/// #[derive(Default)]
/// struct Board { last: Option<u64> }
///
/// #[actor]
/// impl Board {
///     fn price(&mut self, price: Price) { self.last = Some(price.cents); }
/// }
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Error> {
/// // In every process:
/// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
/// let system = System::new();
/// let prices = station.topic::<Price>("prices").await?;
/// let board = system.spawn("board", Board::default()).await?;
/// prices.subscribe(ActorRef::recipient(&board, BoardMsg::price));
///
/// // In any of them: the local board gets it at once, the other processes' boards through
/// // Redis.
/// prices.publish(Price { symbol: "ACME".into(), cents: 1999 }).await;
/// prices.flushed().await?; // Redis has it
/// # Ok(()) }
/// ```
pub struct RedisTopic<T> {
    topic: Topic<T>,
    shared: Arc<TopicShared>,
}

/// What the clones of a bridged topic and its tasks share.
pub(crate) struct TopicShared {
    pub(crate) station: Arc<Station>,
    pub(crate) name: String,
    /// The subscription (consumer group) of a durable topic; `None`: fire-and-forget.
    pub(crate) subscription: Option<String>,
    /// The channel (fire-and-forget) or the stream (durable).
    pub(crate) key: String,
    /// The dead-letter stream of a durable subscription.
    pub(crate) dead: Option<String>,
    /// This topic's mark on the messages it publishes on a channel, so that it does not hand
    /// its own messages to its subscribers a second time when they come back.
    pub(crate) origin: u64,
    /// Notified on each subscribe (a durable consumer waits for a first subscriber).
    pub(crate) subscribed: Arc<Notify>,
    pub(crate) received: AtomicU64,
    pub(crate) malformed: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    /// Messages taken from the queue and not yet in Redis (or refused).
    pub(crate) in_flight: AtomicUsize,
    /// Why the messages in flight are not in Redis yet, while they are held up.
    pub(crate) held_up_by: Mutex<Option<RedisError>>,
    pub(crate) flushes: mpsc::UnboundedSender<Flush>,
    /// Set to stop receiving (a [`RedisTopic::stop`], or the last clone dropped).
    pub(crate) stopping: watch::Sender<bool>,
    /// Set by the listener or consumer when it has ended.
    pub(crate) finished: watch::Sender<bool>,
}

/// A [`RedisTopic::flushed`] waiting for the forwarder: answered once every message queued
/// before it is in Redis or refused, with what was refused since the last answer.
pub(crate) type Flush = oneshot::Sender<Refusals>;

/// The messages Redis refused for good (or that could not be encoded), since a flush.
#[derive(Default)]
pub(crate) struct Refusals {
    pub(crate) count: u64,
    pub(crate) last: Option<RedisError>,
}

impl TopicShared {
    pub(crate) fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// The queue of published messages: as many as a remote ref queues.
    fn capacity(station: &Station) -> usize {
        station.config.remote_capacity
    }
}

/// A topic registered in a station: how to find it again. Weak both: the station must not
/// keep its topics alive (nor, through them, itself).
struct Registered<T> {
    topic: WeakTopic<T>,
    shared: Weak<TopicShared>,
}

impl<T> Registered<T> {
    fn upgrade(&self) -> Option<RedisTopic<T>> {
        let shared = self.shared.upgrade()?;
        if shared.is_stopping() {
            return None;
        }
        Some(RedisTopic {
            topic: self.topic.upgrade()?,
            shared,
        })
    }
}

impl<T: Send + 'static> OpenTopic for Registered<T> {
    fn is_open(&self) -> bool {
        self.upgrade().is_some()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The bounds of a topic's message type across processes.
pub(crate) trait Message: Serialize + DeserializeOwned + Clone + Send + 'static {}
impl<T: Serialize + DeserializeOwned + Clone + Send + 'static> Message for T {}

/// The topic `key` of `station` if it is open, `Err` if it is open with another type.
fn registered<T: Message>(
    station: &Station,
    key: &TopicKey,
) -> Result<Option<RedisTopic<T>>, Error> {
    let topics = station.topics.lock();
    let Some(open) = topics.get(key).filter(|open| open.is_open()) else {
        return Ok(None);
    };
    match open.as_any().downcast_ref::<Registered<T>>() {
        Some(found) => Ok(found.upgrade()),
        None => Err(RedisError::new(
            RedisErrorKind::Config,
            format!(
                "the topic `{}` is open in this station with another message type than {}",
                key.0,
                std::any::type_name::<T>()
            ),
        )
        .into()),
    }
}

fn check_name(name: &str, what: &'static str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::InvalidName {
            name: name.to_owned(),
            reason: what,
        });
    }
    Ok(())
}

/// A new bridged topic and what its tasks share (nothing spawned yet).
fn bridge<T: Message>(
    station: &Arc<Station>,
    name: &str,
    subscription: Option<&str>,
) -> (
    Topic<T>,
    Arc<TopicShared>,
    mpsc::Receiver<T>,
    mpsc::UnboundedReceiver<Flush>,
) {
    let (out, queue) = mpsc::channel(TopicShared::capacity(station));
    let (flushes, flush_requests) = mpsc::unbounded_channel();
    let subscribed = Arc::new(Notify::new());
    let shared = Arc::new(TopicShared {
        station: Arc::clone(station),
        name: name.to_owned(),
        subscription: subscription.map(str::to_owned),
        key: station.keys.topic(name),
        dead: subscription.map(|s| station.keys.topic_dead(name, s)),
        origin: random_u64(),
        subscribed: Arc::clone(&subscribed),
        received: AtomicU64::new(0),
        malformed: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        reconnects: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
        held_up_by: Mutex::new(None),
        flushes,
        stopping: watch::Sender::new(false),
        finished: watch::Sender::new(false),
    });
    let stopping = shared.stopping.clone();
    let topic = Topic::bridged(Bridge {
        out,
        deliver_local: subscription.is_none(),
        subscribed,
        on_drop: Some(Box::new(move || {
            stopping.send_replace(true);
        })),
    });
    (topic, shared, queue, flush_requests)
}

/// Registers `topic` under `key` in its station (dropping the entries of topics gone).
fn register<T: Message>(key: TopicKey, topic: &RedisTopic<T>) {
    let mut topics = topic.shared.station.topics.lock();
    topics.retain(|_, open| open.is_open());
    topics.insert(
        key,
        Box::new(Registered {
            topic: topic.topic.downgrade(),
            shared: Arc::downgrade(&topic.shared),
        }),
    );
}

/// [`RedisStation::topic`](super::RedisStation::topic).
pub(crate) async fn open_topic<T: Message>(
    station: Arc<Station>,
    name: &str,
) -> Result<RedisTopic<T>, Error> {
    check_name(name, "a topic needs a name")?;
    let key = (name.to_owned(), None);
    if let Some(open) = registered::<T>(&station, &key)? {
        return Ok(open);
    }
    let mut conn = station.connections.shared();
    permissions::check_topic(&mut conn, &station.keys, name, false).await?;
    // Subscribed before this returns: every message published from now on comes.
    let mut pubsub = station.connections.pubsub().await?;
    pubsub
        .subscribe(station.keys.topic(name))
        .await
        .map_err(RedisError::from_client)?;
    let (topic, shared, queue, flush_requests) = bridge::<T>(&station, name, None);
    tokio::spawn(forward::run::<T>(
        Arc::clone(&shared),
        queue,
        flush_requests,
    ));
    tokio::spawn(listen::run(topic.downgrade(), Arc::clone(&shared), pubsub));
    let topic = RedisTopic { topic, shared };
    register(key, &topic);
    Ok(topic)
}

/// [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
pub(crate) async fn open_durable_topic<T: Message>(
    station: Arc<Station>,
    name: &str,
    subscription: &str,
) -> Result<RedisTopic<T>, Error> {
    check_name(name, "a topic needs a name")?;
    check_name(subscription, "a durable topic's subscription needs a name")?;
    let key = (name.to_owned(), Some(subscription.to_owned()));
    if let Some(open) = registered::<T>(&station, &key)? {
        return Ok(open);
    }
    let mut conn = station.connections.shared();
    permissions::check_topic(&mut conn, &station.keys, name, true).await?;
    // A new subscription gets what is published from now on.
    ensure_group_from(&mut conn, &station.keys.topic(name), subscription, "$").await?;
    let (topic, shared, queue, flush_requests) = bridge::<T>(&station, name, Some(subscription));
    tokio::spawn(forward::run::<T>(
        Arc::clone(&shared),
        queue,
        flush_requests,
    ));
    tokio::spawn(consume::run(topic.downgrade(), Arc::clone(&shared)));
    let topic = RedisTopic { topic, shared };
    register(key, &topic);
    Ok(topic)
}

impl<T> RedisTopic<T> {
    /// The topic itself, for code that takes a [`Topic<T>`]: it publishes through Redis and
    /// receives from it just as this handle does.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn topic(&self) -> Topic<T> {
        self.topic.clone()
    }

    /// Waits until Redis has every message published through this topic before the call
    /// (on the channel, or in the stream), or [`flush_timeout`](super::StationConfig::flush_timeout)
    /// passed.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when some were refused for good since the last call (the stream key
    /// holds another type of value, the ACL user may not publish, a message does not encode:
    /// they are dropped, and counted in [`refused`](Self::refused)), or, of kind
    /// [`Connection`](RedisErrorKind::Connection) or
    /// [`Unavailable`](RedisErrorKind::Unavailable), when the time ran out while Redis could
    /// not take them (they stay queued and go on being retried).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the messages go on their way whether it is awaited or not.
    ///
    /// See the example on [`RedisTopic`].
    pub async fn flushed(&self) -> Result<(), Error> {
        self.flushed_within(self.shared.station.config.flush_timeout)
            .await
    }

    /// [`flushed`](Self::flushed), waiting at most `limit` ([`Duration::MAX`]: as long as it
    /// takes).
    ///
    /// # Errors
    ///
    /// As [`flushed`](Self::flushed).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub async fn flushed_within(&self, limit: Duration) -> Result<(), Error> {
        let (done, answer) = oneshot::channel();
        if self.shared.flushes.send(done).is_err() {
            return Err(closed());
        }
        let answered = if limit >= super::config::LONGEST {
            Ok(answer.await)
        } else {
            tokio::time::timeout(limit, answer).await
        };
        match answered {
            Ok(Ok(refusals)) => match refusals.last {
                None => Ok(()),
                Some(last) => Err(RedisError::new(
                    last.kind(),
                    format!(
                        "{} message(s) published on the topic `{}` were refused for good and dropped; the last: {}",
                        refusals.count,
                        self.shared.name,
                        last.message()
                    ),
                )
                .into()),
            },
            Ok(Err(_)) => Err(closed()),
            Err(_) => {
                let waiting =
                    self.shared.in_flight.load(Ordering::Acquire) + self.topic.queued_out();
                let why = self.shared.held_up_by.lock().clone();
                let (kind, reason) = match why {
                    Some(error) => (error.kind(), error.message().to_owned()),
                    None => (RedisErrorKind::Connection, "no answer from Redis".to_owned()),
                };
                Err(RedisError::new(
                    kind,
                    format!(
                        "{waiting} message(s) published on the topic `{}` are not in Redis after {limit:?} (still retried): {reason}",
                        self.shared.name
                    ),
                )
                .into())
            }
        }
    }
}

impl<T> RedisTopic<T> {
    /// The topic's name.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The subscription of a durable topic; `None` for a fire-and-forget one.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn subscription(&self) -> Option<&str> {
        self.shared.subscription.as_deref()
    }

    /// Whether it is durable (from [`RedisStation::durable_topic`](super::RedisStation::durable_topic)).
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn is_durable(&self) -> bool {
        self.shared.subscription.is_some()
    }

    /// How many messages came from Redis and were handed to the local subscribers (a
    /// fire-and-forget topic: those published by other processes; a durable one: every
    /// message of the subscription that this process took, its own included).
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn received(&self) -> u64 {
        self.shared.received.load(Ordering::Relaxed)
    }

    /// How many messages from Redis did not decode as a `T` (garbage, another type, another
    /// format version): skipped (fire-and-forget) or moved to the subscription's dead letters
    /// (durable), each with a `warn` log line.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn malformed(&self) -> u64 {
        self.shared.malformed.load(Ordering::Relaxed)
    }

    /// How many published messages Redis refused for good (or that did not encode): they
    /// were dropped, each with an `error` log line, and [`flushed`](RedisTopic::flushed)
    /// reports them.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::Relaxed)
    }

    /// How many times the connection that receives was lost and made again (a Redis restart,
    /// a network cut): a fire-and-forget topic misses what was published meanwhile.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub fn reconnects(&self) -> u64 {
        self.shared.reconnects.load(Ordering::Relaxed)
    }

    /// Stops receiving from Redis in this process: a fire-and-forget topic unsubscribes; a
    /// durable one reads nothing more, hands over and acknowledges what it had read, and leaves
    /// the rest of its subscription's messages to its other processes, or to the next time the
    /// subscription is opened. Publishing still works. Returns once receiving has ended.
    /// Opening the topic again on the station gives a new one that receives.
    ///
    /// # Cancel safety
    ///
    /// The stop is requested before the first `.await`; it goes on if the future is dropped.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub async fn stop(&self) {
        self.shared.stopping.send_replace(true);
        let mut finished = self.shared.finished.subscribe();
        let _ = finished.wait_for(|done| *done).await;
    }

    /// Up to `count` of the oldest dead letters of a durable subscription: the entries it
    /// could not decode, each with why (empty for a fire-and-forget topic).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    ///
    /// See the example on [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    pub async fn dead_letters(&self, count: usize) -> Result<Vec<DeadLetter>, Error> {
        let Some(dead) = &self.shared.dead else {
            return Ok(Vec::new());
        };
        let mut conn = self.shared.station.connections.shared();
        dead_letter::oldest(&mut conn, dead, count).await
    }
}

fn closed() -> Error {
    RedisError::new(RedisErrorKind::Closed, "the topic's forwarder has ended").into()
}

impl<T> Deref for RedisTopic<T> {
    type Target = Topic<T>;

    fn deref(&self) -> &Topic<T> {
        &self.topic
    }
}

impl<T> Clone for RedisTopic<T> {
    fn clone(&self) -> Self {
        RedisTopic {
            topic: self.topic.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for RedisTopic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTopic")
            .field("name", &self.shared.name)
            .field("subscription", &self.shared.subscription)
            .field("received", &self.received())
            .field("malformed", &self.malformed())
            .finish()
    }
}
