//! `RedisStation`: aplay's mail station on Redis.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config::StationConfig;
use super::conn::{Connections, query};
use super::consumer::ConsumerName;
use super::entry::string;
use super::error::RedisError;
#[allow(unused_imports)] // for the docs' links
use super::error::RedisErrorKind;
use super::keys::Keys;
use super::permissions;
use super::remote::{RemoteRef, remote_ref};
use super::replies::Replies;
use super::serve::{Serving, serve};
use super::shared::Station;
use super::topic::{RedisTopic, open_durable_topic, open_topic};
use crate::error::Error;
use crate::path::ActorPath;
use crate::system::System;
use crate::wire::Wire;

/// A mail station on Redis: actors served from durable mailboxes (Redis streams), and refs to
/// actors served by other processes.
///
/// - [`serve`](Self::serve) runs an actor in this process on the mailbox stream of its path:
///   messages sent to that path from anywhere reach it, survive a crash of this process, and
///   are acknowledged only once handled. Several processes serving one path share its
///   messages: a worker pool.
/// - [`lookup`](Self::lookup) and [`remote`](Self::remote) give a [`RemoteRef`] with the
///   same generated methods as a local `ActorRef`: tells append to the stream, asks get their
///   reply back on this process's reply stream.
///
/// Cheap to clone; every clone is the same station (one shared connection, one reply
/// stream). See the guide's chapter on Redis for the guarantees.
///
/// # Examples
///
/// ```no_run
/// use aplay_core::redis::RedisStation;
///
/// # async fn f() -> Result<(), aplay_core::Error> {
/// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
/// println!("this process is {}", station.consumer());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStation {
    pub(super) inner: Arc<Station>,
}

impl RedisStation {
    /// Connects with the default [`StationConfig`].
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when the URL is not usable, the server cannot be reached (kind
    /// [`Connection`](RedisErrorKind::Connection)) or cannot take commands now
    /// ([`Unavailable`](RedisErrorKind::Unavailable): loading, say), or when the password is
    /// wrong or the ACL user may not run what a station needs on its namespace's keys
    /// ([`Permission`](RedisErrorKind::Permission), naming the commands).
    ///
    /// See the example on [`RedisStation`], and [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future drops the connection being opened.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_with(url, StationConfig::default()).await
    }

