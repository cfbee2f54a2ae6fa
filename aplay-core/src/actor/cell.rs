//! The typed cell: an actor's shared state with its mailbox's sending side, and, for an actor
//! spawned from a factory, its restart plan. What the typed handles ([`RawRef`](super::raw::RawRef))
//! point at.

use std::any::Any;
use std::sync::Arc;

use crate::actor::Dispatch;
use crate::cell::{CellControl, CellCore, Restarting};
use crate::mailbox::{MailboxReceiver, MailboxSender};
use crate::stop::StopReason;

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
