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
///
/// See the crate-level example; `#[actor]` writes handles, and the examples on [`request`](crate::request) show one used.
pub trait Handle<A: Dispatch>: Clone + Send + Sync + 'static {
    /// Wraps the raw ref.
    #[doc(hidden)]
    fn from_raw(raw: RawRef<A>) -> Self;
    /// The raw ref inside.
    #[doc(hidden)]
    fn raw(&self) -> &RawRef<A>;
}

/// A handle without methods, for actors whose [`Dispatch`] is written by hand.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use aplay_core::{Actor, ActorRef, BareHandle, Context, Dispatch, System};
/// struct Sink;
/// enum SinkMsg { Put(u8) }
/// impl Actor for Sink {}
/// impl Dispatch for Sink {
///     type Msg = SinkMsg;
///     type Handle = BareHandle<Self>; // no message methods: send built messages
///     async fn dispatch(&mut self, msg: SinkMsg, _: &mut Context<Self>) { let SinkMsg::Put(_) = msg; }
///     fn message_name(_: &SinkMsg) -> &'static str { "put" }
/// }
/// let system = System::new();
/// let sink = system.spawn("sink", Sink).await?;
/// ActorRef::send(&sink, SinkMsg::Put(1)).await?;
/// # Ok(()) }
/// ```
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
///
/// # Examples
///
/// ```
/// use aplay_core::{Handle, RawRef, System};
/// # use aplay_doc_actors::{Counter, CounterMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// // Under the typed ref, what generated handle methods send through.
/// let raw: &RawRef<Counter> = counter.raw();
/// assert_eq!(raw.path(), "/counter");
/// assert!(raw.is_alive());
/// raw.try_send(CounterMsg::add(1))?;
/// assert_eq!(counter.get().await?, 1);
/// # Ok(()) }
/// ```
pub struct RawRef<A: Dispatch> {
    pub(crate) cell: Arc<ActorCell<A>>,
}

impl<A: Dispatch> RawRef<A> {
    pub(crate) fn new(cell: Arc<ActorCell<A>>) -> Self {
        RawRef { cell }
    }

    /// The actor's address.
    ///
    /// See the example on [`RawRef`].
    pub fn path(&self) -> &ActorPath {
        &self.cell.core.path
    }

    /// Enqueues without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::Full`] or [`Error::Stopped`], each handing the message back.
    ///
    /// See the example on [`RawRef`].
    #[inline]
    pub fn try_send(&self, msg: A::Msg) -> Result<(), Error> {
        match self.cell.mailbox.try_send(msg) {
            TrySend::Sent => Ok(()),
            TrySend::Full(m) => Err(Error::Full(self.undelivered(m))),
            TrySend::Closed(m) => Err(Error::Stopped(self.undelivered(m))),
        }
    }

    /// Whether the actor has not stopped.
    ///
    /// See the example on [`RawRef`].
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
