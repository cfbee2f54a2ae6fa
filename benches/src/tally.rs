//! Counting actors that reach some point (started, stopped), and the slots their handles are
//! kept in.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A count of actors that have reached some point (started, stopped), shared by all the actors
/// of one side through a `static`: no memory per actor. Scenarios run one at a time, and each
/// resets the tally before it counts.
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

    /// The count so far.
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    /// Waits, yielding to the runtime, until the tally reaches `n`.
    pub(crate) async fn reach(&self, n: usize) {
        while self.get() < n {
            tokio::task::yield_now().await;
        }
    }
}

/// `n` empty slots for handles, allocated and written before the first memory reading, so that
/// only the actors count.
pub(crate) fn slots<T>(n: usize) -> Vec<Option<T>> {
    (0..n).map(|_| None).collect()
}
