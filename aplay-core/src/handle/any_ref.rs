//! `AnyRef`: a handle to an actor of any type.

use std::fmt;
use std::sync::Arc;

use crate::cell::{ActorState, CellControl, CellCore};
use crate::path::ActorPath;
use crate::stop::StopReason;

/// A handle to an actor whatever its type: a child in `on_child_stopped`, an entry of
/// `ctx.children()`. It can stop, kill and wait for the actor, and read its state;
/// [`downcast`](Self::downcast) gives the typed [`ActorRef`](crate::ActorRef) back.
///
/// # Examples
///
/// ```
/// use aplay_core::{ActorRef, System};
/// use aplay_core::{ActorState, AnyRef};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.add(1).await?;
/// assert_eq!(counter.get().await?, 1);
///
/// // The kernel's children, whatever their types.
/// let children: Vec<AnyRef> = system.root().children();
/// let any = &children[0];
/// assert_eq!(any.path(), "/counter");
/// assert_eq!(any.name(), "counter");
/// assert!(any.type_name().ends_with("Counter"));
/// assert!(any.is_alive());
/// assert_eq!(any.state(), ActorState::Running);
/// assert_eq!(any.restarts(), 0);
/// assert_eq!(any.mailbox_len(), Some(0));
/// assert!(any.same_actor(&ActorRef::to_any(&counter)));
/// // Typed again:
/// let typed = any.downcast::<Counter>().expect("a Counter");
/// assert_eq!(typed, counter);
///
/// assert_eq!(any.stop_reason(), None);
/// any.stop().await;
/// assert!(any.stopped_by_person());
/// assert_eq!(any.stop_reason(), Some(aplay_core::StopReason::StoppedByPerson));
/// // Counted once the actor has stopped (and so has handled all it took):
/// assert_eq!(any.messages_handled(), 2);
/// # Ok(()) }
/// ```
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
    ///
    /// See the example on [`AnyRef`].
    pub fn path(&self) -> &ActorPath {
        &self.core().path
    }

    /// The name it was spawned with.
    ///
    /// See the example on [`AnyRef`].
    pub fn name(&self) -> &str {
        self.path().name()
    }

    /// The Rust type of the actor, e.g. `my_app::Worker`.
    ///
    /// See the example on [`AnyRef`].
    pub fn type_name(&self) -> &'static str {
        self.cell.type_name()
    }

    /// Whether it has not stopped yet.
    ///
    /// See the example on [`AnyRef`].
    pub fn is_alive(&self) -> bool {
        self.core().is_alive()
    }

    /// Where it is in its life.
    ///
    /// See the example on [`AnyRef`].
    pub fn state(&self) -> ActorState {
        self.core().state()
    }

    /// Why it stopped, once it has.
    ///
    /// See the example on [`AnyRef`].
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.core().stop_reason().cloned()
    }

    /// Whether a person stopped it through its ref (aplay's `_human_runing_state`).
    ///
    /// See the example on [`AnyRef`].
    pub fn stopped_by_person(&self) -> bool {
        self.core().stopped_by_person()
    }

    /// How many times its parent restarted it (0 for an actor never restarted).
    ///
    /// See the example on [`AnyRef`].
    pub fn restarts(&self) -> u32 {
        self.core().incarnation()
    }

    /// How many messages it has handled.
    ///
    /// See the example on [`AnyRef`].
    pub fn messages_handled(&self) -> u64 {
        self.core().handled()
    }

    /// How many messages wait in its mailbox (`None` for unbounded mailboxes, which do not
    /// count from the sending side).
    ///
    /// See the example on [`AnyRef`].
    pub fn mailbox_len(&self) -> Option<usize> {
        self.cell.mailbox_len()
    }

    /// Its children, in start order.
    ///
    /// See the example on [`AnyRef`].
    pub fn children(&self) -> Vec<AnyRef> {
        self.core()
            .children()
            .into_iter()
            .map(AnyRef::new)
            .collect()
    }

    /// Stops it as a person would; see [`ActorRef::stop`](crate::ActorRef::stop).
    ///
    /// # Cancel safety
    ///
    /// The stop is requested before the first `.await`.
    ///
    /// See the example on [`AnyRef`], and [`ActorRef::stop`](crate::ActorRef::stop) for another.
    pub async fn stop(&self) -> StopReason {
        stop_by_person(&*self.cell).await
    }

    /// Stops it now; see [`ActorRef::kill`](crate::ActorRef::kill).
    ///
    /// See the example on [`ActorRef::kill`](crate::ActorRef::kill).
    pub fn kill(&self) {
        self.cell.kill();
    }

    /// Waits until it has stopped, and says why.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`ActorRef::wait_stopped`](crate::ActorRef::wait_stopped).
    pub async fn wait_stopped(&self) -> StopReason {
        self.core().terminated().await
    }

    /// The actor's cell, for [`downcast`](Self::downcast) (beside `ActorRef`, above this).
    pub(super) fn cell_as_any(&self) -> Arc<dyn std::any::Any + Send + Sync> {
        Arc::clone(&self.cell).into_any()
    }

    /// Whether two handles reach the same actor.
    ///
    /// See the example on [`AnyRef`].
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
    tracing::info!(
        target: crate::observe::LIFECYCLE_TARGET,
        actor = %cell.core().path,
        "stop requested by a person"
    );
    cell.request_stop(true);
    if crate::cell::current::inside(cell.core()) {
        return StopReason::StoppedByPerson;
    }
    cell.core().terminated().await
}
