//! The same scenarios on other actor frameworks from crates.io, one module each.
//!
//! Every peer runs the counter of [`crate::scenarios`]: a tell `Add(n)`, and asks `Get` (the
//! count) and `Incr(x)` (`x + 1`), written the way that framework's documentation does, with a
//! bounded mailbox of [`crate::CAPACITY`] where the framework has one. kameo, ractor and xtra
//! run on the shared tokio runtime, like aplay; actix runs its own `actix_rt::System` (a tokio
//! current-thread runtime) on a thread of its own. Each module's `SETUP` says how, for the
//! notes under the table.
//!
//! Spawn: where a framework's spawn call returns before the actor has started, the clock
//! (and the memory reading) waits until every actor's start hook has run, as aplay's spawn
//! does; a [`Tally`] counts them.

pub(crate) mod actix;
pub(crate) mod kameo;
pub(crate) mod ractor;
pub(crate) mod xtra;

use std::sync::atomic::{AtomicUsize, Ordering};

/// A count of actors that have reached some point (started, stopped), shared by all the actors
/// of one module through a `static`: no memory per actor. Scenarios run one at a time, and
/// each resets the tally before it counts.
#[derive(Debug)]
pub(crate) struct Tally(AtomicUsize);

impl Tally {
    pub(crate) const fn new() -> Tally {
        Tally(AtomicUsize::new(0))
    }

    pub(crate) fn reset(&self) {
        self.0.store(0, Ordering::SeqCst);
    }

    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// Waits, yielding to the runtime, until the tally reaches `n`.
    pub(crate) async fn reach(&self, n: usize) {
        while self.0.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
    }
}

/// `n` empty slots for handles, allocated and written before the first memory reading, so that
/// only the actors count.
pub(crate) fn slots<T>(n: usize) -> Vec<Option<T>> {
    (0..n).map(|_| None).collect()
}
