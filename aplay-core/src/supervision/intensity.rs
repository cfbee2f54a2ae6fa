//! The restart limit: at most N restarts within a sliding period.

use std::collections::VecDeque;

use tokio::time::Instant;

use super::Supervision;

/// The times of recent restarts, to enforce a [`Supervision`] limit.
#[derive(Debug, Default)]
pub(crate) struct Intensity {
    restarts: VecDeque<Instant>,
}

impl Intensity {
    /// Counts a restart now; `false` if it goes past the limit.
    pub(crate) fn allow(&mut self, limit: &Supervision) -> bool {
        let (max, within) = limit.limit();
        let now = Instant::now();
        while self
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) >= within)
        {
            self.restarts.pop_front();
        }
        if self.restarts.len() as u32 >= max {
            return false;
        }
        self.restarts.push_back(now);
        true
    }
}
