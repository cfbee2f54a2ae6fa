//! The error type of every fallible aplay operation.

use parking_lot::Mutex;
use std::any::Any;
use std::fmt;
use std::time::Duration;

use crate::path::ActorPath;
use crate::stop::StopReason;

/// What can go wrong when spawning, finding or messaging an actor.
///
/// Errors that refused a message hand it back inside an [`Undelivered`], so nothing is lost
/// silently: see [`Undelivered::take_message`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use tokio::sync::Notify;
/// use aplay_core::{Error, System};
/// # use aplay_doc_actors::{Counter, Gate, GateMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// // A `Gate` has room for one message; its `wait` handler waits until `open` is notified.
/// let system = System::new();
/// let gate = system.spawn("gate", Gate).await?;
/// let open = Arc::new(Notify::new());
/// gate.wait(open.clone()).await?; // being handled: it waits
/// gate.wait(open.clone()).await?; // fills the mailbox
/// match gate.wait(open.clone()).try_tell() {
///     Err(Error::Full(undelivered)) => {
///         assert_eq!(undelivered.path().map(|p| p.as_str()), Some("/gate"));
///         // Nothing is lost: the message comes back.
///         assert!(undelivered.take_message::<GateMsg>().is_some());
///     }
///     other => panic!("expected a full mailbox, got {other:?}"),
/// }
/// // Errors from finding actors say what is wrong.
/// assert!(matches!(system.address::<Gate>("/nobody"), Err(Error::NotFound { .. })));
/// let err = system.address::<Counter>("/gate").unwrap_err();
/// assert!(matches!(err, Error::WrongType { .. }));
/// assert!(err.to_string().starts_with("the actor at /gate is a "));
/// gate.kill();
/// gate.join().await;
/// assert!(matches!(gate.wait(open).try_tell(), Err(Error::Stopped(_))));
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `try_tell` found the mailbox full. The message is handed back.
    #[error("the mailbox of {} is full", .0.target())]
    Full(Undelivered),
    /// The actor is not running (it stopped, or never started), or the inbox was dropped.
    /// The message is handed back.
    #[error("{} is not running", .0.target())]
    Stopped(Undelivered),
    /// A tell or ask with a timeout waited that long for room in a full mailbox.
    /// The message is handed back.
    #[error("the mailbox of {} stayed full until the timeout", .0.target())]
    SendTimeout(Undelivered),
    /// An ask got no reply within its timeout. The message was delivered and may still be
    /// handled; its reply will be dropped.
    #[error("{path} did not reply within {after:?}")]
    Timeout {
        /// The actor that was asked.
        path: ActorPath,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The actor stopped, or its handler panicked, after taking the message and before
    /// replying.
    #[error("{path} stopped before replying")]
    NoReply {
        /// The actor that was asked.
        path: ActorPath,
    },
    /// A sibling with that name is already running.
    #[error("the name {path} is taken")]
    NameTaken {
        /// The address that is taken.
        path: ActorPath,
    },
    /// The name cannot name an actor.
    #[error("{name:?} is not a valid actor name: {reason}")]
    InvalidName {
        /// The name that was refused.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// No actor runs at that address.
    #[error("no actor at {path}")]
    NotFound {
        /// The address looked up.
        path: String,
    },
    /// An actor runs at that address, but of another type than the one asked for.
    #[error("the actor at {path} is a {actual}, not a {expected}")]
    WrongType {
        /// The address looked up.
        path: ActorPath,
        /// The type asked for.
        expected: &'static str,
        /// The type of the actor there.
        actual: &'static str,
    },
    /// The actor failed in `on_start` (an error or a panic); it is not running.
    #[error("{path} failed to start: {reason}")]
    StartFailed {
        /// Where it was to run.
        path: ActorPath,
        /// Why it stopped.
        reason: StopReason,
    },
    /// `decide_to_start` said no; the actor was not started.
    #[error("{path} decided not to start")]
    StartDeclined {
        /// Where it was to run.
        path: ActorPath,
    },
    /// The parent is stopping (or the system shut down), so it takes no new children.
    #[error("{parent} is stopping and takes no new children")]
    ParentStopping {
        /// The parent that refused.
        parent: ActorPath,
    },
    /// Redis could not be reached, refused a command, or replied unexpectedly (feature
    /// `redis`).
    #[cfg(feature = "redis")]
    #[error("redis: {0}")]
    Redis(crate::redis::RedisError),
    /// Messages sent through a remote ref are not in Redis: refused for good (handed back),
    /// or not stored within the time `flushed` waits (feature `redis`). See
    /// [`RemoteRef::flushed`](crate::redis::RemoteRef::flushed).
    #[cfg(feature = "redis")]
    #[error("redis: {0}")]
    NotFlushed(Box<crate::redis::NotFlushed>),
}

impl Error {
    /// The message this error hands back, if it refused one.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::Error;
    /// fn retry_later<M: 'static>(err: Error) -> Option<M> {
    ///     err.undelivered()?.take_message::<M>()
    /// }
    /// ```
    pub fn undelivered(&self) -> Option<&Undelivered> {
        match self {
            Error::Full(u) | Error::Stopped(u) | Error::SendTimeout(u) => Some(u),
            _ => None,
        }
    }
}

#[cfg(feature = "redis")]
impl From<crate::redis::RedisError> for Error {
    fn from(e: crate::redis::RedisError) -> Self {
        Error::Redis(e)
    }
}

/// A message that could not be delivered, handed back to the sender inside an [`Error`].
///
/// It holds the actor's generated message (`CounterMsg::Add { .. }` for `#[actor] impl
/// Counter`), which [`Undelivered::take_message`] returns.
///
/// # Examples
///
/// ```
/// use aplay_core::System;
/// # use aplay_doc_actors::{Counter, CounterMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.stop().await;
/// let err = counter.add(7).try_tell().unwrap_err();
/// let undelivered = err.undelivered().expect("a refused message");
/// assert_eq!(undelivered.path().map(|p| p.as_str()), Some("/counter"));
/// assert!(undelivered.message_type().ends_with("CounterMsg"));
/// assert!(undelivered.take_message::<String>().is_none()); // not a String
/// let Some(CounterMsg::Add { n, .. }) = undelivered.take_message::<CounterMsg>() else { panic!() };
/// assert_eq!(n, 7);
/// assert!(undelivered.take_message::<CounterMsg>().is_none()); // taken already
/// # Ok(()) }
/// ```
pub struct Undelivered {
    path: Option<ActorPath>,
    type_name: &'static str,
    // A `Mutex` keeps `Error` `Sync` while the message itself only needs to be `Send`.
    message: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Undelivered {
    pub(crate) fn new<M: Send + 'static>(path: Option<ActorPath>, message: M) -> Self {
        Undelivered {
            path,
            type_name: std::any::type_name::<M>(),
            message: Mutex::new(Some(Box::new(message))),
        }
    }

    /// The address of the actor the message was for; `None` for an [`Inbox`](crate::Inbox).
    ///
    /// See the example on [`Undelivered`].
    pub fn path(&self) -> Option<&ActorPath> {
        self.path.as_ref()
    }

    /// The actor's address, or "the inbox", for messages.
    fn target(&self) -> &dyn std::fmt::Display {
        match &self.path {
            Some(path) => path,
            None => &"the inbox",
        }
    }

    /// The Rust type of the message, e.g. `my_crate::CounterMsg`.
    ///
    /// See the example on [`Undelivered`].
    pub fn message_type(&self) -> &'static str {
        self.type_name
    }

    /// Takes the message back out. `None` if it is not an `M`, or was already taken.
    ///
    /// See the example on [`Undelivered`].
    pub fn take_message<M: 'static>(&self) -> Option<M> {
        let mut slot = self.message.lock();
        match slot.take()?.downcast::<M>() {
            Ok(message) => Some(*message),
            Err(other) => {
                *slot = Some(other);
                None
            }
        }
    }
}

impl fmt::Debug for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undelivered")
            .field("path", &self.path)
            .field("message_type", &self.type_name)
            .finish_non_exhaustive()
    }
}
