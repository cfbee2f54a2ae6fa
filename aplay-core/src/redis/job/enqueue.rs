//! Sending a job: a message to a served actor with an id and a record of its own, now or
//! later, at most one per unique key.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;

use super::id::JobId;
use super::record::now_ms;
use super::writer::{Enqueued, JobSpec, Writer};
use crate::actor::Dispatch;
use crate::error::Error;
use crate::path::ActorPath;
use crate::redis::error::{RedisError, RedisErrorKind};
use crate::redis::group::millis;
use crate::redis::lane::JobPriority;
use crate::request::{AskRequest, TellRequest};
use crate::wire::{Wire, encode};

/// How long a unique key is held when [`Enqueue::unique_for`] is not given: a day after the
/// job is due. The key is let go as soon as the job finishes; this bounds a job that never
/// does (its record deleted by hand, say).
const UNIQUE_FOR: Duration = Duration::from_secs(24 * 3600);

/// What a job is made from: a request built on a handle (`jobs.send_email(to)`), a tell or
/// an ask. Implemented for [`TellRequest`] and [`AskRequest`] only.
///
/// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
pub trait IntoJob<A: Dispatch>: sealed::Sealed<A> {
    /// What the handler returns: the type of the job's [result](crate::redis::RemoteRef::result).
    type Reply;
}

mod sealed {
    use crate::actor::Dispatch;

    pub trait Sealed<A: Dispatch> {
        fn into_message(self) -> A::Msg;
    }
}

impl<A: Dispatch, Args, R> sealed::Sealed<A> for TellRequest<'_, A, Args, R> {
    fn into_message(self) -> A::Msg {
        TellRequest::into_message(self)
    }
}

impl<A: Dispatch, Args, R> IntoJob<A> for TellRequest<'_, A, Args, R> {
    type Reply = R;
}

impl<A: Dispatch, Args, R> sealed::Sealed<A> for AskRequest<'_, A, Args, R> {
    fn into_message(self) -> A::Msg {
        AskRequest::into_message(self)
    }
}

impl<A: Dispatch, Args, R> IntoJob<A> for AskRequest<'_, A, Args, R> {
    type Reply = R;
}

/// What to do with a job whose unique key a queued, delayed or running job already holds.
///
/// See the example on [`Enqueue::key`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Duplicate {
    /// The enqueue fails with [`Error::DuplicateJob`], which names the job holding the key.
    #[default]
    Refuse,
    /// The enqueue succeeds with the id of the job holding the key; nothing is added.
    Merge,
}

#[derive(Clone, Copy, Debug)]
enum When {
    Now,
    After(Duration),
    At(SystemTime),
}

/// A job on its way, from [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue): awaited, it is stored in Redis and its
/// [`JobId`] returned. Methods choose when it runs and whether it is unique first.
///
/// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
#[must_use = "a job is sent when awaited"]
pub struct Enqueue<'a, A: Wire, R> {
    writer: &'a Writer,
    path: &'a ActorPath,
    message: A::Msg,
    id: Option<String>,
    when: When,
    key: Option<String>,
    duplicate: Duplicate,
    unique_for: Option<Duration>,
    priority: JobPriority,
    rate_key: Option<String>,
    _reply: PhantomData<fn() -> R>,
}

impl<'a, A: Wire, R> Enqueue<'a, A, R> {
    pub(crate) fn new<J: IntoJob<A, Reply = R>>(
        writer: &'a Writer,
        path: &'a ActorPath,
        job: J,
    ) -> Self {
        Enqueue {
            writer,
            path,
            message: job.into_message(),
            id: None,
            when: When::Now,
            key: None,
            duplicate: Duplicate::Refuse,
            unique_for: None,
            priority: JobPriority::Normal,
            rate_key: None,
            _reply: PhantomData,
        }
    }

    /// Runs the job once `delay` has passed (by the Redis server's clock), not before. It
    /// waits in Redis, so it survives the restart of any process, and of Redis with its
    /// append-only file. A zero delay queues it at once.
    ///
    /// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
    pub fn after(mut self, delay: Duration) -> Self {
        self.when = When::After(delay);
        self
    }

