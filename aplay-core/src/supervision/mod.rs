//! Supervision: children spawned from a factory are restarted by their parent's strategy,
//! within a limit of restarts per period, past which the parent gives up and fails itself.

mod decide;
mod intensity;
mod watch;

pub(crate) use decide::{child_stopped_hook, on_child_exit, restart_allowed};
pub(crate) use intensity::Intensity;

use std::time::Duration;

/// When a supervised child is restarted (OTP's restart types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, whatever ended it (except a stop by a person or its parent's stop).
    Permanent,
    /// Restarted only after a failure.
    Transient,
    /// Never restarted: what `ctx.spawn` gives.
    Temporary,
}

/// Which children a failure restarts (OTP's strategies).
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
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Supervision {
    strategy: Strategy,
    max_restarts: u32,
    within: Duration,
}

impl Supervision {
    /// The default limit: 3 restarts within 5 seconds (OTP's default is 1 within 5).
    pub const DEFAULT_MAX_RESTARTS: u32 = 3;
    /// The period of the default limit.
    pub const DEFAULT_WITHIN: Duration = Duration::from_secs(5);

    /// `strategy` with the default limit.
    pub fn new(strategy: Strategy) -> Self {
        Supervision {
            strategy,
            max_restarts: Self::DEFAULT_MAX_RESTARTS,
            within: Self::DEFAULT_WITHIN,
        }
    }

    /// At most `max_restarts` restarts within any `within` (a sliding window); one more and
    /// the parent stops its children and fails itself.
    pub fn max_restarts(mut self, max_restarts: u32, within: Duration) -> Self {
        self.max_restarts = max_restarts;
        self.within = within;
        self
    }

    /// The strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The limit: restarts, and the period they are counted over.
    pub fn limit(&self) -> (u32, Duration) {
        (self.max_restarts, self.within)
    }
}

impl Default for Supervision {
    fn default() -> Self {
        Supervision::new(Strategy::OneForOne)
    }
}
