//! Serving an actor from its durable mailbox: the tasks that read the stream, hand entries to
//! the actor, acknowledge them, retry or dead-letter failures, and keep the entries in hand
//! from being claimed by others.
//!
//! ```text
//!  stream ──read──▶ feeder ──send (in order)──▶ actor
//!                     │                           │ outcome
//!                     └──────── in flight ──────▶ acker ──XACK / reply / dead letter──▶ Redis
//!                                                  │ failure
//!                                         retry ◀──┘ (after a delay, up to max_deliveries)
//!  gate: between feeder and actor: pause, rate limits (per path, per rate key)
//!  keeper: refreshes the idle time of every entry in hand
//!  due: moves the delayed jobs that are due into the stream
//!  jobs: records that a job starts (or skips one cancelled or done already)
//!  cancels: tells the running jobs whose handlers watch that a cancel was asked for
//!  periodic: fires the periodic jobs of the path, once per time of their schedules
//!  settings: reads the path's settings as a queue (paused, rate limit) for the feeder
//!  instances: a fresh actor from the factory after a failure
//! ```

mod acker;
mod cancels;
mod dispatch;
mod due;
mod feeder;
mod forget;
mod gate;
mod held;
mod instances;
mod jobs;
mod keeper;
mod periodic;
mod settings;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::AbortHandle;

use self::acker::Work;
use self::held::HeldSet;
use self::instances::{Factory, Instance};
use super::config::StationConfig;
use super::conn::{ensure_group, query};
use super::error::RedisError;
use super::job::Watchlist;
use super::lane::JobPriority;
use super::queue::QueueSettings;
use super::shared::Station;
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::ActorRef;
use crate::panics::panic_text;
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::system::System;
use crate::wire::Wire;

/// What the tasks serving one path share.
pub(crate) struct Shared<A: Dispatch> {
    pub(crate) station: Arc<Station>,
    pub(crate) path: ActorPath,
    /// The streams of its lanes, highest first: `streams[lane.index()]`. The normal one is
    /// its mailbox.
    pub(crate) streams: [String; 3],
    pub(crate) dead: String,
    /// What the records of this path's jobs begin with, and its unique-key locks.
    pub(crate) record_prefix: String,
    pub(crate) unique_prefix: String,
    /// The entries of the path's jobs without a record (see `Keys::job_entries`).
    pub(crate) job_entries: String,
    /// What the books of its jobs done without a record begin with (see `job::book`).
    pub(crate) book_prefix: String,
    /// The running jobs whose handlers asked for their `Job`, watched for a cancel.
    pub(crate) watchlist: Arc<Watchlist>,
    /// The path's settings as a queue (paused, rate limit), as last read from Redis.
    pub(crate) settings: watch::Sender<QueueSettings>,
    pub(crate) held: Arc<HeldSet>,
    /// One permit per entry in hand: reading waits when all are taken (back-pressure).
    pub(crate) slots: Arc<Semaphore>,
    pub(crate) instances: watch::Sender<Instance<A>>,
    pub(crate) stopping: watch::Sender<bool>,
    pub(crate) to_acker: mpsc::UnboundedSender<Work<A>>,
    /// Held while messages go into the actor's mailbox and their outcomes to the acker, so
    /// that the acker sees outcomes in the order the actor handles them.
    pub(crate) send_order: tokio::sync::Mutex<()>,
    pub(crate) finished: watch::Sender<bool>,
    pub(crate) handled: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    /// Commands Redis refused for good, and the last of them.
    refusals: AtomicU64,
    last_refusal: parking_lot::Mutex<Option<RedisError>>,
}

impl<A: Dispatch> Shared<A> {
    /// The stream of `lane`.
    pub(crate) fn stream(&self, lane: JobPriority) -> &str {
        &self.streams[lane.index()]
    }

    /// The lanes its workers read: all three once a job of high or low priority was sent to
    /// the path, else the normal one alone.
    pub(crate) fn lanes(&self) -> &'static [JobPriority] {
        if self.settings.borrow().priorities {
            &JobPriority::ALL
        } else {
            &[JobPriority::Normal]
        }
    }

    pub(crate) fn config(&self) -> &StationConfig {
        &self.station.config
    }

    pub(crate) fn group(&self) -> &str {
        self.station.keys.group()
    }

    pub(crate) fn consumer(&self) -> &str {
        &self.station.consumer.name
    }

    pub(crate) fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Reports a command Redis refused for good while `doing` something: logged, counted and
    /// kept for [`Serving::last_refusal`].
    pub(crate) fn refused(&self, error: &RedisError, doing: &str) {
        tracing::error!(path = %self.path, %error, "redis: refused for good while {doing}");
        self.refusals.fetch_add(1, Ordering::Relaxed);
        *self.last_refusal.lock() = Some(RedisError::new(
            error.kind(),
            format!("{doing}: {}", error.message()),
        ));
    }
}

/// An actor served from its durable mailbox, returned by
/// [`RedisStation::serve`](super::RedisStation::serve).
///
/// Dropping it does not stop the serving; [`stop`](Self::stop) does, or the actor's stop
/// (a system shutdown, a person's stop).
///
/// See the example on [`RedisStation::serve`](super::RedisStation::serve).
pub struct Serving<A: Dispatch> {
    shared: Arc<Shared<A>>,
    keeper: AbortHandle,
}

