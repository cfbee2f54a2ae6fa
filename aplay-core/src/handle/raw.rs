//! The raw ref under every typed handle.

use std::fmt;
use std::sync::Arc;

use crate::actor::Dispatch;
use crate::cell::ActorCell;
use crate::error::{Error, Undelivered};
use crate::mailbox::TrySend;
use crate::path::ActorPath;

/// The generated handle of an actor (`CounterHandle` for `#[actor] impl Counter`): one method
/// per message. [`ActorRef<A>`](crate::ActorRef) dereferences to it.
///
/// Written by `#[actor]`; not meant to be implemented by hand.
pub trait Handle<A: Dispatch>: Clone + Send + Sync + 'static {
    /// Wraps the raw ref.
    #[doc(hidden)]
    fn from_raw(raw: RawRef<A>) -> Self;
    /// The raw ref inside.
    #[doc(hidden)]
    fn raw(&self) -> &RawRef<A>;
}

/// A handle without methods, for actors whose [`Dispatch`] is written by hand.
pub struct BareHandle<A: Dispatch> {
    raw: RawRef<A>,
}

impl<A: Dispatch> Handle<A> for BareHandle<A> {
    fn from_raw(raw: RawRef<A>) -> Self {
        BareHandle { raw }
    }
    fn raw(&self) -> &RawRef<A> {
        &self.raw
    }
}

impl<A: Dispatch> Clone for BareHandle<A> {
    fn clone(&self) -> Self {
        BareHandle {
            raw: self.raw.clone(),
        }
    }
}

impl<A: Dispatch> fmt::Debug for BareHandle<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

/// The sending side of one actor's mailbox, shared by all its refs. Generated handle methods
/// send through it; users hold [`ActorRef`](crate::ActorRef)s instead.
pub struct RawRef<A: Dispatch> {
    pub(crate) cell: Arc<ActorCell<A>>,
}

impl<A: Dispatch> RawRef<A> {
    pub(crate) fn new(cell: Arc<ActorCell<A>>) -> Self {
        RawRef { cell }
    }

    /// The actor's address.
    pub fn path(&self) -> &ActorPath {
        &self.cell.core.path
    }

    /// Enqueues without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::Full`] or [`Error::Stopped`], each handing the message back.
    #[inline]
    pub fn try_send(&self, msg: A::Msg) -> Result<(), Error> {
        match self.cell.mailbox.try_send(msg) {
            TrySend::Sent => Ok(()),
            TrySend::Full(m) => Err(Error::Full(self.undelivered(m))),
            TrySend::Closed(m) => Err(Error::Stopped(self.undelivered(m))),
        }
    }

    /// Whether the actor has not stopped.
    pub fn is_alive(&self) -> bool {
        self.cell.core.is_alive()
    }

    pub(crate) fn undelivered(&self, msg: A::Msg) -> Undelivered {
        Undelivered::new(Some(self.path().clone()), msg)
    }
}

impl<A: Dispatch> Clone for RawRef<A> {
    fn clone(&self) -> Self {
        RawRef {
            cell: Arc::clone(&self.cell),
        }
    }
}

impl<A: Dispatch> fmt::Debug for RawRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorRef")
            .field("path", self.path())
            .field("actor", &std::any::type_name::<A>())
            .finish()
    }
}
