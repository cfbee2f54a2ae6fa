//! `ActorRef<A>`: the typed handle users hold.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use super::any_ref::{AnyRef, stop_by_person};
use crate::actor::Dispatch;
use crate::actor::cell::ActorCell;
use crate::actor::raw::{Handle, HandleParts, RawRef};
use crate::cell::{ActorState, CellControl};
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
/// [`is_alive`](Self::is_alive), [`stop`](Self::stop), [`kill`](Self::kill),
/// [`wait_stopped`](Self::wait_stopped). The rest are associated functions, called as
/// `ActorRef::send(&r, msg)`, as `Arc::strong_count` is; its name is `r.path().name()`.
///
/// # Examples
///
/// ```
/// use aplay_core::{ActorRef, System};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter: ActorRef<Counter> = system.spawn("counter", Counter::default()).await?;
/// // Message methods, reached through the ref (the handle `#[actor]` generates):
/// counter.add(5).await?;
/// assert_eq!(counter.get().await?, 5);
/// // The ref's own methods:
/// assert_eq!(counter.path(), "/counter");
/// assert_eq!(counter.path().name(), "counter");
/// assert!(counter.is_alive());
/// assert_eq!(ActorRef::state(&counter), aplay_core::ActorState::Running);
/// // Refs are cheap to clone, compare by actor, and convert to an untyped `AnyRef`.
/// let same = counter.clone();
/// assert_eq!(same, counter);
/// assert_eq!(ActorRef::to_any(&counter).type_name(), std::any::type_name::<Counter>());
/// counter.stop().await;
/// assert!(!same.is_alive());
/// # Ok(()) }
/// ```
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
    ///
    /// See the example on [`ActorRef`].
    pub fn path(&self) -> &ActorPath {
        &self.cell().core.path
    }

    /// Whether it has not stopped yet.
    ///
    /// See the example on [`ActorRef`].
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
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{ActorRef, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// counter.add(1).await?;
    /// // The queued `add` is handled first; then the counter stops.
    /// assert_eq!(counter.stop().await, aplay_core::StopReason::StoppedByPerson);
    /// assert!(!counter.is_alive());
    /// assert!(ActorRef::to_any(&counter).stopped_by_person());
    /// // Stopping again returns at once, with the same reason.
    /// assert_eq!(counter.stop().await, aplay_core::StopReason::StoppedByPerson);
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self) -> StopReason {
        stop_by_person(self.cell()).await
    }

    /// Stops it now: the handler it is in is dropped at its next `.await`, queued messages are
    /// dropped (their askers get [`Error::NoReply`]), `on_stop` does not run, and its children
    /// are killed too. Use [`wait_stopped`](Self::wait_stopped) to wait for the end.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Error, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// counter.kill();
    /// assert_eq!(counter.wait_stopped().await, aplay_core::StopReason::Killed);
    /// assert!(matches!(counter.add(1).await, Err(Error::Stopped(_))));
    /// # Ok(()) }
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// let waiter = tokio::spawn({
    ///     let counter = counter.clone();
    ///     async move { counter.wait_stopped().await }
    /// });
    /// system.shutdown().await;
    /// assert_eq!(waiter.await.unwrap(), aplay_core::StopReason::Shutdown);
    /// # Ok(()) }
    /// ```
    pub async fn wait_stopped(&self) -> StopReason {
        self.cell().core.terminated().await
    }

    /// Sends an already built message (`CounterMsg::Add { .. }`), waiting for room.
    ///
    /// # Errors
    ///
    /// [`Error::Stopped`], handing the message back.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{ActorRef, Error, System};
    /// # use aplay_doc_actors::{Counter, CounterMsg};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// // `CounterMsg::add(n)`, a constructor `#[actor]` generates, builds the message `add(n)` sends.
    /// ActorRef::send(&counter, CounterMsg::add(2)).await?;
    /// ActorRef::try_send(&counter, CounterMsg::add(3))?;
    /// assert_eq!(counter.get().await?, 5);
    ///
    /// counter.stop().await;
    /// let Err(Error::Stopped(undelivered)) = ActorRef::send(&counter, CounterMsg::add(4)).await
    /// else { panic!("the counter has stopped") };
    /// // The message comes back.
    /// let Some(CounterMsg::Add { n, .. }) = undelivered.take_message::<CounterMsg>() else { panic!() };
    /// assert_eq!(n, 4);
    /// # Ok(()) }
    /// ```
    pub fn send(this: &Self, msg: A::Msg) -> TellFuture<'_, A> {
        TellFuture::new(this.handle.raw(), msg)
    }

    /// Sends an already built message, waiting for room, with `scope` for its handler to
    /// read from its context (a served job's state).
    #[cfg(feature = "redis")]
    pub(crate) async fn send_scoped(
        this: &Self,
        msg: A::Msg,
        scope: crate::mailbox::Scope,
    ) -> Result<(), Error> {
        this.handle.raw().send_scoped(msg, scope).await
    }

    /// Sends an already built message without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::Full`] or [`Error::Stopped`], handing the message back.
    ///
    /// See the example on [`send`](Self::send).
    pub fn try_send(this: &Self, msg: A::Msg) -> Result<(), Error> {
        this.handle.raw().try_send(msg)
    }

    /// Where it is in its life.
    ///
    /// See the example on [`ActorRef`]; [`ActorState`] lists the states.
    pub fn state(this: &Self) -> ActorState {
        this.cell().core.state()
    }

    /// An untyped handle to the same actor.
    ///
    /// See the example on [`ActorRef`].
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

impl AnyRef {
    /// The typed ref, if the actor is an `A`.
    ///
    /// See the example on [`AnyRef`].
    pub fn downcast<A: Dispatch>(&self) -> Option<ActorRef<A>> {
        self.cell_as_any()
            .downcast::<ActorCell<A>>()
            .ok()
            .map(ActorRef::from_cell)
    }
}
