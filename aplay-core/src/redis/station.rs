//! `RedisStation`: aplay's mail station on Redis.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::config::StationConfig;
use super::conn::{Connections, query};
use super::consumer::ConsumerName;
use super::dead_letter::{DeadLetter, original_fields};
use super::entry::{entries, integer, string};
use super::error::{RedisError, RedisErrorKind};
use super::keys::Keys;
use super::permissions;
use super::remote::{RemoteRef, remote_ref};
use super::replies::Replies;
use super::serve::{Serving, serve};
use super::shared::Station;
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
    inner: Arc<Station>,
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

    /// How many messages wait in the mailbox of `path`: not yet read by any worker, and read
    /// but not yet acknowledged (in hand, or left by a worker that died).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn backlog(&self, path: &str) -> Result<Backlog, Error> {
        let mut conn = self.inner.connections.shared();
        let stream = self.inner.keys.mailbox(path);
        let len = integer(query(&mut conn, redis::cmd("XLEN").arg(&stream)).await?)?;
        let mut summary = redis::cmd("XPENDING");
        summary.arg(&stream).arg(self.inner.keys.group());
        let pending = match summary.query_async::<redis::Value>(&mut conn).await {
            Ok(redis::Value::Array(summary)) => {
                integer(summary.into_iter().next().unwrap_or_default())?
            }
            Ok(_) => return Err(RedisError::reply("XPENDING did not return a summary").into()),
            // No group yet: nothing was ever read.
            Err(e) if e.code() == Some("NOGROUP") => 0,
            Err(e) => return Err(RedisError::from_client(e).into()),
        };
        let len = u64::try_from(len).unwrap_or(0);
        let pending = u64::try_from(pending).unwrap_or(0);
        Ok(Backlog {
            unread: len.saturating_sub(pending),
            pending,
        })
    }

    /// Up to `count` of the oldest dead letters of `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn dead_letters(&self, path: &str, count: usize) -> Result<Vec<DeadLetter>, Error> {
        let mut conn = self.inner.connections.shared();
        let mut range = redis::cmd("XRANGE");
        range
            .arg(self.inner.keys.dead(path))
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(count);
        let found = entries(query(&mut conn, &range).await?)?;
        Ok(found.into_iter().map(DeadLetter::from_entry).collect())
    }

    /// Puts the dead letter `id` of `path` back into the mailbox of `path` (as a new entry,
    /// with its original fields and a fresh delivery count) and removes it from the
    /// dead-letter stream. Returns `false` when there is no such dead letter.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropped between putting the letter back in the mailbox and deleting it from the dead letters, it is in both, and a later replay would deliver it twice.
    pub async fn replay_dead_letter(&self, path: &str, id: &str) -> Result<bool, Error> {
        let mut conn = self.inner.connections.shared();
        let dead = self.inner.keys.dead(path);
        let mut range = redis::cmd("XRANGE");
        range.arg(&dead).arg(id).arg(id);
        let Some(letter) = entries(query(&mut conn, &range).await?)?.pop() else {
            return Ok(false);
        };
        let fields: Vec<_> = original_fields(&letter).collect();
        if fields.is_empty() {
            return Err(RedisError::new(
                RedisErrorKind::Reply,
                format!("the dead letter {id} has no fields of its own to replay"),
            )
            .into());
        }
        let mut add = redis::cmd("XADD");
        add.arg(self.inner.keys.mailbox(path)).arg("*");
        for (k, v) in fields {
            add.arg(k).arg(v);
        }
        query(&mut conn, &add).await?;
        query(&mut conn, redis::cmd("XDEL").arg(&dead).arg(id)).await?;
        Ok(true)
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

/// The messages waiting in a mailbox stream, from [`RedisStation::backlog`].
///
/// See the example on [`RedisStation::serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Backlog {
    /// Appended and not yet read by any worker.
    pub unread: u64,
    /// Read by a worker and not yet acknowledged.
    pub pending: u64,
}

impl Backlog {
    /// Whether nothing waits: every message was handled (or dead-lettered).
    ///
    /// See the example on [`RedisStation::serve`].
    pub fn is_empty(&self) -> bool {
        self.unread == 0 && self.pending == 0
    }
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
