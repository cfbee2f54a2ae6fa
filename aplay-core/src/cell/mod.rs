//! The state an actor shares with its refs, untyped: who it is (path, parent), the control
//! signals and notices its task reads between messages, and the tasks attached to it (here);
//! its children ([`children`]); where it is in its life ([`lifecycle`]). The mailbox's
//! sending side and the restart plan are in the typed cell (`actor::cell`), above.
//!
//! The actor's own task owns the actor value and the mailbox receiver; everything other tasks
//! need to see or signal lives here, behind atomics or short `Mutex` sections (never held
//! across an `.await`). The fields stay in one struct, grouped by the file that uses them:
//! every actor has a cell, and one struct packs its small fields tightest.

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;
use std::time::Duration;

use thin_vec::ThinVec;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::path::ActorPath;

mod children;
pub(crate) mod current;
mod lifecycle;

use crate::stop::StopReason;
use children::Children;
pub use lifecycle::ActorState;

/// Control bits, checked by the actor between messages.
pub(crate) mod bits {
    /// Stop now, dropping queued messages.
    pub(crate) const KILL: u8 = 1;
    /// A person asked it to stop after its queued messages.
    pub(crate) const STOP_BY_PERSON: u8 = 2;
    /// Its parent (or the system) asked it to stop after its queued messages.
    pub(crate) const SHUTDOWN: u8 = 4;
    /// Something waits in the system queue.
    pub(crate) const SYSTEM: u8 = 8;
    /// Its parent stops it to restart it (a sibling failed): stop after the current message,
    /// keeping the queue for the next instance.
    pub(crate) const RESTART: u8 = 16;
}

/// Notices for the actor from the runtime, handled between messages.
pub(crate) enum SystemMsg {
    /// A child stopped for good.
    ChildStopped { child: CellRef, reason: StopReason },
    /// An actor linked to this one failed: this one fails too.
    LinkedFailed {
        partner: ActorPath,
        reason: StopReason,
    },
    /// An instance of a supervised child ended; the parent decides whether to restart it.
    ChildExited {
        child: CellRef,
        reason: StopReason,
        incarnation: u32,
    },
}

/// A restart under way: resolves once the next instance's `on_start` has run.
pub(crate) type Restarting = futures::future::BoxFuture<'static, Result<(), StopReason>>;

/// The untyped shared state of one actor.
pub(crate) struct CellCore {
    pub(crate) path: ActorPath,
    pub(crate) parent: Option<Weak<dyn CellControl>>,
    /// Its `shutdown_timeout`, in nanoseconds (`u64::MAX`: none), 8 bytes less than a
    /// `Duration` in every cell.
    shutdown_timeout: u64,
    control: AtomicU8,
    /// A thin vector: one pointer, most actors never get a notice.
    system_queue: Mutex<ThinVec<SystemMsg>>,
    children: Mutex<Children>,
    state: AtomicU8,
    stopped_by_person: AtomicBool,
    reason: OnceLock<StopReason>,
    terminated: Notify,
    /// The current instance's task (a restart starts another).
    task: Mutex<Option<(tokio::task::Id, Option<AbortHandle>)>>,
    handled: AtomicU64,
    /// When its parent restarts it; `Temporary` for actors without a factory.
    pub(crate) restart: crate::supervision::Restart,
    /// How many instances came before the current one.
    incarnation: AtomicU32,
    /// Its slot in its parent's child list (written and read under the parent's lock).
    slot: AtomicU32,
    /// What only some actors have, allocated on first use: every actor has a cell, so it is
    /// kept small.
    extras: Mutex<Option<Box<Extras>>>,
    /// Handler time and mailbox high-water mark, in a metered system.
    meter: Option<Box<crate::observe::Meter>>,
    /// Where the messages its mailbox refuses are noted: its system's log (none for stand-ins).
    undelivered: Option<Arc<crate::undelivered::UndeliveredLog>>,
}

/// The part of a cell that only some actors use.
#[derive(Default)]
struct Extras {
    /// Tasks working for the actor (streams, repeated futures, timers), aborted when it stops.
    attached: Vec<AbortHandle>,
    /// Its troubles, for tools: the last error, panics, asks timed out, recent restarts.
    history: crate::observe::History,
    /// Its own task reads streams (`attach_stream_inline`): it may run a handler whenever an
    /// item comes, even with an empty mailbox.
    reads_streams: bool,
}

/// A shared, untyped cell: what an [`AnyRef`](crate::AnyRef) wraps, and what the runtime
/// keeps of other actors (children, notices) below the handles.
pub(crate) type CellRef = Arc<dyn CellControl>;

