//! The entries a served actor has in hand: read from its stream, not yet acknowledged.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OwnedSemaphorePermit;

use crate::redis::entry::Entry;

/// The ids of the entries in hand, whose idle time the keeper refreshes.
#[derive(Default)]
pub(crate) struct HeldSet {
    ids: Mutex<HashSet<String>>,
}

impl HeldSet {
    fn lock(&self) -> MutexGuard<'_, HashSet<String>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn ids(&self) -> Vec<String> {
        self.lock().iter().cloned().collect()
    }
}

/// One entry in hand. Dropping it lets it go: it is no longer refreshed (so another consumer
/// may claim it once idle) and frees its slot. It is dropped once acknowledged, or when this
/// consumer gives it up (stopping).
pub(crate) struct Held {
    pub(crate) entry: Entry,
    /// How many times Redis delivered it, this delivery included.
    pub(crate) deliveries: u32,
    /// The last reply of a failed attempt (a handler's `Err`), for an asker if it is the last.
    pub(crate) last_reply: Option<Vec<u8>>,
    set: Arc<HeldSet>,
    _slot: OwnedSemaphorePermit,
}

impl Held {
    /// Takes `entry` in hand; `None` if it already is (a claim that found our own entry).
    pub(crate) fn take(
        set: &Arc<HeldSet>,
        entry: Entry,
        deliveries: u32,
        slot: OwnedSemaphorePermit,
    ) -> Option<Held> {
        if !set.lock().insert(entry.id.clone()) {
            return None;
        }
        Some(Held {
            entry,
            deliveries,
            last_reply: None,
            set: Arc::clone(set),
            _slot: slot,
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.entry.id
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.set.lock().remove(&self.entry.id);
    }
}
