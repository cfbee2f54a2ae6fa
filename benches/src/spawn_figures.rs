//! What a spawn run measures, on every side: the spawn rate (until every actor has started,
//! and, where a side's spawn call returns sooner, until the calls returned), the memory per
//! actor (resident and live heap), and the stop rate; and the clock and readings that
//! measure them.

use std::time::{Duration, Instant};

use crate::heap;
use crate::rss;

/// What one spawn run measured.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpawnFigures {
    /// Actors spawned per second, the clock stopped once every actor has started (its start
    /// hook, or a raw task's first poll, has run).
    pub(crate) spawn_rate: f64,
    /// Actors spawned per second, the clock stopped once the spawn calls have returned (before
    /// the actors' tasks have run); `None` where the side's spawn call itself waits for the
    /// start.
    pub(crate) returned_rate: Option<f64>,
    /// Resident memory growth per idle actor, in bytes.
    pub(crate) rss_per_actor: f64,
    /// Live heap growth per idle actor, in bytes.
    pub(crate) heap_per_actor: f64,
    /// Live heap blocks (allocations) per idle actor.
    pub(crate) blocks_per_actor: f64,
    /// Actors stopped per second.
    pub(crate) stop_rate: f64,
}

/// The clock and readings of a spawn run, started just before the first spawn.
#[derive(Debug)]
pub(crate) struct SpawnClock {
    started: Instant,
    returned: Option<Duration>,
    rss_before: Option<u64>,
    heap: heap::Window,
}

impl SpawnClock {
    /// Hands the allocator's free memory back to the kernel, reads the resident memory, opens
    /// a heap window and starts the clock.
    pub(crate) fn start() -> SpawnClock {
        rss::trim_heap();
        let rss_before = rss::resident_bytes();
        let heap = heap::Window::open();
        SpawnClock {
            started: Instant::now(),
            returned: None,
            rss_before,
            heap,
        }
    }

    /// Every spawn call has returned (the actors may not have started yet).
    pub(crate) fn returned(&mut self) {
        self.returned = Some(self.started.elapsed());
    }

    /// Every actor has started: stops the clock, closes the heap window, reads the resident
    /// memory (in that order: reading it allocates).
    pub(crate) fn all_started(self) -> Spawned {
        let spawned = self.started.elapsed();
        let heap = self.heap.close();
        let rss_after = rss::resident_bytes();
        Spawned {
            spawned,
            returned: self.returned,
            rss_before: self.rss_before,
            rss_after,
            heap,
        }
    }
}

/// The readings of a spawn run once every actor has started.
#[derive(Debug)]
pub(crate) struct Spawned {
    spawned: Duration,
    returned: Option<Duration>,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    heap: heap::Growth,
}

impl Spawned {
    /// The figures of `n` actors spawned as read, then stopped in `stopped`.
    pub(crate) fn figures(self, n: usize, stopped: Duration) -> SpawnFigures {
        let per_actor = |v: i64| v as f64 / n as f64;
        SpawnFigures {
            spawn_rate: n as f64 / self.spawned.as_secs_f64(),
            returned_rate: self.returned.map(|d| n as f64 / d.as_secs_f64()),
            rss_per_actor: rss::per_item(self.rss_before, self.rss_after, n),
            heap_per_actor: per_actor(self.heap.bytes),
            blocks_per_actor: per_actor(self.heap.blocks),
            stop_rate: n as f64 / stopped.as_secs_f64(),
        }
    }
}