/// Untyped access to an actor's cell, for parents, the registry and [`AnyRef`](crate::AnyRef).
///
/// Signals set a control bit, then wake the actor by putting a wake-up envelope in its
/// mailbox. When the mailbox is full there is no need: the actor checks the bits before each
/// queued message; when it is closed the actor is already stopping.
pub(crate) trait CellControl: Send + Sync + 'static {
    fn core(&self) -> &CellCore;
    /// The actor's type.
    fn type_name(&self) -> &'static str;
    fn mailbox_len(&self) -> Option<usize>;
    fn mailbox_capacity(&self) -> Option<usize>;
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    /// Wakes the actor if it waits for a message.
    fn wake(&self);

    /// Closes its mailbox if it waits for a message and none is queued: it will then handle
    /// no message again. `true` when it did.
    fn close_if_idle(&self) -> bool;

    /// Whether every hook of its type is the default's (`#[actor]` on the struct): it does
    /// nothing in `on_stop`, and has no `on_child_stopped` to tell of its children's stops.
    fn default_hooks(&self) -> bool;

    /// Asks the actor to stop after its queued messages.
    fn request_stop(&self, by_person: bool) {
        self.core().mark_stop(by_person);
        let reason = if by_person {
            StopReason::StoppedByPerson
        } else {
            StopReason::Shutdown
        };
        if !self.end_unstarted(reason) {
            self.wake();
        }
    }

    /// Stops the actor now: its task is aborted at its next `.await`.
    fn kill(&self) {
        self.core().mark_kill();
        if !self.end_unstarted(StopReason::Killed) {
            self.wake();
        }
    }

    /// Ends an actor whose task has not started (it waits for its first message, see
    /// `runtime::spawn`) right here, for `reason`, when nothing is queued for it: there is
    /// nothing of its own to run. `false`, having done nothing, otherwise.
    fn end_unstarted(&self, reason: StopReason) -> bool;

    /// Drops what an actor whose task never started holds (its system is gone: nothing
    /// will start it), and closes its mailbox.
    fn drop_unstarted(&self);

    /// Queues a notice for the actor, handled between messages.
    fn post_system(&self, msg: SystemMsg) {
        self.core().push_system(msg);
        self.wake();
    }

    /// Whether its parent restarts it when an instance ends (it came from a factory, and its
    /// restart type is not `Temporary`).
    fn restartable(&self) -> bool;

    /// Drops the mailbox parked between two instances, if any.
    fn drop_parked(&self);

    /// Starts its next instance; `None` for an actor that is never restarted.
    fn start_next(self: Arc<Self>) -> Option<Restarting>;
}

impl CellCore {
    pub(crate) fn new(
        path: ActorPath,
        parent: Option<Weak<dyn CellControl>>,
        shutdown_timeout: Duration,
        restart: crate::supervision::Restart,
    ) -> Self {
        CellCore {
            path,
            parent,
            shutdown_timeout: u64::try_from(shutdown_timeout.as_nanos()).unwrap_or(u64::MAX),
            control: AtomicU8::new(0),
            system_queue: Mutex::new(ThinVec::new()),
            children: Mutex::new(Children::new()),
            state: AtomicU8::new(0),
            stopped_by_person: AtomicBool::new(false),
            reason: OnceLock::new(),
            terminated: Notify::new(),
            task: Mutex::new(None),
            restart,
            incarnation: AtomicU32::new(0),
            slot: AtomicU32::new(0),
            extras: Mutex::new(None),
            handled: AtomicU64::new(0),
            meter: None,
            undelivered: None,
        }
    }

    /// Notes the messages its mailbox refuses in `log`.
    pub(crate) fn logs_undelivered(mut self, log: Arc<crate::undelivered::UndeliveredLog>) -> Self {
        self.undelivered = Some(log);
        self
    }

    /// The log of its system's undelivered mail, if it keeps one.
    pub(crate) fn undelivered_log(&self) -> Option<&crate::undelivered::UndeliveredLog> {
        self.undelivered.as_deref()
    }

    /// Gives the actor a meter when `metered` (the system measures handler time).
    pub(crate) fn metered(mut self, metered: bool) -> Self {
        if metered {
            self.meter = Some(Box::default());
        }
        self
    }

    /// Its meter, in a metered system.
    #[inline]
    pub(crate) fn meter(&self) -> Option<&crate::observe::Meter> {
        self.meter.as_deref()
    }

    // ---- control signals -------------------------------------------------------------

    /// How long its parent lets it take to stop before killing it.
    pub(crate) fn shutdown_timeout(&self) -> Duration {
        match self.shutdown_timeout {
            u64::MAX => Duration::MAX,
            nanos => Duration::from_nanos(nanos),
        }
    }

    /// The pending control bits; zero on the fast path.
    #[inline]
    pub(crate) fn control(&self) -> u8 {
        self.control.load(Ordering::Acquire)
    }

    fn raise(&self, bit: u8) {
        self.control.fetch_or(bit, Ordering::AcqRel);
    }

