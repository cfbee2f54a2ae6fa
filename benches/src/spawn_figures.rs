//! What a spawn run measures, on every side: spawn and stop rates, and memory per actor.

use std::time::Duration;

/// What one spawn run measured.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpawnFigures {
    /// Actors spawned (and started) per second.
    pub(crate) spawn_rate: f64,
    /// Resident memory growth per idle actor, in bytes.
    pub(crate) bytes_per_actor: f64,
    /// Actors stopped per second.
    pub(crate) stop_rate: f64,
}

impl SpawnFigures {
    /// The figures of `n` actors spawned in `spawned` and stopped in `stopped`, with the
    /// resident memory read `before` and `after` the spawns.
    pub(crate) fn measured(
        n: usize,
        spawned: Duration,
        stopped: Duration,
        before: Option<u64>,
        after: Option<u64>,
    ) -> SpawnFigures {
        SpawnFigures {
            spawn_rate: n as f64 / spawned.as_secs_f64(),
            bytes_per_actor: crate::rss::per_item(before, after, n),
            stop_rate: n as f64 / stopped.as_secs_f64(),
        }
    }
}