    /// Connects with `config`. `url` is a Redis URL: `redis://host:port/db`,
    /// `redis://:password@host`, `redis+unix:///path/to/socket`.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when the URL is not usable, the server cannot be reached (kind
    /// [`Connection`](RedisErrorKind::Connection)) or cannot take commands now
    /// ([`Unavailable`](RedisErrorKind::Unavailable): loading, say), or when the password is
    /// wrong or the ACL user may not run what a station needs on its namespace's keys
    /// ([`Permission`](RedisErrorKind::Permission), naming the commands).
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future drops the connection being opened (the stale reply stream it may have deleted was not this process's anyway).
    pub async fn connect_with(url: &str, config: StationConfig) -> Result<Self, Error> {
        let connections = Connections::open(url, &config).await?;
        let keys = Keys::new(&config.namespace);
        Self::start(connections, keys, config).await
    }

    /// Connects to a **Redis Cluster** through any of `nodes` (`["redis://10.0.0.1:7000",
    /// ...]`; the station learns the others from them), with `config`. Everything a station
    /// does works the same on a cluster, but fire-and-forget topics (Pub/Sub; durable topics
    /// work), and TLS.
    ///
    /// Every key of a path carries the path as a hash tag (`aplay:mailbox:{/jobs}`), so each
    /// script and pipeline of a path runs on the node that holds its slot, and different paths
    /// spread over the nodes. The connection follows `MOVED` and `ASK` redirections and the
    /// failover of a master to its replica; while the cluster is reconfiguring (`TRYAGAIN`,
    /// `CLUSTERDOWN`), commands are retried as for any Redis fault. What a master had not
    /// yet passed on to its replica when it died is lost with it (Redis replicates
    /// asynchronously): keep `appendonly yes` on every node and fail over with
    /// `CLUSTER FAILOVER` (which waits for the replica to catch up) when you can.
    ///
    /// # Errors
    ///
    /// As [`connect_with`](Self::connect_with); kind
    /// [`Config`](RedisErrorKind::Config) for `rediss://` nodes (not supported yet).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::{RedisStation, StationConfig};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let nodes = ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000", "redis://10.0.0.3:7000"];
    /// let station = RedisStation::connect_cluster(&nodes, StationConfig::default()).await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// counter.enqueue(counter.add(1)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future drops the connections being opened.
    pub async fn connect_cluster(nodes: &[&str], config: StationConfig) -> Result<Self, Error> {
        let connections = Connections::open_cluster(nodes, &config).await?;
        let keys = Keys::for_cluster(&config.namespace);
        Self::start(connections, keys, config).await
    }

    /// The station on `connections`, once the user's permissions are checked.
    async fn start(
        connections: Connections,
        keys: Keys,
        config: StationConfig,
    ) -> Result<Self, Error> {
        let consumer = ConsumerName::choose(config.consumer.as_deref(), &config.namespace);
        let replies = Arc::new(Replies::new(keys.reply(&consumer.name)));
        let mut shared = connections.shared();
        permissions::check(&mut shared, &keys, &consumer.name).await?;
        // Replies left by an earlier process of the same consumer name are not ours.
        query(&mut shared, redis::cmd("DEL").arg(&replies.key)).await?;
        Ok(RedisStation {
            inner: Arc::new(Station::new(config, consumer, keys, connections, replies)),
        })
    }

    /// Its configuration.
    ///
    /// See the example on [`StationConfig`].
    pub fn config(&self) -> &StationConfig {
        &self.inner.config
    }

    /// This station's consumer name: the one set with [`StationConfig::consumer`], or the one
    /// chosen at connect (the same for the same worker across restarts; see there).
    ///
    /// See the example on [`RedisStation`].
    pub fn consumer(&self) -> &str {
        &self.inner.consumer.name
    }

    /// Serves an actor from the durable mailbox of `path` (`"/jobs"`): spawns an instance
    /// from `factory` at that path in `system`, and hands it every message appended to the
    /// path's stream, acknowledging each once its handler returned (with back-pressure: at
    /// most twice [`read_batch`](StationConfig::read_batch) messages in hand).
    ///
    /// - A handler that panics ends the instance; a fresh one from `factory` takes its place
    ///   and the failed message is delivered again.
    /// - A handler that fails (`Err`, a panic) is not acknowledged: its message is delivered
    ///   again, after a delay, up to [`max_deliveries`](StationConfig::max_deliveries) times;
    ///   then it goes to the dead-letter stream. The messages behind it go on meanwhile.
    /// - Messages that do not decode (garbage, another format version, another program's
    ///   entries) go to the dead-letter stream at once.
    /// - Entries this consumer had read before a restart come first; entries left too long at
    ///   another (dead) consumer are taken over.
    ///
    /// The path is registered in the station's address book, so [`lookup`](Self::lookup)
    /// finds it from any process. Serving goes on until [`Serving::stop`], or until the
    /// actor stops for another reason than a failure (a system shutdown, a person's stop).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] for a path that is not one name under `/`; [`Error::Redis`] when
    /// Redis cannot be reached; the errors of [`System::spawn`] for the first instance.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::System;
    /// use aplay_core::redis::{RedisStation, StationConfig};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// // Needs a Redis server. The worker process:
    /// let system = System::new();
    /// let station = RedisStation::connect_with(
    ///     "redis://127.0.0.1:6379",
    ///     StationConfig::default().namespace("shop"),
    /// ).await?;
    /// let serving = station.serve(&system, "/counter", Counter::default).await?;
    /// assert_eq!(serving.path(), "/counter");
    ///
    /// // Any process, this one included:
    /// let counter = station.lookup::<Counter>("/counter").await?;
    /// counter.add(2).await?;                 // appended to the stream `shop:mailbox:/counter`
    /// assert!(counter.get().await? >= 2);    // handled by some worker; the reply comes back
    /// let backlog = station.backlog("/counter").await?;
    /// println!("{} unread, {} in hand", backlog.unread, backlog.pending);
    /// for letter in station.dead_letters("/counter", 10).await? {
    ///     println!("{} failed {} times: {}", letter.entry_id(), letter.deliveries(), letter.error());
    ///     station.replay_dead_letter("/counter", letter.id()).await?;
    /// }
    ///
    /// serving.stop().await;
    /// println!("handled {}, dead-lettered {}", serving.handled(), serving.dead_lettered());
    /// system.shutdown().await;
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe once started: dropped after the path was registered and before the first instance was spawned, the path stays in the address book with nothing serving it here (messages sent to it wait in the stream); dropped after the spawn, the actor runs at the path in `system` without being fed. Await it to the end.
    pub async fn serve<A, F>(
        &self,
        system: &System,
        path: &str,
        factory: F,
    ) -> Result<Serving<A>, Error>
    where
        A: Wire,
        F: Fn() -> A + Send + Sync + 'static,
    {
        serve(Arc::clone(&self.inner), system, path, factory).await
    }

    /// A ref to the actor of type `A` served at `path`, after checking the address book.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when nothing ever served `path`, [`Error::WrongType`] when an
    /// actor of another type does, [`Error::InvalidName`] for a malformed path,
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads the address book.
    pub async fn lookup<A: Wire>(&self, path: &str) -> Result<RemoteRef<A>, Error> {
        let parsed = ActorPath::parse(path)?;
        let mut conn = self.inner.connections.shared();
        let mut hget = redis::cmd("HGET");
        hget.arg(self.inner.keys.addresses()).arg(path);
        let found = query(&mut conn, &hget).await?;
        if found == redis::Value::Nil {
            return Err(Error::NotFound {
                path: path.to_owned(),
            });
        }
        let actual = string(found)?;
        let expected = std::any::type_name::<A>();
        if actual != expected {
            return Err(Error::WrongType {
                path: parsed,
                expected,
                actual: intern(&actual),
            });
        }
        self.remote(path)
    }

    /// A ref to the actor of type `A` at `path`, without checking that anything serves it:
    /// a producer may send before the first worker starts; the messages wait in the stream.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] for a malformed path.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (it spawns the task that forwards its messages).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::RedisStation;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// // A producer: it sends before any worker runs; the messages wait in the stream.
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// for n in 0..100 {
    ///     counter.add(n).await?;
    /// }
    /// counter.flushed().await?; // all 100 are in Redis
    /// assert_eq!(station.pending_replies(), 0);
    /// assert_eq!(station.late_replies(), 0);
    /// # Ok(()) }
    /// ```
    pub fn remote<A: Wire>(&self, path: &str) -> Result<RemoteRef<A>, Error> {
        let path = ActorPath::parse(path)?;
        self.inner.ensure_reply_reader();
        Ok(remote_ref(Arc::clone(&self.inner), path))
    }

    /// A fire-and-forget [`Topic`](crate::Topic) shared by every process of this namespace,
    /// on the Redis Pub/Sub channel `{namespace}:topic:{name}`.
    ///
    /// A [`publish`](crate::Topic::publish) hands the message to this process's subscribers at
    /// once, as a local topic does, and queues it for Redis (`PUBLISH`, pipelined, in the
    /// order published); the topic of every other process subscribed to the channel hands it
    /// to its own subscribers. Each process gets each message once: this topic does not hand
    /// its own messages to its subscribers again when they come back from Redis.
    ///
    /// **Fire-and-forget**: a process gets the messages published while it is subscribed,
    /// which it is from the return of this call until the topic is dropped or
    /// [`stop`](RedisTopic::stop)ped. Messages published while its connection is down (a
    /// Redis restart: it subscribes again by itself, with back-off), before it subscribed, or
    /// after, are missed; Redis keeps nothing. For messages that must not be missed, use
    /// [`durable_topic`](Self::durable_topic). A message from Redis that does not decode as a
    /// `T` is skipped, with a `warn` log line (counted in [`RedisTopic::malformed`]).
    ///
    /// Opening the same topic again on this station gives the same topic (one subscription).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] for an empty name; [`Error::Redis`] when Redis cannot be reached,
    /// when the ACL user may not `PUBLISH` or `SUBSCRIBE` on the channel (kind
    /// [`Permission`](RedisErrorKind::Permission)), or when the topic is open on this station
    /// with another message type.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (it spawns the tasks that carry the topic's messages).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::RedisStation;
    /// use aplay_core::{Inbox, Topic};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// // Two processes (here two stations, each with its own connections).
    /// let here = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let there = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let ticks_here = here.topic::<u64>("ticks").await?;
    /// let ticks_there = there.topic::<u64>("ticks").await?;
    /// let mut heard_here: Inbox<u64> = Inbox::new();
    /// let mut heard_there: Inbox<u64> = Inbox::new();
    /// ticks_here.subscribe(heard_here.recipient());
    /// ticks_there.subscribe(heard_there.recipient());
    ///
    /// assert_eq!(ticks_here.publish(7).await, 1); // the local subscriber, at once
    /// assert_eq!(heard_here.recv().await, 7);
    /// assert_eq!(heard_there.recv().await, 7);   // the other process's, through Redis
    ///
    /// // Code that takes a `Topic<u64>` publishes through Redis just the same.
    /// let topic: Topic<u64> = ticks_there.topic();
    /// topic.publish(8).await;
    /// assert_eq!(heard_here.recv().await, 8);
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropped before it returns, nothing is subscribed.
    pub async fn topic<T>(&self, name: &str) -> Result<RedisTopic<T>, Error>
    where
        T: Serialize + DeserializeOwned + Clone + Send + 'static,
    {
        open_topic(Arc::clone(&self.inner), name).await
    }

    /// A durable [`Topic`](crate::Topic) on the Redis stream `{namespace}:topic:{name}`, read
    /// by this process as part of the subscription `subscription` (a consumer group of the
    /// stream, created with this call if it is new).
    ///
    /// - **Every subscription gets every message**, and each message of a subscription goes
    ///   to one of its processes (they share the work, like a worker pool): run one
    ///   subscription per service (`"billing"`, `"shipping"`), as many processes of each as
    ///   needed.
    /// - [`publish`](crate::Topic::publish) appends to the stream (queued here, appended in
    ///   batches, in the order published, each batch at most once; it returns 0: this
    ///   process's subscribers get the message through their subscription, like every other
    ///   process's). [`RedisTopic::flushed`] waits until Redis has it. The stream keeps about
    ///   [`topic_max_len`](super::StationConfig::topic_max_len) entries.
    /// - **Delivered** means handed to the mailbox of every local subscriber (waiting for
    ///   room: back-pressure), not handled: each entry read is handed over, then acknowledged
    ///   (`XACK`). So a message is **at least once in a mailbox** for each subscription: one
    ///   read but not acknowledged when its process died is delivered again (to another
    ///   process of the subscription after [`claim_idle`](super::StationConfig::claim_idle),
    ///   to the same consumer name at its next start), and one in a mailbox when its process
    ///   dies is not handled there. Handlers that must not miss a message keep their own
    ///   record, or are served actors ([`serve`](Self::serve)), acknowledged after handling.
    /// - A new subscription gets the messages published **from its creation**; those
    ///   published while all its processes are down wait in the stream (as long as it keeps
    ///   them) and are delivered when one comes back. Create the subscriptions before the
    ///   first publish (a process that only publishes may open the topic with each
    ///   subscription it needs: a topic without local subscribers reads nothing).
    /// - This process reads only while the topic has a local subscriber: one that only
    ///   publishes leaves the subscription's messages to the others.
    /// - An entry that does not decode as a `T` goes to the subscription's dead letters,
    ///   `{namespace}:topic-dead:{name}:{subscription}`, with why
    ///   ([`RedisTopic::dead_letters`]); the messages behind it go on. A Redis fault is waited
    ///   out with back-off, and reading goes on where it was.
    ///
    /// Opening the same topic and subscription again on this station gives the same topic.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] for an empty name or subscription; [`Error::Redis`] when Redis
    /// cannot be reached, when the ACL user may not use the stream (kind
    /// [`Permission`](RedisErrorKind::Permission)), or when the topic and subscription are
    /// open on this station with another message type.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (it spawns the tasks that carry the topic's messages).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::RedisStation;
    /// use aplay_core::Inbox;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// // The billing service: its subscription is created here, if it is new.
    /// let billing = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let orders = billing.durable_topic::<String>("orders", "billing").await?;
    /// assert_eq!((orders.name(), orders.subscription()), ("orders", Some("billing")));
    /// assert!(orders.is_durable());
    /// let mut invoices: Inbox<String> = Inbox::new();
    /// orders.subscribe(invoices.recipient());
    ///
    /// // The shop, another process: it publishes.
    /// let shop = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let new_orders = shop.durable_topic::<String>("orders", "billing").await?;
    /// new_orders.publish("order 1".to_owned()).await;
    /// new_orders.flushed().await?; // in the stream: billing gets it, running or not
    /// new_orders.flushed_within(std::time::Duration::from_secs(1)).await?;
    ///
    /// assert_eq!(invoices.recv().await, "order 1");
    /// println!(
    ///     "{} received, {} malformed; {} refused; {} reconnects",
    ///     orders.received(), orders.malformed(), new_orders.refused(), orders.reconnects()
    /// );
    /// for letter in orders.dead_letters(10).await? {
    ///     println!("{} did not decode: {}", letter.entry_id(), letter.error());
    /// }
    /// orders.stop().await; // billing reads nothing more here; the rest waits for it
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropped before it returns, at most the subscription's consumer group was
    /// created (as the call would have).
    pub async fn durable_topic<T>(
        &self,
        name: &str,
        subscription: &str,
    ) -> Result<RedisTopic<T>, Error>
    where
        T: Serialize + DeserializeOwned + Clone + Send + 'static,
    {
        open_durable_topic(Arc::clone(&self.inner), name, subscription).await
    }

    /// How many remote asks of this process wait for their reply. An ask that timed out or
    /// was dropped is forgotten when its late reply comes, or within about a second.
    ///
    /// See the example on [`remote`](Self::remote).
    pub fn pending_replies(&self) -> usize {
        self.inner.replies.len()
    }

    /// How many replies came after their asker had stopped waiting, and were dropped.
    ///
    /// See the example on [`remote`](Self::remote).
    pub fn late_replies(&self) -> u64 {
        self.inner.replies.discarded()
    }

    /// Deletes every key of this station's namespace (mailboxes, dead letters, reply streams,
    /// the address book). For tests and tools; never while actors are served.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::{RedisStation, StationConfig};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// // A test's own namespace, removed at the end.
    /// let config = StationConfig::default().namespace(format!("test-{}", std::process::id()));
    /// let station = RedisStation::connect_with("redis://127.0.0.1:6379", config).await?;
    /// // ... the test ...
    /// station.purge_namespace().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropped midway, some keys are deleted and others not; call it again to finish.
    pub async fn purge_namespace(&self) -> Result<(), Error> {
        let mut conn = self.inner.connections.shared();
        let pattern = format!("{}:*", self.inner.config.namespace);
        if conn.is_cluster() {
            // `KEYS` goes to every master (a `SCAN` would see one node); each `DEL` to its
            // key's node.
            let reply = query(&mut conn, redis::cmd("KEYS").arg(&pattern)).await?;
            let keys = match reply {
                redis::Value::Array(keys) | redis::Value::Set(keys) => keys,
                _ => Vec::new(),
            };
            for key in keys {
                query(&mut conn, redis::cmd("DEL").arg(string(key)?)).await?;
            }
            return Ok(());
        }
        let mut cursor = "0".to_owned();
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(&cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500);
            let reply = query(&mut conn, &scan).await?;
            let (next, keys) = scan_reply(reply)?;
            if !keys.is_empty() {
                let mut del = redis::cmd("DEL");
                del.arg(&keys);
                query(&mut conn, &del).await?;
            }
            if next == "0" {
                return Ok(());
            }
            cursor = next;
        }
    }
}

