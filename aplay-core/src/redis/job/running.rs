//! `Job`: the job a handler runs, read from its context: its id, its attempt, whether a
//! cancel was asked for, and a way to report progress.
//!
//! A served actor's job messages come with their [`Running`] state (the message's scope,
//! see `Envelope::scoped`). A handler that asks for it ([`Job::of`]) puts it on its serving's
//! [`Watchlist`], whose task reads the records of the jobs on it for a cancel request:
//! jobs whose handler never asks cost nothing.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use crate::redis::conn::Conn;
use parking_lot::Mutex;
use tokio::sync::Notify;

use super::status::field;
use crate::context::Context;
use crate::error::Error;
use crate::redis::conn::query;

/// The state of one job while a worker has it.
pub(crate) struct Running {
    id: String,
    attempt: u32,
    pub(crate) record: String,
    conn: Conn,
    cancelled: AtomicBool,
    cancel_seen: Notify,
    watched: AtomicBool,
    watchlist: Arc<Watchlist>,
}

impl Running {
    pub(crate) fn new(
        id: &str,
        attempt: u32,
        record: String,
        conn: Conn,
        watchlist: &Arc<Watchlist>,
    ) -> Arc<Self> {
        Arc::new(Running {
            id: id.to_owned(),
            attempt,
            record,
            conn,
            cancelled: AtomicBool::new(false),
            cancel_seen: Notify::new(),
            watched: AtomicBool::new(false),
            watchlist: Arc::clone(watchlist),
        })
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// A cancel was asked for: the handler's `cancelled()` wakes.
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        self.cancel_seen.notify_waiters();
    }
}

/// The running jobs of one serving whose handlers asked for their [`Job`]: their records are
/// read for a cancel request.
#[derive(Default)]
pub(crate) struct Watchlist {
    jobs: Mutex<Vec<Weak<Running>>>,
    added: Notify,
}

impl Watchlist {
    /// The jobs still running on the list (those finished are dropped from it).
    pub(crate) fn live(&self) -> Vec<Arc<Running>> {
        let mut jobs = self.jobs.lock();
        jobs.retain(|job| job.strong_count() > 0);
        jobs.iter().filter_map(Weak::upgrade).collect()
    }

    /// Waits until a job is on the list.
    pub(crate) async fn wait_for_one(&self) {
        loop {
            let added = self.added.notified();
            if !self.live().is_empty() {
                return;
            }
            added.await;
        }
    }

    fn add(&self, job: &Arc<Running>) {
        self.jobs.lock().push(Arc::downgrade(job));
        self.added.notify_waiters();
    }
}

/// The job a handler is running, when its actor is served and the message was sent as a job
/// ([`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue)): its id, its attempt, whether
/// a cancel was asked for, and a way to report progress.
///
/// # Examples
///
/// A handler of a served actor takes `ctx: &mut Context<Self>` and passes it on:
///
/// ```
/// use aplay_core::Context;
/// use aplay_core::redis::Job;
///
/// async fn build_report<A>(pages: u32, ctx: &Context<A>) -> Result<u32, String> {
///     let job = Job::of(ctx); // None when not sent as a job
///     for page in 0..pages {
///         if job.as_ref().is_some_and(Job::is_cancelled) {
///             return Err("cancelled".into()); // the job ends as cancelled
///         }
///         // ... one page ...
///         if let Some(job) = &job {
///             job.progress(format!("{}/{pages}", page + 1)).await.ok();
///         }
///     }
///     Ok(pages)
/// }
/// ```
#[derive(Clone)]
pub struct Job {
    running: Arc<Running>,
}

impl Job {
    /// The job the message being handled belongs to; `None` for a message that was not sent
    /// as a job, or an actor that is not served.
    ///
    /// Asking for it makes the serving watch the job for a cancel request (read every
    /// [`delayed_poll`](crate::redis::StationConfig::delayed_poll)).
    ///
    /// See the example on [`Job`].
    pub fn of<A>(ctx: &Context<A>) -> Option<Job> {
        let running = Arc::clone(ctx.scope()?).downcast::<Running>().ok()?;
        if !running.watched.swap(true, Ordering::AcqRel) {
            running.watchlist.add(&running);
        }
        Some(Job { running })
    }

    /// The job's id.
    ///
    /// See the example on [`Job`].
    pub fn id(&self) -> &str {
        &self.running.id
    }

    /// Which attempt this is: 1 the first time, more after failures.
    ///
    /// See the example on [`Job`].
    pub fn attempt(&self) -> u32 {
        self.running.attempt
    }

    /// Whether a cancel was asked for
    /// ([`RemoteRef::cancel`](crate::redis::RemoteRef::cancel)). A handler that sees it may
    /// stop early: if it then returns an `Err` (or panics), the job ends as cancelled, not
    /// retried; if it returns `Ok`, it is done.
    ///
    /// See the example on [`Job`].
    pub fn is_cancelled(&self) -> bool {
        self.running.is_cancelled()
    }

    /// Resolves once a cancel is asked for (at once if it was), for a `select!` against the
    /// work.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`Job`].
    pub async fn cancelled(&self) {
        loop {
            let seen = self.running.cancel_seen.notified();
            if self.is_cancelled() {
                return;
            }
            seen.await;
        }
    }

    /// Records how far the job got (any text: `"40%"`, `"page 3 of 7"`), for
    /// [`JobStatus::progress`](crate::redis::JobStatus::progress). One write to Redis.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot take it now; progress is not retried.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropped, the progress may or may not be recorded.
    ///
    /// See the example on [`Job`].
    pub async fn progress(&self, progress: impl fmt::Display) -> Result<(), Error> {
        let mut conn = self.running.conn.clone();
        let mut set = redis::cmd("HSET");
        set.arg(&self.running.record)
            .arg(field::PROGRESS)
            .arg(progress.to_string());
        query(&mut conn, &set).await?;
        Ok(())
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.running.id)
            .field("attempt", &self.running.attempt)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
