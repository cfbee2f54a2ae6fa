//! Stopping, in one place: why an actor stopped (the reasons, here), how one actor stops
//! ([`actor`]: its children youngest first within their time limits, its `on_stop`, its last
//! step), and the system's timed shutdown ([`shutdown`]).
//!
//! The reasons are a value every layer uses; the rest sits above the runtime.

mod actor;
mod shutdown;

pub(crate) use actor::{finalize, stop_actor, stop_child, stop_children, wait_or_kill};
pub use shutdown::DEFAULT_SHUTDOWN_LIMIT;

use std::fmt;
use std::sync::Arc;

/// Why an actor stopped. Given to `on_stop`, to the parent's `on_child_stopped`, and returned
/// by [`ActorRef::wait_stopped`](crate::ActorRef::wait_stopped).
///
/// # Examples
///
/// ```
/// use aplay_core::{Failure, FailureKind, StopReason, System};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// let reason: StopReason = counter.stop().await;
/// assert_eq!(reason, StopReason::StoppedByPerson);
/// assert!(!reason.is_failure());
/// assert_eq!(reason.to_string(), "stopped by a person");
/// let failed = StopReason::Failed(Failure::new(FailureKind::HandlerPanic, "boom"));
/// assert!(failed.is_failure());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StopReason {
    /// It stopped itself with `ctx.stop()` (actorio's `EndMainLoop`).
    Normal,
    /// A person stopped it through its ref ([`ActorRef::stop`](crate::ActorRef::stop)): its
    /// parent will not restart it.
    StoppedByPerson,
    /// Its parent stopped, or the system shut down.
    Shutdown,
    /// It was killed ([`ActorRef::kill`](crate::ActorRef::kill), or a shutdown time limit ran
    /// out): it stopped at once, without `on_stop`.
    Killed,
    /// It failed: a panic, an error from `on_start`, or an error that `on_error` chose to fail on.
    Failed(Failure),
}

impl StopReason {
    /// Whether this is a failure (the only kind of stop a supervisor restarts after, for
    /// transient children).
    ///
    /// See the example on [`StopReason`].
    pub fn is_failure(&self) -> bool {
        matches!(self, StopReason::Failed(_))
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("stopped itself"),
            StopReason::StoppedByPerson => f.write_str("stopped by a person"),
            StopReason::Shutdown => f.write_str("shut down with its parent"),
            StopReason::Killed => f.write_str("killed"),
            StopReason::Failed(failure) => write!(f, "failed: {failure}"),
        }
    }
}

/// Where an actor failed.
///
/// See the example on [`Failure`], and [`Context::fail`](crate::Context::fail) for a failure in practice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FailureKind {
    /// A handler panicked.
    HandlerPanic,
    /// `on_start` panicked.
    StartPanic,
    /// `on_start` returned an error.
    StartError,
    /// `on_stop` panicked.
    StopPanic,
    /// `on_child_stopped` panicked.
    HookPanic,
    /// A handler returned an error and `on_error` answered [`Directive::Fail`](crate::Directive::Fail).
    HandlerError,
    /// Its children failed more often than its [`Supervision`](crate::Supervision) allows:
    /// it gave up restarting them and failed itself (escalation).
    RestartLimit,
    /// An actor linked to it failed.
    LinkedFailure,
}

/// A failure: where it happened and what it said (the panic text or the error's message).
///
/// # Examples
///
/// ```
/// use aplay_core::{Failure, FailureKind};
/// let failure = Failure::new(FailureKind::StartError, "no database");
/// assert_eq!(failure.kind(), &FailureKind::StartError);
/// assert_eq!(failure.message(), "no database");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Failure {
    kind: FailureKind,
    message: Arc<str>,
}

impl Failure {
    /// A failure of the given kind with its message.
    ///
    /// See the example on [`Failure`].
    pub fn new(kind: FailureKind, message: impl Into<Arc<str>>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// Where it happened.
    ///
    /// See the example on [`Failure`].
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// The panic text or the error's message.
    ///
    /// See the example on [`Failure`].
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.kind {
            FailureKind::HandlerPanic => "a handler panicked",
            FailureKind::StartPanic => "on_start panicked",
            FailureKind::StartError => "on_start returned an error",
            FailureKind::StopPanic => "on_stop panicked",
            FailureKind::HookPanic => "on_child_stopped panicked",
            FailureKind::HandlerError => "a handler returned an error",
            FailureKind::RestartLimit => "gave up restarting its children",
            FailureKind::LinkedFailure => "an actor linked to it failed",
        };
        write!(f, "{place}: {}", self.message)
    }
}
