//! The lock and the atomic the mailbox queue uses: the standard library's, or loom's when the queue's model
//! tests run (`RUSTFLAGS="--cfg aplay_loom"`, see `queue_loom.rs`).

#[cfg(not(aplay_loom))]
pub(crate) use std::sync::atomic::AtomicUsize;
#[cfg(not(aplay_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(aplay_loom)]
pub(crate) use loom::sync::atomic::AtomicUsize;
#[cfg(aplay_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
