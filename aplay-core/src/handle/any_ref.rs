//! `AnyRef`: a handle to an actor of any type.

use std::fmt;
use std::sync::Arc;

use super::actor_ref::ActorRef;
use crate::actor::Dispatch;
use crate::cell::{ActorCell, ActorState, CellControl, CellCore};
use crate::path::ActorPath;
use crate::runtime;
use crate::stop::StopReason;

/// A handle to an actor whatever its type: a child in `on_child_stopped`, an entry of
/// `ctx.children()`. It can stop, kill and wait for the actor, and read its state;
/// [`downcast`](Self::downcast) gives the typed [`ActorRef`] back.
#[derive(Clone)]
pub struct AnyRef {
    cell: Arc<dyn CellControl>,
}

impl AnyRef {
    pub(crate) fn new(cell: Arc<dyn CellControl>) -> Self {
        AnyRef { cell }
    }

    pub(crate) fn core(&self) -> &CellCore {
        self.cell.core()
    }

    pub(crate) fn cell(&self) -> &Arc<dyn CellControl> {
        &self.cell
    }

    /// The actor's address.
    pub fn path(&self) -> &ActorPath {
        &self.core().path
    }

    /// The name it was spawned with.
    pub fn name(&self) -> &str {
        self.path().name()
    }

    /// The Rust type of the actor, e.g. `my_app::Worker`.
    pub fn type_name(&self) -> &'static str {
        self.cell.type_name()
    }

    /// Whether it has not stopped yet.
    pub fn is_alive(&self) -> bool {
        self.core().is_alive()
    }

    /// Where it is in its life.
    pub fn state(&self) -> ActorState {
        self.core().state()
    }

    /// Why it stopped, once it has.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.core().stop_reason().cloned()
    }

    /// Whether a person stopped it through its ref (aplay's `_human_runing_state`).
    pub fn stopped_by_person(&self) -> bool {
        self.core().stopped_by_person()
    }

    /// How many times its parent restarted it (0 for an actor never restarted).
    pub fn restarts(&self) -> u32 {
        self.core().incarnation()
    }

    /// How many messages it has handled.
    pub fn messages_handled(&self) -> u64 {
        self.core().handled()
    }

    /// How many messages wait in its mailbox (`None` for unbounded mailboxes, which do not
    /// count from the sending side).
    pub fn mailbox_len(&self) -> Option<usize> {
        self.cell.mailbox_len()
    }

    /// Its children, in start order.
    pub fn children(&self) -> Vec<AnyRef> {
        self.core().children()
    }

    /// Stops it as a person would; see [`ActorRef::stop`].
    ///
    /// # Cancel safety
    ///
    /// The stop is requested before the first `.await`.
    pub async fn stop(&self) -> StopReason {
        stop_by_person(&*self.cell).await
    }

    /// Stops it now; see [`ActorRef::kill`].
    pub fn kill(&self) {
        self.cell.kill();
    }

    /// Waits until it has stopped, and says why.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn join(&self) -> StopReason {
        self.core().terminated().await
    }

    /// The typed ref, if the actor is an `A`.
    pub fn downcast<A: Dispatch>(&self) -> Option<ActorRef<A>> {
        let any = Arc::clone(&self.cell).into_any();
        any.downcast::<ActorCell<A>>().ok().map(ActorRef::from_cell)
    }

    /// Whether two handles reach the same actor.
    pub fn same_actor(&self, other: &AnyRef) -> bool {
        std::ptr::eq(self.core(), other.core())
    }
}

impl fmt::Debug for AnyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyRef")
            .field("path", self.path())
            .field("actor", &self.type_name())
            .field("state", &self.state())
            .finish()
    }
}

impl PartialEq for AnyRef {
    fn eq(&self, other: &Self) -> bool {
        self.same_actor(other)
    }
}

impl Eq for AnyRef {}

/// A person's stop of the actor behind `cell`: requested, then waited for, unless the caller
/// runs inside that actor or a descendant (the end would wait for the caller).
pub(crate) async fn stop_by_person(cell: &dyn CellControl) -> StopReason {
    cell.request_stop(true);
    if runtime::current::inside(cell.core()) {
        return StopReason::StoppedByPerson;
    }
    cell.core().terminated().await
}
