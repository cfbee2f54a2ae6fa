//! `RemoteRef<A>`: a ref to an actor served by another process, with the generated methods of
//! a local ref; and the task that forwards what it is sent to Redis.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use serde::de::DeserializeOwned;

use super::error::{RedisError, RedisErrorKind};
use super::forward::{Control, Progress, forward};
use super::job::{self, Cancel, Enqueue, IntoJob, JobId, JobStatus, Schedule};
use super::not_flushed::NotFlushed;
use super::shared::Station;
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::{ActorRef, stand_in};
use crate::mailbox::Mailbox;
use crate::path::ActorPath;
use crate::wire::Wire;

/// A ref to the actor of type `A` at a path served through Redis, usually by another process
/// (from [`RedisStation::lookup`](super::RedisStation::lookup) or
/// [`remote`](super::RedisStation::remote)).
///
/// It dereferences to `A`'s generated handle, as an [`ActorRef`] does, so the calls are the
/// same: `jobs.run(job).await?`, `jobs.count().await?`, `.timeout(d)`, `.try_tell()`, `.ask()`.
/// What they wait for differs:
///
/// - a **tell** (`jobs.run(job).await`) returns once the message is queued in this process,
///   on its way to Redis (waiting for room when [`remote_capacity`] messages are queued:
///   back-pressure). [`flushed`](Self::flushed) waits until Redis has them all, and reports
///   those Redis refused.
/// - an **ask** (`jobs.count().await`, or `.ask()` on a unit method) returns once a worker
///   handled the message and its reply came back. Without a `.timeout(d)` it waits as long
///   as it takes (a message waits in the stream until a worker serves it).
/// - an ask whose message could not be handled (it went to the dead letters) resolves to
///   [`Error::NoReply`].
///
/// Clones share one queue and one forwarding task; the task ends, after forwarding what is
/// queued, when the last clone is dropped.
///
/// [`remote_capacity`]: super::StationConfig::remote_capacity
///
/// See the examples on [`RedisStation::serve`](super::RedisStation::serve) and [`RedisStation::remote`](super::RedisStation::remote).
pub struct RemoteRef<A: Dispatch> {
    actor: ActorRef<A>,
    link: Arc<Link<A>>,
}

/// Held by every clone: dropping the last one closes the control channel, which ends the
/// forwarder once it has forwarded what is queued.
struct Link<A: Dispatch> {
    station: Arc<Station>,
    /// The task that enqueues its jobs, started with the first.
    writer: OnceLock<job::Writer>,
    control: mpsc::UnboundedSender<Control<A::Msg>>,
    progress: Arc<Progress>,
    flush_timeout: Duration,
}

pub(crate) fn remote_ref<A: Wire>(station: Arc<Station>, path: ActorPath) -> RemoteRef<A> {
    let (actor, holder) = stand_in::<A>(
        path.clone(),
        Mailbox::bounded(station.config.remote_capacity),
    );
    let (control, control_rx) = mpsc::unbounded_channel();
    let progress = Arc::new(Progress::default());
    let flush_timeout = station.config.flush_timeout;
    tokio::spawn(forward(
        Arc::clone(&station),
        path,
        holder,
        control_rx,
        Arc::clone(&progress),
    ));
    RemoteRef {
        actor,
        link: Arc::new(Link {
            station,
            writer: OnceLock::new(),
            control,
            progress,
            flush_timeout,
        }),
    }
}

