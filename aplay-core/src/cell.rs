//! The state an actor shares with its refs: control signals, lifecycle, children.
//!
//! The actor's own task owns the actor value and the mailbox receiver; everything other tasks
//! need to see or signal lives here, behind atomics or short `Mutex` sections (never held
//! across an `.await`).

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::path::ActorPath;
use crate::stop::StopReason;

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

/// Where an actor is in its life.
///
/// See the examples on [`ActorRef`](crate::ActorRef) and [`AnyRef`](crate::AnyRef).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActorState {
    /// Spawned; `on_start` has not finished.
    Starting,
    /// Handling messages.
    Running,
    /// Stopping: handling what was queued, stopping its children, running `on_stop`.
    Stopping,
    /// A supervised actor between two instances: the last one ended and its parent is
    /// deciding, or starting the next one. Its mailbox keeps the messages sent meanwhile.
    Restarting,
    /// Stopped; see [`AnyRef::stop_reason`](crate::AnyRef::stop_reason).
    Stopped,
}

impl ActorState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => ActorState::Starting,
            1 => ActorState::Running,
            2 => ActorState::Stopping,
            3 => ActorState::Restarting,
            _ => ActorState::Stopped,
        }
    }
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

/// The children of an actor, in start order.
pub(crate) struct Children {
    /// In start order. A child that leaves leaves an empty slot (so that the others keep
    /// theirs): finding a child is one index, never a search, whatever the order they stop
    /// in. The slots are compacted once more than half are empty.
    list: Vec<Option<CellRef>>,
    /// How many slots hold a child (a `u32`, as the slots: the list stays in the cell's
    /// 40 bytes).
    live: u32,
    /// Set once the actor stops: no child may join after that.
    closed: bool,
}

impl Children {
    fn new() -> Self {
        Children {
            list: Vec::new(),
            live: 0,
            closed: false,
        }
    }

    fn push(&mut self, child: CellRef) {
        child
            .core()
            .slot
            .store(Self::slot_of(self.list.len()), Ordering::Relaxed);
        self.list.push(Some(child));
        self.live += 1;
    }

    /// Removes `child` from its slot, if it is there.
    fn remove(&mut self, child: &CellCore) {
        let is = |c: &Option<CellRef>| c.as_ref().is_some_and(|c| std::ptr::eq(c.core(), child));
        let slot = child.slot.load(Ordering::Relaxed) as usize;
        let slot = if self.list.get(slot).is_some_and(is) {
            slot
        } else {
            // Not where it should be (it never is, short of four billion children): search.
            debug_assert!(
                slot == u32::MAX as usize || !self.list.iter().any(is),
                "a child's slot is out of date"
            );
            match self.list.iter().rposition(is) {
                Some(slot) => slot,
                None => return,
            }
        };
        self.list[slot] = None;
        self.live -= 1;
        // The youngest leave first most often (a shutdown): the list just gets shorter.
        while matches!(self.list.last(), Some(None)) {
            self.list.pop();
        }
        if (self.live as usize) < self.list.len() / 2 {
            self.compact();
        }
    }

    /// Closes the gaps, and tells each child its new slot (under the parent's lock, as every
    /// read of a slot is).
    fn compact(&mut self) {
        self.list.retain(Option::is_some);
        for (i, child) in self.list.iter().flatten().enumerate() {
            child.core().slot.store(Self::slot_of(i), Ordering::Relaxed);
        }
    }

    fn slot_of(index: usize) -> u32 {
        // A parent with four billion children is not one this list serves; saturate.
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// The children, in start order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = &CellRef> {
        self.list.iter().flatten()
    }
}

/// The untyped shared state of one actor.
pub(crate) struct CellCore {
    pub(crate) path: ActorPath,
    pub(crate) parent: Option<Weak<dyn CellControl>>,
    pub(crate) shutdown_timeout: Duration,
    control: AtomicU8,
    system_queue: Mutex<Vec<SystemMsg>>,
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
}

/// The part of a cell that only some actors use.
#[derive(Default)]
struct Extras {
    /// Tasks working for the actor (streams, repeated futures, timers), aborted when it stops.
    attached: Vec<AbortHandle>,
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

    /// Asks the actor to stop after its queued messages.
    fn request_stop(&self, by_person: bool) {
        self.core().mark_stop(by_person);
        self.wake();
    }