pub(crate) async fn serve<A, F>(
    station: Arc<Station>,
    system: &System,
    path: &str,
    factory: F,
) -> Result<Serving<A>, Error>
where
    A: Wire,
    F: Fn() -> A + Send + Sync + 'static,
{
    let parsed = ActorPath::parse(path)?;
    if parsed.depth() != 1 {
        return Err(Error::InvalidName {
            name: path.to_owned(),
            reason: "a served actor runs at the top of the tree: give a path of one name, like /jobs",
        });
    }
    let streams = station.keys.lanes(path);
    let mut conn = station.connections.shared();
    for stream in &streams {
        ensure_group(&mut conn, stream, station.keys.group()).await?;
    }
    let settings = QueueSettings::read(&mut conn, &station.keys.queue(path)).await?;
    let mut hset = redis::cmd("HSET");
    hset.arg(station.keys.addresses())
        .arg(path)
        .arg(std::any::type_name::<A>());
    query(&mut conn, &hset).await?;

    let factory: Factory<A> = Arc::new(factory);
    let first = match crate::panics::catch(|| factory()) {
        Ok(actor) => system.spawn(parsed.name(), actor).await?,
        Err(panic) => {
            return Err(Error::StartFailed {
                path: parsed,
                reason: StopReason::Failed(Failure::new(
                    FailureKind::StartPanic,
                    panic_text(&*panic),
                )),
            });
        }
    };

    let (to_acker, from_feeder) = mpsc::unbounded_channel();
    let capacity = station.config.read_batch.saturating_mul(2);
    let shared = Arc::new(Shared {
        dead: station.keys.dead(path),
        record_prefix: station.keys.job_prefix(path),
        unique_prefix: station.keys.unique_prefix(path),
        job_entries: station.keys.job_entries(path),
        book_prefix: station.keys.done_book_prefix(path),
        watchlist: Arc::default(),
        settings: watch::Sender::new(settings),
        streams,
        path: parsed,
        held: Arc::default(),
        slots: Arc::new(Semaphore::new(capacity)),
        instances: watch::Sender::new(Instance::Live {
            generation: 1,
            actor: first.clone(),
        }),
        stopping: watch::Sender::new(false),
        to_acker,
        send_order: tokio::sync::Mutex::new(()),
        finished: watch::Sender::new(false),
        handled: AtomicU64::new(0),
        dead_lettered: AtomicU64::new(0),
        refusals: AtomicU64::new(0),
        last_refusal: parking_lot::Mutex::new(None),
        station,
    });
    tokio::spawn(instances::supervise(
        Arc::clone(&shared),
        system.clone(),
        factory,
        first,
    ));
    tokio::spawn(acker::run(Arc::clone(&shared), from_feeder));
    tokio::spawn(feeder::run(Arc::clone(&shared)));
    tokio::spawn(due::run(Arc::clone(&shared)));
    tokio::spawn(cancels::run(Arc::clone(&shared)));
    tokio::spawn(periodic::run(Arc::clone(&shared)));
    tokio::spawn(settings::run(Arc::clone(&shared)));
    let keeper = tokio::spawn(keeper::run(Arc::clone(&shared))).abort_handle();
    Ok(Serving { shared, keeper })
}

impl<A: Dispatch> Serving<A> {
    /// The path served.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn path(&self) -> &ActorPath {
        &self.shared.path
    }

    /// The running instance of the actor (a fresh one after each failure); `None` between two
    /// instances and once serving ended.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn actor(&self) -> Option<ActorRef<A>> {
        match &*self.shared.instances.borrow() {
            Instance::Live { actor, .. } => Some(actor.clone()),
            _ => None,
        }
    }

    /// How many messages were handled and acknowledged so far.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn handled(&self) -> u64 {
        self.shared.handled.load(Ordering::Relaxed)
    }

    /// How many entries went to the dead-letter stream so far.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn dead_lettered(&self) -> u64 {
        self.shared.dead_lettered.load(Ordering::Relaxed)
    }

    /// How many commands Redis refused for good while serving (not the retryable errors,
    /// which are waited out): an acknowledgement, a reply, a dead-letter move refused because
    /// a key holds another type of value or the ACL user may not touch it. The entries
    /// concerned are not lost: they stay pending and are delivered again later. See
    /// [`last_refusal`](Self::last_refusal).
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn refusals(&self) -> u64 {
        self.shared.refusals.load(Ordering::Relaxed)
    }

    /// The last command Redis refused for good while serving, with what it was for.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn last_refusal(&self) -> Option<RedisError> {
        self.shared.last_refusal.lock().clone()
    }

    /// Stops serving, gracefully: reads nothing more, lets the actor handle what it has in
    /// hand, acknowledges it, then stops the actor. Failed entries still waiting for their
    /// next delivery are left pending, for a later start or another worker. Returns once all
    /// is done; the blocking read in progress is cut short, not waited for. While Redis
    /// cannot be reached, it waits for the acknowledgements of what was handled to go
    /// through (so that nothing handled is handled again).
    ///
    /// # Cancel safety
    ///
    /// The stop is requested before the first `.await`; it goes on if the future is dropped.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub async fn stop(&self) {
        self.shared.stopping.send_replace(true);
        let mut finished = self.shared.finished.subscribe();
        let _ = finished.wait_for(|done| *done).await;
        let current = self.shared.instances.borrow().clone();
        if let Instance::Live { actor, .. } = current {
            actor.stop().await;
        }
        self.join().await;
    }

    /// Waits until serving has ended: after [`stop`](Self::stop), or once the actor stopped
    /// for another reason than a failure and the messages in hand were acknowledged.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub async fn join(&self) {
        let mut finished = self.shared.finished.subscribe();
        let _ = finished.wait_for(|done| *done).await;
        let mut instances = self.shared.instances.subscribe();
        let _ = instances.wait_for(|i| matches!(i, Instance::Ended)).await;
        self.keeper.abort();
    }
}

impl<A: Dispatch> fmt::Debug for Serving<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serving")
            .field("path", &self.shared.path)
            .field("handled", &self.handled())
            .field("dead_lettered", &self.dead_lettered())
            .field("refusals", &self.refusals())
            .finish()
    }
}