impl<A: Dispatch> RemoteRef<A> {
    /// The path of the remote actor.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn path(&self) -> &ActorPath {
        self.actor.path()
    }

    /// Waits until every message sent through this ref (or a clone) before the call is in
    /// Redis, appended to the mailbox stream, for at most
    /// [`flush_timeout`](super::StationConfig::flush_timeout) (30 s by default): see
    /// [`flushed_within`](Self::flushed_within).
    ///
    /// # Errors
    ///
    /// As [`flushed_within`](Self::flushed_within).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future stops the waiting only (the messages go on).
    ///
    /// See the example on [`RedisStation::remote`](super::RedisStation::remote).
    pub async fn flushed(&self) -> Result<(), Error> {
        self.flushed_within(self.link.flush_timeout).await
    }

    /// Waits until every message sent through this ref (or a clone) before the call is in
    /// Redis, for at most `limit` ([`Duration::MAX`]: as long as it takes).
    ///
    /// `Ok` means exactly that: each of those messages is in the mailbox stream, where it
    /// stays until a worker handled it (as durable as Redis's persistence makes it: see the
    /// guide's chapter on Redis). While Redis cannot take them (down, restarting, loading,
    /// out of memory, a replica after a failover), they stay queued here and are retried, and
    /// this waits, up to `limit`.
    ///
    /// # Errors
    ///
    /// - [`Error::NotFlushed`] when messages are not in Redis: those Redis refused for good
    ///   since the last `flushed` (a mailbox key holding another type, a missing permission,
    ///   a message that cannot be encoded) are handed back in it; those still being retried
    ///   when `limit` ran out are counted in it and go on being retried.
    /// - [`Error::Redis`] (kind [`Closed`](RedisErrorKind::Closed)) if the forwarding task is
    ///   gone (its runtime shut down).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future stops the waiting only (the messages go on).
    ///
    /// See the example on [`RedisStation::remote`](super::RedisStation::remote).
    pub async fn flushed_within(&self, limit: Duration) -> Result<(), Error> {
        let (done, answer) = oneshot::channel();
        let closed = || {
            Error::Redis(RedisError::new(
                RedisErrorKind::Closed,
                format!("the forwarder of the remote ref {} is gone", self.path()),
            ))
        };
        self.link
            .control
            .send(Control::Flush(done))
            .map_err(|_| closed())?;
        let refused = match crate::time::within(limit, answer).await {
            Some(Ok(refused)) => refused,
            Some(Err(_)) => return Err(closed()),
            None => {
                let queued = ActorRef::to_any(&self.actor).mailbox_len().unwrap_or(0);
                let reason = match self.link.progress.held_up_by() {
                    Some(error) => error.to_string(),
                    None => "the messages before them are not stored yet".to_owned(),
                };
                return Err(Error::NotFlushed(Box::new(NotFlushed::new(
                    self.path().clone(),
                    queued + self.link.progress.in_flight(),
                    0,
                    reason,
                    Some(limit),
                    Vec::<A::Msg>::new(),
                ))));
            }
        };
        if refused.count == 0 {
            return Ok(());
        }
        Err(Error::NotFlushed(Box::new(NotFlushed::new(
            self.path().clone(),
            0,
            refused.count,
            refused.reason.unwrap_or_default(),
            None,
            refused.messages,
        ))))
    }

    /// The local stand-in as an [`ActorRef`], for code written against `ActorRef<A>`.
    /// Stopping it ends this remote ref's forwarding (after what is queued), not the remote
    /// actor.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::{ActorRef, Error};
    /// use aplay_core::redis::RedisStation;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// /// Code written for local actors takes remote ones too.
    /// async fn bump(counter: &ActorRef<Counter>) -> Result<(), Error> {
    ///     counter.add(1).await
    /// }
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let remote = station.remote::<Counter>("/counter")?;
    /// bump(remote.as_actor_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub fn as_actor_ref(&self) -> &ActorRef<A> {
        &self.actor
    }
}