    /// Runs the job at `time` (by this machine's clock, compared with the Redis server's),
    /// not before. A time past queues it at once.
    ///
    /// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
    pub fn at(mut self, time: SystemTime) -> Self {
        self.when = When::At(time);
        self
    }

    /// Gives the job an id of your own instead of a generated one: enqueueing twice with the
    /// same id adds the job once (the second enqueue returns the same id). The id must be
    /// unique at this path for as long as the job's record is kept
    /// ([`job_retention`](crate::redis::StationConfig::job_retention)).
    ///
    /// See the example on [`key`](Self::key).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Makes the job unique by `key` at this path: while a job with the same key is
    /// delayed, queued or running (until it is done, dead or cancelled), another is
    /// refused or merged into it ([`on_duplicate`](Self::on_duplicate)). The key is held
    /// for at most [`unique_for`](Self::unique_for).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::Error;
    /// use aplay_core::redis::{Duplicate, RedisStation};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// let first = counter.enqueue(counter.add(1)).key("daily-total").await?;
    /// // Refused while the first is queued or running:
    /// let again = counter.enqueue(counter.add(1)).key("daily-total").await;
    /// assert!(matches!(again, Err(Error::DuplicateJob { .. })));
    /// // Or merged into it:
    /// let merged = counter
    ///     .enqueue(counter.add(1))
    ///     .key("daily-total")
    ///     .on_duplicate(Duplicate::Merge)
    ///     .await?;
    /// assert_eq!(merged, first);
    /// // An id of your own makes the enqueue itself idempotent:
    /// let once = counter.enqueue(counter.add(1)).id("order-17").await?;
    /// assert_eq!(counter.enqueue(counter.add(1)).id("order-17").await?, once);
    /// # Ok(()) }
    /// ```
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// What to do when the [key](Self::key) is held: [`Duplicate::Refuse`] (the default) or
    /// [`Duplicate::Merge`].
    ///
    /// See the example on [`key`](Self::key).
    pub fn on_duplicate(mut self, duplicate: Duplicate) -> Self {
        self.duplicate = duplicate;
        self
    }

    /// How long the [key](Self::key) is held at most, if the job never finishes (it is let
    /// go as soon as the job is done, dead or cancelled). A day after the job is due by
    /// default.
    ///
    /// See the example on [`key`](Self::key).
    pub fn unique_for(mut self, hold: Duration) -> Self {
        self.unique_for = Some(hold);
        self
    }

    /// Runs the job in the lane of `priority` (normal by default): high jobs start before
    /// normal and low ones, in turns that never starve low (see [`JobPriority`]).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::{JobPriority, RedisStation};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// counter.enqueue(counter.add(1)).priority(JobPriority::Low).await?;   // a report
    /// counter.enqueue(counter.add(2)).priority(JobPriority::High).await?;  // a user waits
    /// # Ok(()) }
    /// ```
    pub fn priority(mut self, priority: JobPriority) -> Self {
        self.priority = priority;
        self
    }

    /// Counts the job against the path's limit **per rate key**
    /// ([`RedisStation::set_key_rate_limit`](crate::redis::RedisStation::set_key_rate_limit)):
    /// the jobs of one key (one customer, one third-party account) start at most that often,
    /// while those of other keys go on. A job over its key's limit waits in the delayed set
    /// until the next period. Without a limit per key set on the path, the key changes
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use aplay_core::redis::{RateLimit, RedisStation};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// // Each customer's jobs: at most 10 a second; all of them together: at most 100.
    /// let per_second = Duration::from_secs(1);
    /// station.set_key_rate_limit("/counter", Some(RateLimit::new(10, per_second))).await?;
    /// station.set_rate_limit("/counter", Some(RateLimit::new(100, per_second))).await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// counter.enqueue(counter.add(1)).rate_key("customer-42").await?;
    /// # Ok(()) }
    /// ```
    pub fn rate_key(mut self, key: impl Into<String>) -> Self {
        self.rate_key = Some(key.into());
        self
    }

