//! The lock and the atomic the mailbox queue uses: parking_lot's lock (it spins a little, with
//! back-off, before it parks a thread: senders on two cores that meet on a mailbox wait a few
//! nanoseconds instead of sleeping in the kernel), or loom's when the queue's model tests run
//! (`RUSTFLAGS="--cfg aplay_loom"`, see `queue_loom.rs`).

#[cfg(not(aplay_loom))]
pub(crate) use parking_lot::{Mutex, MutexGuard};
#[cfg(not(aplay_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize};

#[cfg(aplay_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize};
#[cfg(aplay_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

/// Locks `mutex`.
#[cfg(not(aplay_loom))]
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock()
}

/// Locks `mutex`. (Nothing panics while the queue's lock is held: a poisoned lock still
/// holds consistent state.)
#[cfg(aplay_loom)]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
