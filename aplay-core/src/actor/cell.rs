//! The typed cell: an actor's shared state with its mailbox's sending side, and, for an actor
//! spawned from a factory, its restart plan. What the typed handles ([`RawRef`](super::raw::RawRef))
//! point at.

use std::any::Any;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::actor::Dispatch;
use crate::cell::{CellControl, CellCore, Restarting, bits};
use crate::handle::AnyRef;
use crate::mailbox::{MailboxReceiver, MailboxSender};
use crate::stop::StopReason;
use crate::system::WeakSystem;

/// How a supervised actor goes from one instance to the next, kept in its typed cell. The
/// cell only holds it: `supervision::restart` implements it (the one home of restarts).
pub(crate) trait Restarts<A: Dispatch>: Send + Sync + 'static {
    /// The instance in `cell` ended with `reason`: keeps its mailbox's receiving side for
    /// the next instance and tells the parent, or hands the reason back when the parent is
    /// gone or stopping (the stop is then final).
    fn park(
        &self,
        cell: &Arc<ActorCell<A>>,
        receiver: MailboxReceiver<A::Msg>,
        reason: StopReason,
        restart_requested: bool,
    ) -> Result<(), StopReason>;

    /// Drops the parked mailbox, if any: the asks queued in it get `Error::NoReply`.
    fn drop_parked(&self);

    /// Starts the next instance with the parked mailbox.
    fn start_next(&self, cell: Arc<ActorCell<A>>) -> Restarting;
}

/// The typed cell: the untyped part plus the mailbox's sending side.
pub(crate) struct ActorCell<A: Dispatch> {
    pub(crate) core: CellCore,
    pub(crate) mailbox: MailboxSender<A::Msg>,
    /// For an actor spawned from a factory: how its next instance starts.
    pub(crate) restarts: Option<Box<dyn Restarts<A>>>,
    /// An actor with nothing to run before its first message: what its task will own, kept
    /// here until something wakes it (the runtime starts it then, `runtime::spawn`).
    pub(crate) unstarted: Mutex<Option<Box<Unstarted<A>>>>,
}

/// What the task of an actor not started yet will own (its mailbox's receiving side is
/// made when it starts, from the cell's sending side: 16 bytes less to keep meanwhile).
pub(crate) struct Unstarted<A: Dispatch> {
    pub(crate) actor: A,
    /// Its own handle (the context is made when it starts).
    pub(crate) me: AnyRef,
    /// Weak: an unstarted actor does not keep its system alive.
    pub(crate) system: WeakSystem,
    /// Ends it without a task (the runtime's; this layer cannot name it).
    pub(crate) end: fn(Unstarted<A>, StopReason),
}

impl<A: Dispatch> CellControl for ActorCell<A> {
    fn core(&self) -> &CellCore {
        &self.core
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<A>()
    }

    fn mailbox_len(&self) -> Option<usize> {
        self.mailbox.len()
    }

    fn mailbox_capacity(&self) -> Option<usize> {
        self.mailbox.capacity()
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }

    fn wake(&self) {
        self.mailbox.signal();
    }

    fn close_if_idle(&self) -> bool {
        self.mailbox.close_if_idle()
    }

    fn end_unstarted(&self, reason: StopReason) -> bool {
        let mut slot = self.unstarted.lock();
        // Notices or children would need the task; and its mailbox must be empty, closed in
        // the same step (under the slot's lock: a message that came first starts the task
        // as soon as the lock is free).
        if slot.is_none()
            || self.core.control() & bits::SYSTEM != 0
            || self.core.has_children()
            || !self.mailbox.close_if_idle_unwoken()
        {
            return false;
        }
        let unstarted = slot.take().expect("looked at under the same lock");
        drop(slot);
        let end = unstarted.end;
        end(*unstarted, reason);
        true
    }

    fn drop_unstarted(&self) {
        let unstarted = self.unstarted.lock().take();
        drop(unstarted);
        self.mailbox.close();
    }

    fn default_hooks(&self) -> bool {
        A::__DEFAULT_HOOKS
    }

    fn restartable(&self) -> bool {
        self.restarts.is_some() && self.core.restart != crate::supervision::Restart::Temporary
    }

    fn drop_parked(&self) {
        if let Some(restarts) = &self.restarts {
            restarts.drop_parked();
        }
    }

    fn start_next(self: Arc<Self>) -> Option<Restarting> {
        let restarts = self.restarts.as_ref()?;
        Some(restarts.start_next(Arc::clone(&self)))
    }
}