impl<A: Wire> RemoteRef<A> {
    /// Sends a message as a **job**: with an id and a record of its own in Redis, so that any
    /// process can follow it ([`status`](Self::status), [`result`](Self::result)) or
    /// [`cancel`](Self::cancel) it. The message is a request built on a handle,
    /// `jobs.enqueue(jobs.send_email(to))`, a tell or an ask; the returned [`Enqueue`] can
    /// delay it ([`after`](Enqueue::after), [`at`](Enqueue::at)) or make it unique
    /// ([`key`](Enqueue::key)) before it is awaited.
    ///
    /// Awaited, it returns the job's [`JobId`] once Redis **has stored it** (unlike a tell,
    /// which returns once queued in this process). The jobs enqueued through one ref (and
    /// its clones) at the same time go to Redis together, one script call per batch of up to
    /// [`read_batch`](super::StationConfig::read_batch), the jobs that may be packed in one
    /// stream entry per lane (see [`enqueue_all`](Self::enqueue_all)): enqueue many at once
    /// (`futures::future::join_all`, `buffer_unordered`) for speed. While Redis cannot take it (down,
    /// loading, out of memory) it waits and tries again, without ever adding the job twice:
    /// wrap it in `tokio::time::timeout` to give up.
    ///
    /// A job is handled like any message to the path (retries, dead letters, at least once).
    /// Its worker records when it starts it (state running, on which consumer, the attempt),
    /// its failures (the error), and its end: done with the handler's encoded reply, or dead.
    /// Finished records stay for [`job_retention`](super::StationConfig::job_retention). A
    /// job delivered again after it was done (a worker died before acknowledging it) is not
    /// run again.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateJob`] for a unique key that another job holds (with
    /// [`Duplicate::Refuse`](super::Duplicate::Refuse)); [`Error::Redis`] when Redis refuses
    /// it for good or the message cannot be encoded.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use aplay_core::redis::{Cancel, JobState, RedisStation};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    ///
    /// let now = counter.enqueue(counter.add(5)).await?;            // a JobId<()>
    /// let later = counter.enqueue(counter.add(1)).after(Duration::from_secs(60)).await?;
    /// let total = counter.enqueue(counter.get()).await?;           // a JobId<u64>
    ///
    /// let status = counter.status(&later).await?.expect("a record");
    /// assert_eq!(status.state, JobState::Delayed);
    /// assert_eq!(counter.cancel(&later).await?, Cancel::Cancelled);
    ///
    /// // Once a worker serving /counter handled it:
    /// if let Some(n) = counter.result(&total).await? {
    ///     println!("the total was {n}");
    /// }
    /// println!("{:?}", counter.status(&now).await?.map(|s| s.state));
    /// # Ok(()) }
    /// ```
    pub fn enqueue<J: IntoJob<A>>(&self, job: J) -> Enqueue<'_, A, J::Reply> {
        let writer = self.link.writer.get_or_init(|| {
            job::Writer::start(Arc::clone(&self.link.station), self.path().clone())
        });
        Enqueue::new(writer, self.path(), job)
    }

    /// Enqueues many **jobs** at once, to run now (normal priority, fresh ids, no unique
    /// key): in one script call, so that **all are stored or none is**, and in packs of up
    /// to [`read_batch`](super::StationConfig::read_batch) jobs per stream entry, so that
    /// Redis does the work of one append per pack. Each job is still one of its own: its
    /// [`JobId`] (in the order given), status, result, retries and cancel, as with
    /// [`enqueue`](Self::enqueue). Jobs enqueued one by one at the same time through one
    /// remote ref are packed the same way.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis refuses the call for good (then none was stored) or a
    /// message cannot be encoded (then none was sent).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::RedisStation;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// let ids = counter.enqueue_all((1..=1000).map(|n| counter.add(n))).await?;
    /// assert_eq!(ids.len(), 1000);
    /// println!("{:?}", counter.status(&ids[0]).await?.map(|s| s.state));
    /// # Ok(()) }
    /// ```
    pub async fn enqueue_all<J, I>(&self, jobs: I) -> Result<Vec<JobId<J::Reply>>, Error>
    where
        J: IntoJob<A>,
        I: IntoIterator<Item = J>,
    {
        let writer = self.link.writer.get_or_init(|| {
            job::Writer::start(Arc::clone(&self.link.station), self.path().clone())
        });
        job::enqueue_all::<A, J>(writer, jobs).await
    }

    /// The record of a job sent to this path: its state, attempts, consumer, last error;
    /// `None` when there is no such job or its record expired.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached or the record is not one.
    ///
    /// See the example on [`enqueue`](Self::enqueue).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn status<R>(&self, job: &JobId<R>) -> Result<Option<JobStatus>, Error> {
        job::status(&self.link.station, self.path().as_str(), job.as_str()).await
    }

    /// What the job's handler returned, once it is done; `None` before (or when there is no
    /// such job, or its record expired: see [`status`](Self::status)). For a handler that
    /// returns a `Result`, the whole `Result`; for a failed job, `None` (its error is in
    /// its status).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached, or when the stored reply does not decode
    /// as an `R` (kind [`Reply`](RedisErrorKind::Reply)).
    ///
    /// See the example on [`enqueue`](Self::enqueue).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn result<R: DeserializeOwned>(&self, job: &JobId<R>) -> Result<Option<R>, Error> {
        let Some(status) = self.status(job).await? else {
            return Ok(None);
        };
        match (status.state, status.result) {
            (job::JobState::Done, Some(bytes)) => {
                crate::wire::decode::<R>(&bytes).map(Some).map_err(|e| {
                    RedisError::new(
                        RedisErrorKind::Reply,
                        format!("the result of the job {job} does not decode: {e}"),
                    )
                    .into()
                })
            }
            _ => Ok(None),
        }
    }

    /// Cancels a job sent to this path: a delayed or queued one never runs; one a worker has
    /// is not run again (see [`Cancel`]).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis refuses it for good (it waits while Redis cannot answer).
    ///
    /// See the example on [`enqueue`](Self::enqueue).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the cancel is one step in Redis, done or not.
    pub async fn cancel<R>(&self, job: &JobId<R>) -> Result<Cancel, Error> {
        job::cancel_job(&self.link.station, self.path().as_str(), job.as_str()).await
    }

    /// Declares the **periodic job** `name`: the message `job` (a request built on a handle,
    /// `reports.schedule("nightly", Schedule::cron("0 3 * * *")?, reports.build())`) sent as
    /// a job at each time of `schedule`, by whichever process serving this path sees the time
    /// first: **once per time**, however many processes serve it (none fires it twice, and a
    /// worker that dies leaves it to the others).
    ///
    /// The declaration is kept in Redis (listed by
    /// [`RedisStation::periodic_jobs`](super::RedisStation::periodic_jobs)): declare it at
    /// each start of the program, from any process; declaring it again with the same schedule
    /// changes nothing (the message is updated), with another schedule restarts it. The first
    /// fire is the schedule's next time after the declaration.
    ///
    /// **Fires missed** while no process served the path are not all made up: when one comes
    /// back, it fires once, for the latest time missed (and for a cron schedule, only if that
    /// time is less than a week old), then keeps to the schedule. Each fire is a job with the
    /// id `{name}@{time in ms}` ([`status`](Self::status) and [`result`](Self::result) by
    /// it). Times are by the Redis server's clock, checked every
    /// [`delayed_poll`](super::StationConfig::delayed_poll).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] for an empty name; [`Error::Redis`] when Redis cannot be
    /// reached or the message cannot be encoded. A cron expression that does not parse is an
    /// error of [`Schedule::cron`], before this.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use aplay_core::redis::{RedisStation, Schedule};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let counter = station.remote::<Counter>("/counter")?;
    /// counter.schedule("tick", Schedule::every(Duration::from_secs(10)), counter.add(1)).await?;
    /// counter.schedule("nightly", Schedule::cron("0 3 * * *")?, counter.add(100)).await?;
    /// for periodic in station.periodic_jobs("/counter").await? {
    ///     println!("{} ({}): next at {:?}", periodic.name, periodic.schedule, periodic.next);
    /// }
    /// assert!(counter.unschedule("tick").await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the declaration is one step in Redis, done or not.
    pub async fn schedule<J: IntoJob<A>>(
        &self,
        name: &str,
        schedule: Schedule,
        job: J,
    ) -> Result<(), Error> {
        if name.is_empty() {
            return Err(Error::InvalidName {
                name: name.to_owned(),
                reason: "a periodic job needs a name",
            });
        }
        let message = job::message_of::<A, J>(job)?;
        let station = &self.link.station;
        let path = self.path().as_str();
        let mut conn = station.connections.shared();
        job::declare(
            &mut conn,
            [
                &station.keys.periodic(path, name),
                &station.keys.periodic_index(path),
            ],
            name,
            &schedule,
            &message,
        )
        .await?;
        Ok(())
    }

    /// Removes the periodic job `name` of this path: it fires no more. Returns whether there
    /// was one. The jobs it fired already are not touched.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`schedule`](Self::schedule).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn unschedule(&self, name: &str) -> Result<bool, Error> {
        let station = &self.link.station;
        let path = self.path().as_str();
        let mut conn = station.connections.shared();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(station.keys.periodic(path, name))
            .cmd("SREM")
            .arg(station.keys.periodic_index(path))
            .arg(name);
        let (deleted, _): (i64, i64) = pipe
            .query_async(&mut conn)
            .await
            .map_err(RedisError::from_client)?;
        Ok(deleted == 1)
    }
}

impl<A: Dispatch> Deref for RemoteRef<A> {
    type Target = A::Handle;

    fn deref(&self) -> &A::Handle {
        &self.actor
    }
}

impl<A: Dispatch> Clone for RemoteRef<A> {
    fn clone(&self) -> Self {
        RemoteRef {
            actor: self.actor.clone(),
            link: Arc::clone(&self.link),
        }
    }
}

impl<A: Dispatch> fmt::Debug for RemoteRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRef")
            .field("path", self.path())
            .field("actor", &std::any::type_name::<A>())
            .finish()
    }
}