    /// Marks a stop request; the caller then wakes the actor ([`CellControl::request_stop`]).
    pub(crate) fn mark_stop(&self, by_person: bool) {
        if by_person {
            self.stopped_by_person.store(true, Ordering::Release);
            self.raise(bits::STOP_BY_PERSON);
        } else {
            self.raise(bits::SHUTDOWN);
        }
    }

    /// Marks a kill and aborts the task at its next `.await`.
    fn mark_kill(&self) {
        self.raise(bits::KILL);
        if let Some((_, Some(handle))) = &*self.task.lock() {
            handle.abort();
        }
    }

    /// The id of the actor's task, once it has started.
    pub(crate) fn task_id(&self) -> Option<tokio::task::Id> {
        self.task.lock().as_ref().map(|(id, _)| *id)
    }

    /// Records the current instance's task id; called first thing by the task itself.
    pub(crate) fn set_task_id(&self, id: tokio::task::Id) {
        let mut task = self.task.lock();
        if task.as_ref().is_none_or(|(known, _)| *known != id) {
            *task = Some((id, None));
        }
    }

    /// Records the current instance's task, so a kill can abort it.
    pub(crate) fn set_task(&self, id: tokio::task::Id, handle: AbortHandle) {
        *self.task.lock() = Some((id, Some(handle)));
        // A kill that came before the handle was stored is seen by the loop through KILL.
    }

    pub(crate) fn clear_control(&self, bits: u8) {
        self.control.fetch_and(!bits, Ordering::AcqRel);
    }

    fn push_system(&self, msg: SystemMsg) {
        self.system_queue.lock().push(msg);
        self.raise(bits::SYSTEM);
    }

    pub(crate) fn take_system(&self) -> ThinVec<SystemMsg> {
        let mut queue = self.system_queue.lock();
        self.control.fetch_and(!bits::SYSTEM, Ordering::AcqRel);
        std::mem::take(&mut *queue)
    }

    /// Works on the extras, allocated on first use.
    fn with_extras<R>(&self, f: impl FnOnce(&mut Extras) -> R) -> R {
        f(self.extras.lock().get_or_insert_with(Box::default))
    }

    /// Notes that its own task reads streams (see [`Extras::reads_streams`]).
    pub(crate) fn note_reads_streams(&self) {
        self.with_extras(|extras| extras.reads_streams = true);
    }

    /// Whether a stop leaves it nothing of its own to run once its mailbox is closed idle:
    /// no children, no attached tasks or streams (nor anything else kept in the extras,
    /// which only a few actors have).
    pub(crate) fn bare(&self) -> bool {
        self.extras.lock().is_none() && !self.has_children()
    }

    // ---- attached tasks ----------------------------------------------------------------

    /// Tracks a task working for the actor; it is aborted when the actor stops. Tasks that
    /// already ended are forgotten on the way.
    pub(crate) fn attach(&self, task: AbortHandle) {
        self.with_extras(|extras| {
            extras.attached.retain(|t| !t.is_finished());
            extras.attached.push(task);
        });
    }

    // ---- history (what tools read of its troubles) ---------------------------------------

    /// Notes a told handler's error, given to `on_error`.
    pub(crate) fn note_error(&self, text: String) {
        self.with_extras(|extras| extras.history.error(text));
    }

    /// Notes that an instance ended for good with `reason` (a failure is noted as the last
    /// error, a panic counted).
    pub(crate) fn note_ended(&self, reason: &StopReason) {
        let mut extras = self.extras.lock();
        match extras.as_mut() {
            Some(extras) => extras.history.finished(reason),
            None if reason.is_failure() => {
                extras
                    .get_or_insert_with(Box::default)
                    .history
                    .ended(reason);
            }
            None => {}
        }
    }

    /// Notes that an instance ended with `reason` and its parent decides on a restart.
    pub(crate) fn note_parked(&self, reason: &StopReason) {
        self.with_extras(|extras| extras.history.parked(reason));
    }

    /// Notes that the next instance starts: the restart number `restarts`.
    pub(crate) fn note_restarted(&self, restarts: u32) {
        self.with_extras(|extras| extras.history.restarted(restarts));
    }

    /// Notes an ask that timed out waiting for the actor's reply.
    pub(crate) fn note_ask_timed_out(&self) {
        self.with_extras(|extras| extras.history.asks_timed_out += 1);
    }

    /// Reads the history (`f` gets `None` when nothing was ever noted), under the extras' lock.
    pub(crate) fn read_history<R>(
        &self,
        f: impl FnOnce(Option<&crate::observe::History>) -> R,
    ) -> R {
        f(self.extras.lock().as_ref().map(|extras| &extras.history))
    }

    /// Aborts every attached task.
    pub(crate) fn abort_attached(&self) {
        let attached = match self.extras.lock().as_mut() {
            Some(extras) => std::mem::take(&mut extras.attached),
            None => return,
        };
        for task in attached {
            task.abort();
        }
    }
}