    async fn send(self) -> Result<JobId<R>, Error> {
        // A job to run now, not unique, not rate-limited by key, with an id of its own: its
        // stream entry is all it needs until it ends.
        let light = self.id.is_none()
            && matches!(self.when, When::Now)
            && self.key.is_none()
            && self.rate_key.is_none();
        // A job without an id of the caller's gets one from the writer: a fresh one, or its
        // place in a pack.
        let id = self.id.unwrap_or_default();
        let message = encode_message::<A>(&self.message)?;
        let (mode, ms) = match self.when {
            When::Now => ("now", 0),
            When::After(delay) => ("after", millis(delay)),
            When::At(time) => ("at", time.duration_since(UNIX_EPOCH).map_or(0, millis)),
        };
        let until_due = match self.when {
            When::Now => 0,
            When::After(delay) => millis(delay),
            When::At(_) => ms.saturating_sub(now_ms()),
        };
        let hold = self
            .unique_for
            .map_or_else(|| millis(UNIQUE_FOR).saturating_add(until_due), millis)
            .max(1);
        let spec = JobSpec {
            id,
            mode,
            ms,
            key: self.key.clone().unwrap_or_default(),
            hold,
            message,
            lane: self.priority,
            rate_key: self.rate_key.unwrap_or_default(),
            light,
        };
        match self.writer.write(spec).await? {
            Enqueued::Stored(id) => Ok(JobId::new(id)),
            Enqueued::Duplicate(holder) => match self.duplicate {
                Duplicate::Merge => Ok(JobId::new(holder)),
                Duplicate::Refuse => Err(Error::DuplicateJob {
                    path: self.path.clone(),
                    key: self.key.unwrap_or_default(),
                    job: holder,
                }),
            },
        }
    }
}

/// Enqueues `jobs` to run now, in one call (see
/// [`RemoteRef::enqueue_all`](crate::redis::RemoteRef::enqueue_all)).
pub(crate) async fn enqueue_all<A: Wire, J: IntoJob<A>>(
    writer: &Writer,
    jobs: impl IntoIterator<Item = J>,
) -> Result<Vec<JobId<J::Reply>>, Error> {
    let mut specs = Vec::new();
    for job in jobs {
        specs.push(JobSpec {
            id: String::new(),
            mode: "now",
            ms: 0,
            key: String::new(),
            hold: 1,
            message: encode_message::<A>(&job.into_message())?,
            lane: JobPriority::Normal,
            rate_key: String::new(),
            light: true,
        });
    }
    writer
        .write_all(specs)
        .await?
        .into_iter()
        .map(|answer| match answer {
            Enqueued::Stored(id) => Ok(JobId::new(id)),
            Enqueued::Duplicate(_) => Err(RedisError::reply(
                "the enqueue script called a job without a key a duplicate",
            )
            .into()),
        })
        .collect()
}

/// The encoded message of a job.
pub(crate) fn message_of<A: Wire, J: IntoJob<A>>(job: J) -> Result<Vec<u8>, Error> {
    encode_message::<A>(&job.into_message())
}

fn encode_message<A: Wire>(message: &A::Msg) -> Result<Vec<u8>, Error> {
    encode(message).map_err(|e| {
        RedisError::new(
            RedisErrorKind::Config,
            format!(
                "the message of a job to {} cannot be encoded: {e}",
                A::message_name(message)
            ),
        )
        .into()
    })
}

impl<'a, A: Wire, R: 'a> IntoFuture for Enqueue<'a, A, R> {
    type Output = Result<JobId<R>, Error>;
    type IntoFuture = BoxFuture<'a, Result<JobId<R>, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<A: Wire, R> std::fmt::Debug for Enqueue<'_, A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enqueue")
            .field("to", self.path)
            .field("handler", &A::message_name(&self.message))
            .field("id", &self.id)
            .field("when", &self.when)
            .field("key", &self.key)
            .field("duplicate", &self.duplicate)
            .field("priority", &self.priority)
            .field("rate_key", &self.rate_key)
            .finish()
    }
}