    /// Stops the actor now: its task is aborted at its next `.await`.
    fn kill(&self) {
        self.core().mark_kill();
        self.wake();
    }

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
            shutdown_timeout,
            control: AtomicU8::new(0),
            system_queue: Mutex::new(Vec::new()),
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
        }
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

    /// The pending control bits; zero on the fast path.
    #[inline]
    pub(crate) fn control(&self) -> u8 {
        self.control.load(Ordering::Acquire)
    }

    fn raise(&self, bit: u8) {
        self.control.fetch_or(bit, Ordering::AcqRel);
    }

    /// Marks a stop request; the caller then wakes the actor ([`CellControl::request_stop`]).
    fn mark_stop(&self, by_person: bool) {
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

    pub(crate) fn take_system(&self) -> Vec<SystemMsg> {
        let mut queue = self.system_queue.lock();
        self.control.fetch_and(!bits::SYSTEM, Ordering::AcqRel);
        std::mem::take(&mut *queue)
    }

    // ---- children ----------------------------------------------------------------------

    /// Adds a child, unless this actor is stopping.
    pub(crate) fn adopt(&self, child: CellRef) -> bool {
        let mut children = self.children.lock();
        if children.closed {
            return false;
        }
        children.push(child);
        true
    }

    /// Removes a child that stopped: one index, whatever the number of children.
    pub(crate) fn forget_child(&self, child: &CellCore) {
        self.children.lock().remove(child);
    }

    /// Closes the child list and returns the children, youngest first.
    pub(crate) fn close_children(&self) -> Vec<CellRef> {
        let mut children = self.children.lock();
        children.closed = true;
        children.iter().rev().cloned().collect()
    }

    /// The children, in start order.
    pub(crate) fn children(&self) -> Vec<CellRef> {
        self.children.lock().iter().cloned().collect()
    }

    pub(crate) fn accepts_children(&self) -> bool {
        !self.children.lock().closed
    }

    // ---- supervision -------------------------------------------------------------------

    /// Asks the actor to stop after its current message so its parent can restart it.
    pub(crate) fn request_restart_stop(&self) {
        self.raise(bits::RESTART);
    }

    pub(crate) fn incarnation(&self) -> u32 {
        self.incarnation.load(Ordering::Acquire)
    }

    pub(crate) fn next_incarnation(&self) -> u32 {
        self.incarnation.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Works on the extras, allocated on first use.
    fn with_extras<R>(&self, f: impl FnOnce(&mut Extras) -> R) -> R {
        f(self.extras.lock().get_or_insert_with(Box::default))
    }

    /// Enters the pause between two instances, `keep` putting the mailbox aside, unless the
    /// parent is stopping (checked under the parent's child list lock, which its stop
    /// sequence takes to close the list): then `false`, and the actor stops for good.
    pub(crate) fn pause(&self, parent: &CellCore, keep: impl FnOnce()) -> bool {
        let children = parent.children.lock();
        if children.closed {
            return false;
        }
        keep();
        self.clear_control(bits::RESTART);
        self.set_state(ActorState::Restarting);
        drop(children);
        true
    }

    /// Lets children join again (a new instance starts with none).
    pub(crate) fn reopen_children(&self) {
        self.children.lock().closed = false;
    }

    /// Waits until the state satisfies `done`, and returns it.
    pub(crate) async fn wait_state(&self, done: impl Fn(ActorState) -> bool) -> ActorState {
        loop {
            let notified = self.terminated.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let state = self.state();
            if done(state) {
                return state;
            }
            notified.await;
        }
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

    // ---- lifecycle ---------------------------------------------------------------------

    pub(crate) fn state(&self) -> ActorState {
        ActorState::from_u8(self.state.load(Ordering::Acquire))
    }

    pub(crate) fn set_state(&self, state: ActorState) {
        let v = match state {
            ActorState::Starting => 0,
            ActorState::Running => 1,
            ActorState::Stopping => 2,
            ActorState::Restarting => 3,
            ActorState::Stopped => 4,
        };
        self.state.store(v, Ordering::Release);
        // A parent restarting its children waits for them to be parked; the final stop wakes
        // its waiters itself (`notify_stopped`), after the bookkeeping. No other state is
        // waited for, so no other change wakes anyone.
        if state == ActorState::Restarting {
            self.terminated.notify_waiters();
        }
    }

    /// Whether it has not stopped for good (a parked, restarting actor is alive).
    pub(crate) fn is_alive(&self) -> bool {
        self.state() != ActorState::Stopped
    }

    pub(crate) fn stopped_by_person(&self) -> bool {
        self.stopped_by_person.load(Ordering::Acquire)
    }

    pub(crate) fn count_handled(&self) {
        // Only the actor's task writes: a load and a store avoid a locked instruction.
        let n = self.handled.load(Ordering::Relaxed);
        self.handled.store(n + 1, Ordering::Relaxed);
    }

    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    pub(crate) fn stop_reason(&self) -> Option<&StopReason> {
        self.reason.get()
    }

    /// Records the final reason. Called once, before [`notify_stopped`](Self::notify_stopped).
    pub(crate) fn record_stop(&self, reason: StopReason) {
        let _ = self.reason.set(reason);
        self.set_state(ActorState::Stopped);
    }

    /// Wakes everyone waiting for the end.
    pub(crate) fn notify_stopped(&self) {
        self.terminated.notify_waiters();
    }

    /// Waits until the actor has stopped, and returns why.
    pub(crate) async fn terminated(&self) -> StopReason {
        loop {
            let notified = self.terminated.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.reason.get() {
                return reason.clone();
            }
            notified.await;
        }
    }
}
