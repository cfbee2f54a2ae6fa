//! Supervision: children spawned from a factory are restarted by their parent's strategy,
//! within a limit of restarts per period, past which the parent gives up and fails itself.

mod intensity;
mod restart;
mod watch;

pub(crate) use intensity::Intensity;
pub(crate) use restart::{Factory, make, on_child_exit, plan};
pub(crate) use watch::child_stopped_hook;

use crate::stop::StopReason;

use std::time::Duration;

/// When a supervised child is restarted (OTP's restart types).
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, Restart, System};
/// # use aplay_doc_actors::Flaky;
///
/// // `Flaky` reports each start on `starts` (its restart count), and fails when told to `crash`.
/// struct Boss { starts: Recipient<u32>, restart: Restart }
/// impl Actor for Boss {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         let starts = self.starts.clone();
///         ctx.spawn_supervised("flaky", self.restart, move || Flaky { starts: starts.clone() })
///             .await?;
///         Ok(())
///     }
/// }
/// #[aplay::actor]
/// impl Boss {} // no messages
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let mut starts = Inbox::new();
/// system.spawn("boss", Boss { starts: starts.recipient(), restart: Restart::Transient }).await?;
/// assert_eq!(starts.recv().await, 0);
/// let flaky = system.address::<Flaky>("/boss/flaky")?;
/// // A failure: a transient (or permanent) child is restarted, same address, same ref.
/// flaky.crash().await?;
/// assert_eq!(starts.recv().await, 1);
/// assert!(flaky.is_alive());
/// // A stop by a person is never undone.
/// flaky.stop().await;
/// assert!(!flaky.is_alive());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, whatever ended it (except a stop by a person or its parent's stop).
    Permanent,
    /// Restarted only after a failure.
    Transient,
    /// Never restarted: what `ctx.spawn` gives.
    Temporary,
}

impl Restart {
    /// Whether a stop for `reason` lets a child of this restart type be restarted. A stop by
    /// a person, by its parent or by a kill never does.
    pub(crate) fn allows(self, reason: &StopReason) -> bool {
        match reason {
            StopReason::StoppedByPerson | StopReason::Shutdown | StopReason::Killed => false,
            _ => match self {
                Restart::Permanent => true,
                Restart::Transient => reason.is_failure(),
                Restart::Temporary => false,
            },
        }
    }
}

/// Which children a failure restarts (OTP's strategies).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::{Actor, Strategy, Supervision};
///
/// struct Pipeline;
/// impl Actor for Pipeline {
///     fn supervision(&self) -> Supervision {
///         // Each stage feeds the next: a failed stage restarts the stages after it too.
///         Supervision::new(Strategy::RestForOne).max_restarts(10, Duration::from_secs(60))
///     }
/// }
/// assert_eq!(Pipeline.supervision().strategy(), Strategy::RestForOne);
/// assert_eq!(Strategy::default(), Strategy::OneForOne);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// Only the child that ended.
    #[default]
    OneForOne,
    /// Every child: the others are stopped youngest first, then all restarted oldest first.
    OneForAll,
    /// The child that ended and every child started after it.
    RestForOne,
}

/// How an actor supervises its children, returned by
/// [`Actor::supervision`](crate::Actor::supervision).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::{Strategy, Supervision};
///
/// let strict = Supervision::new(Strategy::OneForAll).max_restarts(1, Duration::from_secs(10));
/// assert_eq!(strict.strategy(), Strategy::OneForAll);
/// assert_eq!(Supervision::default().limit(), (3, Duration::from_secs(5)));
/// let blink = Supervision::default().max_restarts(3, Duration::ZERO);
/// assert_eq!(blink.limit(), (3, Duration::from_millis(1)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Supervision {
    strategy: Strategy,
    max_restarts: u32,
    within: Duration,
}

impl Supervision {
    /// The default limit: 3 restarts within 5 seconds (OTP's default is 1 within 5).
    ///
    /// See the example on [`Supervision`].
    pub const DEFAULT_MAX_RESTARTS: u32 = 3;
    /// The period of the default limit.
    ///
    /// See the example on [`Supervision`].
    pub const DEFAULT_WITHIN: Duration = Duration::from_secs(5);
    /// The shortest period: a zero one would count no two restarts together, and never
    /// reach the limit.
    const SHORTEST_WITHIN: Duration = Duration::from_millis(1);

    /// `strategy` with the default limit.
    ///
    /// See the examples on [`Supervision`] and [`Strategy`].
    pub fn new(strategy: Strategy) -> Self {
        Supervision {
            strategy,
            max_restarts: Self::DEFAULT_MAX_RESTARTS,
            within: Self::DEFAULT_WITHIN,
        }
    }

    /// At most `max_restarts` restarts within any `within` (a sliding window); one more and
    /// the parent stops its children and fails itself.
    ///
    /// `Duration::MAX` counts every restart, however far apart: at most `max_restarts` in the
    /// parent's life. A zero `within` is taken as one millisecond, the clock's resolution (in a
    /// zero window no two restarts count together, and the limit could never be reached).
    ///
    /// See the examples on [`Supervision`] and [`Strategy`].
    pub fn max_restarts(mut self, max_restarts: u32, within: Duration) -> Self {
        self.max_restarts = max_restarts;
        self.within = within.max(Self::SHORTEST_WITHIN);
        self
    }

    /// The strategy.
    ///
    /// See the examples on [`Supervision`] and [`Strategy`].
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The limit: restarts, and the period they are counted over.
    ///
    /// See the examples on [`Supervision`] and [`Strategy`].
    pub fn limit(&self) -> (u32, Duration) {
        (self.max_restarts, self.within)
    }
}

impl Default for Supervision {
    fn default() -> Self {
        Supervision::new(Strategy::OneForOne)
    }
}