fn scan_reply(reply: redis::Value) -> Result<(String, Vec<String>), RedisError> {
    let redis::Value::Array(mut parts) = reply else {
        return Err(RedisError::reply("SCAN did not return a list"));
    };
    if parts.len() != 2 {
        return Err(RedisError::reply("SCAN did not return two parts"));
    }
    let keys = parts.pop().unwrap_or_default();
    let next = string(parts.pop().unwrap_or_default())?;
    let keys = match keys {
        redis::Value::Array(keys) => keys
            .into_iter()
            .map(string)
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(RedisError::reply("SCAN did not return a key list")),
    };
    Ok((next, keys))
}

/// A type name read from Redis, kept for the life of the process so that
/// [`Error::WrongType`] can hold it. At most 64 distinct names are kept; past that (a sign of
/// a confused address book), the name is reported as "another actor type".
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock();
    if let Some(known) = names.get(name) {
        return known;
    }
    if names.len() >= 64 || name.len() > 256 {
        return "another actor type";
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

impl fmt::Debug for RedisStation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStation")
            .field("namespace", &self.inner.config.namespace)
            .field("consumer", &self.inner.consumer.name)
            .field("pending_replies", &self.pending_replies())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_names_are_kept_once() {
        let a = intern("my_crate::Worker");
        let b = intern("my_crate::Worker");
        assert!(std::ptr::eq(a, b));
        assert_eq!(intern(&"x".repeat(300)), "another actor type");
    }
}
