//! What an actor's cell remembers of its troubles, for tools (a dashboard, a test): its last
//! error, its panics, its asks that timed out, its recent restarts and why. Values only: the
//! cell records them (`cell::history`), a ref reads them (`observe::readings`).

use std::collections::VecDeque;
use std::time::SystemTime;

use crate::stop::StopReason;

/// How many restarts an actor remembers, the oldest forgotten first.
pub const RECENT_RESTARTS: usize = 16;

/// An error an actor met: a told handler's `Err` given to `on_error`, or the failure that
/// ended one of its instances.
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, BoxError, Context, Directive, HandlerError, System};
///
/// struct Parser;
/// impl Actor for Parser {
///     fn on_error(&mut self, _: &mut Context<Self>, _: HandlerError) -> Directive {
///         Directive::Resume
///     }
/// }
///
/// #[aplay::actor]
/// impl Parser {
///     fn parse(&self, text: String) -> Result<u32, String> {
///         text.parse().map_err(|_| format!("not a number: {text}"))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let parser = system.spawn("parser", Parser).await?;
/// parser.parse("x".into()).tell().await?;       // told: the error goes to `on_error`
/// let _ = parser.parse("1".into()).await?;        // handled after the first
/// let any = aplay_core::ActorRef::to_any(&parser);
/// let note = any.last_error().expect("an error was noted");
/// assert_eq!(note.text, "parse: not a number: x");
/// assert_eq!(any.panics(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorNote {
    /// When it happened (the wall clock).
    pub at: SystemTime,
    /// What it said: `handler: message` for a handler's error, the stop reason's text for a
    /// failure.
    pub text: String,
}

/// A restart of an actor by its parent, and why its previous instance ended.
///
/// See the example on [`AnyRef::recent_restarts`](crate::AnyRef::recent_restarts).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestartNote {
    /// When the new instance was started (the wall clock).
    pub at: SystemTime,
    /// How many restarts so far, this one included.
    pub restarts: u32,
    /// Why the previous instance ended.
    pub reason: StopReason,
}

/// What a cell keeps of an actor's troubles; allocated with the cell's extras, on the first
/// one.
#[derive(Debug, Default)]
pub(crate) struct History {
    pub(crate) last_error: Option<ErrorNote>,
    pub(crate) panics: u64,
    pub(crate) asks_timed_out: u64,
    /// Why the last instance ended, until the next one starts.
    pub(crate) exit: Option<StopReason>,
    pub(crate) restarts: VecDeque<RestartNote>,
}

impl History {
    /// Notes an error now.
    pub(crate) fn error(&mut self, text: String) {
        self.last_error = Some(ErrorNote {
            at: SystemTime::now(),
            text,
        });
    }

    /// Notes how an instance ended: a failure is the last error, a panic is counted too.
    pub(crate) fn ended(&mut self, reason: &StopReason) {
        if let StopReason::Failed(failure) = reason {
            use crate::stop::FailureKind::{HandlerPanic, HookPanic, StartPanic, StopPanic};
            if matches!(
                failure.kind(),
                HandlerPanic | StartPanic | StopPanic | HookPanic
            ) {
                self.panics += 1;
            }
            self.error(reason.to_string());
        }
    }

    /// Notes a restart, with the reason its previous instance ended (noted by
    /// [`parked`](Self::parked)).
    pub(crate) fn restarted(&mut self, restarts: u32) {
        let reason = self.exit.take().unwrap_or(StopReason::Normal);
        if self.restarts.len() == RECENT_RESTARTS {
            self.restarts.pop_front();
        }
        self.restarts.push_back(RestartNote {
            at: SystemTime::now(),
            restarts,
            reason,
        });
    }

    /// Notes that the actor ended for good with `reason`, unless that is how its last
    /// instance ended already (noted when parked: a restart not made).
    pub(crate) fn finished(&mut self, reason: &StopReason) {
        if self.exit.take().as_ref() != Some(reason) {
            self.ended(reason);
        }
    }

    /// Notes that an instance ended with `reason` and waits for its parent's decision.
    pub(crate) fn parked(&mut self, reason: &StopReason) {
        self.ended(reason);
        self.exit = Some(reason.clone());
    }
}
