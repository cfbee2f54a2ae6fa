//! The error type of every fallible aplay operation.

use std::time::Duration;

use crate::path::ActorPath;
use crate::stop::StopReason;
pub use crate::undelivered::Undelivered;

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
/// gate.wait_stopped().await;
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
    /// An actor asked itself from its own handler or hook: it would wait for a reply that only
    /// its next message can give, which it cannot take while it waits, so forever. Found at
    /// once, before anything is sent: the message is handed back. Call the method directly,
    /// send a tell (`.tell()`), or ask from a task of its own (`ctx.spawn_task`, a stream).
    /// An ask cycle through other actors (A asks B, whose handler asks A) is not found: give
    /// such asks a timeout.
    #[error(
        "{} asked itself and would wait forever for its own reply: call the method directly, send a tell, or ask from a task of its own",
        .0.target()
    )]
    WouldDeadlock(Undelivered),
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
    /// A pool was asked to run with no workers (`spawn_pool` or `resize` with a size of 0).
    #[error("the pool {path} needs at least one worker; a size of 0 was asked for")]
    EmptyPool {
        /// The pool's address (or the name it was to have).
        path: String,
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
    /// A job was enqueued with a unique key that a job queued, delayed or running at the
    /// same path holds, and [`Duplicate::Refuse`](crate::redis::Duplicate::Refuse) was
    /// asked for (feature `redis`). See
    /// [`Enqueue::key`](crate::redis::Enqueue::key).
    #[cfg(feature = "redis")]
    #[error("a job with the key {key:?} is already queued or running at {path}: {job}")]
    DuplicateJob {
        /// Where the job was sent.
        path: ActorPath,
        /// The unique key.
        key: String,
        /// The id of the job that holds it.
        job: String,
    },
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
            Error::Full(u)
            | Error::Stopped(u)
            | Error::SendTimeout(u)
            | Error::WouldDeadlock(u) => Some(u),
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
