//! `ActorRef<A>`: the typed handle users hold.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use super::any_ref::{AnyRef, stop_by_person};
use super::raw::{Handle, RawRef};
use crate::actor::Dispatch;
use crate::cell::{ActorCell, ActorState, CellControl};
use crate::error::Error;
use crate::path::ActorPath;
use crate::request::TellFuture;
use crate::stop::StopReason;

/// A handle to a running actor of type `A`: `Clone + Send + Sync`, one pointer wide.
///
/// It dereferences to the handle `#[actor]` generates (`CounterHandle` for `Counter`), so
/// every message method is a method of the ref: `counter.add(5).await?`,
/// `let n = counter.get().await?;` (see [`request`](crate::request) for tell, ask, try_tell and
/// timeouts).
///
/// Its own methods are few, so they do not hide message methods: [`path`](Self::path),
/// [`name`](Self::name), [`is_alive`](Self::is_alive), [`stop`](Self::stop),
/// [`kill`](Self::kill), [`join`](Self::join). The rest are associated functions, called as
/// `ActorRef::send(&r, msg)`, as `Arc::strong_count` is.
pub struct ActorRef<A: Dispatch> {
    handle: A::Handle,
}

impl<A: Dispatch> ActorRef<A> {
    pub(crate) fn from_cell(cell: Arc<ActorCell<A>>) -> Self {
        ActorRef {
            handle: A::Handle::from_raw(RawRef::new(cell)),
        }
    }

    fn cell(&self) -> &ActorCell<A> {
        &self.handle.raw().cell
    }

    /// The actor's address, e.g. `/test/count`.
    pub fn path(&self) -> &ActorPath {
        &self.cell().core.path
    }

    /// The name it was spawned with: the last segment of its path.
    pub fn name(&self) -> &str {
        self.path().name()
    }

    /// Whether it has not stopped yet.
    pub fn is_alive(&self) -> bool {
        self.cell().core.is_alive()
    }

    /// Stops it as a person would (aplay's human stop): it handles the messages already in
    /// its mailbox, stops its children, runs `on_stop`, and this returns once it has stopped.
    /// Its parent will not restart it. Returns immediately if it had already stopped.
    ///
    /// Called from inside the actor itself or one of its descendants (their handlers or
    /// hooks), it cannot wait for that end, which waits for the caller: it asks for the stop,
    /// which happens once the caller's handler is over, and returns
    /// [`StopReason::StoppedByPerson`] at once. Inside the actor, `ctx.stop()` is the usual way.
    ///
    /// # Cancel safety
    ///
    /// The stop is requested before the first `.await`; dropping the future only stops the
    /// waiting.
    pub async fn stop(&self) -> StopReason {
        stop_by_person(self.cell()).await
    }

    /// Stops it now: the handler it is in is dropped at its next `.await`, queued messages are
    /// dropped (their askers get [`Error::NoReply`]), `on_stop` does not run, and its children
    /// are killed too. Use [`join`](Self::join) to wait for the end.
    pub fn kill(&self) {
        self.cell().kill();
    }

    /// Waits until it has stopped (actorio's `await actor`), and says why.
    ///
    /// Awaited inside the actor's own handler it would wait forever (the actor cannot stop
    /// while that handler runs), so do not.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn join(&self) -> StopReason {
        self.cell().core.terminated().await
    }

    /// Sends an already built message (`CounterMsg::Add { .. }`), waiting for room.
    ///
    /// # Errors
    ///
    /// [`Error::Stopped`], handing the message back.
    pub fn send(this: &Self, msg: A::Msg) -> TellFuture<'_, A> {
        TellFuture::new(this.handle.raw(), msg)
    }

    /// Sends an already built message without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::Full`] or [`Error::Stopped`], handing the message back.
    pub fn try_send(this: &Self, msg: A::Msg) -> Result<(), Error> {
        this.handle.raw().try_send(msg)
    }

    /// Where it is in its life.
    pub fn state(this: &Self) -> ActorState {
        this.cell().core.state()
    }

    /// An untyped handle to the same actor.
    pub fn to_any(this: &Self) -> AnyRef {
        AnyRef::new(this.handle.raw().cell.clone())
    }
}

impl<A: Dispatch> Deref for ActorRef<A> {
    type Target = A::Handle;

    fn deref(&self) -> &A::Handle {
        &self.handle
    }
}

impl<A: Dispatch> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        ActorRef {
            handle: self.handle.clone(),
        }
    }
}

impl<A: Dispatch> PartialEq for ActorRef<A> {
    /// Two refs are equal when they reach the same actor (not just the same address: an
    /// actor started again at a freed address is another actor).
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.cell(), other.cell())
    }
}

impl<A: Dispatch> Eq for ActorRef<A> {}

impl<A: Dispatch> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.cell(), state);
    }
}

impl<A: Dispatch> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.handle.raw().fmt(f)
    }
}
