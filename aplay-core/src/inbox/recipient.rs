//! `Recipient<M>`: whoever takes an `M`, an inbox or an actor, behind one cloneable type.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::{ActorRef, Handle, RawRef};
use crate::path::ActorPath;
use crate::request::TellFuture;

pub(super) type DeliverFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// What a recipient delivers to.
pub(super) trait Deliver<M>: Send + Sync + 'static {
    fn try_deliver(&self, msg: M) -> Result<(), Error>;
    fn deliver(&self, msg: M) -> DeliverFuture<'_>;
    fn is_alive(&self) -> bool;
    fn path(&self) -> Option<&ActorPath> {
        None
    }
    fn describe(&self) -> String;
}

/// Whoever takes an `M` (actorio's `message.sender`): an [`Inbox`](crate::Inbox), or an actor
/// that turns an `M` into one of its messages. Cloneable, and the same type whatever stands
/// behind it, so a worker can reply to "whoever asked" without knowing its type.
///
/// # Examples
///
/// ```
/// use aplay_core::{Inbox, Recipient};
///
/// async fn reply(to: &Recipient<u64>, result: u64) {
///     // An actor or an inbox: the worker does not need to know.
///     let _ = to.tell(result).await;
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut inbox = Inbox::new();
/// reply(&inbox.recipient(), 42).await;
/// assert_eq!(inbox.recv().await, 42);
/// # }
/// ```
pub struct Recipient<M> {
    target: Arc<dyn Deliver<M>>,
}

impl<M: Send + 'static> Recipient<M> {
    pub(super) fn new(target: impl Deliver<M>) -> Self {
        Recipient {
            target: Arc::new(target),
        }
    }

    /// Delivers `msg`, waiting for room if an actor's mailbox is full.
    ///
    /// # Errors
    ///
    /// [`Error::Stopped`] when the actor stopped or the inbox was dropped, handing the message
    /// back (as the actor's message, for an actor).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it resolves leaves the message undelivered.
    ///
    /// See the example on [`Recipient`].
    pub async fn tell(&self, msg: M) -> Result<(), Error> {
        self.target.deliver(msg).await
    }

    /// Delivers `msg` without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::Full`] or [`Error::Stopped`], handing the message back.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::Inbox;
    /// let inbox = Inbox::new();
    /// let to = inbox.recipient();
    /// assert!(to.is_alive());
    /// assert_eq!(to.path(), None); // an inbox has no address
    /// to.try_tell("now")?;
    /// drop(inbox);
    /// assert!(!to.is_alive());
    /// assert!(matches!(to.try_tell("too late"), Err(aplay_core::Error::Stopped(_))));
    /// # Ok(()) }
    /// ```
    pub fn try_tell(&self, msg: M) -> Result<(), Error> {
        self.target.try_deliver(msg)
    }

    /// Whether what stands behind it still takes messages.
    ///
    /// See the example on [`try_tell`](Self::try_tell).
    pub fn is_alive(&self) -> bool {
        self.target.is_alive()
    }

    /// The actor's address, `None` for an inbox.
    ///
    /// See the examples on [`try_tell`](Self::try_tell) and [`ActorRef::recipient`].
    pub fn path(&self) -> Option<&ActorPath> {
        self.target.path()
    }
}

impl<M> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Recipient {
            target: Arc::clone(&self.target),
        }
    }
}

impl<M: 'static> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({})", self.target.describe())
    }
}

/// An actor behind a recipient, with the function that makes its message of an `M`.
struct ActorTarget<A: Dispatch, F> {
    raw: RawRef<A>,
    to_message: F,
}

impl<A, M, F> Deliver<M> for ActorTarget<A, F>
where
    A: Dispatch,
    M: Send + 'static,
    F: Fn(M) -> A::Msg + Send + Sync + 'static,
{
    fn try_deliver(&self, msg: M) -> Result<(), Error> {
        self.raw.try_send((self.to_message)(msg))
    }

    fn deliver(&self, msg: M) -> DeliverFuture<'_> {
        Box::pin(TellFuture::new(&self.raw, (self.to_message)(msg)))
    }

    fn is_alive(&self) -> bool {
        self.raw.is_alive()
    }

    fn path(&self) -> Option<&ActorPath> {
        Some(self.raw.path())
    }

    fn describe(&self) -> String {
        self.raw.path().to_string()
    }
}

impl<A: Dispatch> ActorRef<A> {
    /// A recipient of `M`s that delivers each to this actor as `to_message(m)`, typically
    /// a constructor `#[actor]` generates on the message enum:
    /// `ActorRef::recipient(&collector, CollectorMsg::result)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{ActorRef, System};
    /// # use aplay_doc_actors::{Counter, CounterMsg};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// // Whoever sends a `u64` to this recipient adds it to the counter.
    /// let adds = ActorRef::recipient(&counter, CounterMsg::add);
    /// assert_eq!(adds.path().map(|p| p.as_str()), Some("/counter"));
    /// adds.tell(4).await?;
    /// adds.try_tell(1)?;
    /// assert_eq!(counter.get().await?, 5);
    /// # Ok(()) }
    /// ```
    pub fn recipient<M, F>(this: &Self, to_message: F) -> Recipient<M>
    where
        M: Send + 'static,
        F: Fn(M) -> A::Msg + Send + Sync + 'static,
    {
        Recipient::new(ActorTarget {
            raw: this.raw().clone(),
            to_message,
        })
    }
}
