//! The entries a served actor has in hand: read from its stream, not yet acknowledged.
//!
//! A consumer may read entries it already had: its own pending list after a fault, its own
//! idle entries in a claim. Those it holds are skipped. So are those it let go while such a
//! read was on its way (acknowledged meanwhile: the read saw them still pending), which a
//! [`Rereading`] guard remembers: without it, an entry acknowledged between the read and the
//! check would be taken for a new one and handled twice.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use parking_lot::{Mutex, MutexGuard};
use tokio::sync::OwnedSemaphorePermit;

use crate::redis::entry::Entry;
use crate::redis::job::Running;
use crate::redis::lane::JobPriority;
use crate::redis::pack;

/// An entry's place: its lane (its stream) and its id there (two streams may have entries
/// of the same id).
pub(crate) type Place = (JobPriority, String);

/// The entries in hand, whose idle time the keeper refreshes.
#[derive(Default)]
pub(crate) struct HeldSet {
    ids: Mutex<Ids>,
}

#[derive(Default)]
struct Ids {
    held: HashSet<Place>,
    /// Reads of possibly held entries on their way.
    rereads: usize,
    /// Let go while a read was on its way.
    released: HashSet<Place>,
}

impl HeldSet {
    fn lock(&self) -> MutexGuard<'_, Ids> {
        self.ids.lock()
    }

    /// The ids in hand in `lane`.
    pub(crate) fn ids(&self, lane: JobPriority) -> Vec<String> {
        self.lock()
            .held
            .iter()
            .filter(|(l, _)| *l == lane)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// How many entries are in hand.
    pub(crate) fn len(&self) -> usize {
        self.lock().held.len()
    }

    /// Whether the entry `id` of `lane` is in hand, or was let go while a read was on its way.
    pub(crate) fn knows(&self, lane: JobPriority, id: &str) -> bool {
        let ids = self.lock();
        let place = (lane, id.to_owned());
        ids.held.contains(&place) || ids.released.contains(&place)
    }

    /// Call before sending a read that may return entries in hand; keep the guard until the
    /// entries read went through [`Held::take`].
    pub(crate) fn rereading(self: &Arc<Self>) -> Rereading {
        self.lock().rereads += 1;
        Rereading(Arc::clone(self))
    }
}

/// A read of entries that may be in hand is on its way (see [`HeldSet::rereading`]).
pub(crate) struct Rereading(Arc<HeldSet>);

impl Drop for Rereading {
    fn drop(&mut self) {
        let mut ids = self.0.lock();
        ids.rereads -= 1;
        if ids.rereads == 0 {
            ids.released.clear();
        }
    }
}

/// One message in hand: an entry, or one job of a pack (see [`crate::redis::pack`]).
/// Dropping it lets it go; once every message of its entry is let go, the entry is no
/// longer refreshed (so another consumer may claim it once idle) and its slot is free. It is
/// dropped once acknowledged, or when this consumer gives it up (stopping).
pub(crate) struct Held {
    /// The entry, or for a job of a pack, the job alone (the pack's id, fields `j` and `m`).
    pub(crate) entry: Entry,
    /// The lane it was read from.
    pub(crate) lane: JobPriority,
    /// How many times Redis delivered it, this delivery included (for a job of a pack, the
    /// pack's count, plus this worker's retries of the job).
    pub(crate) deliveries: u32,
    /// When this consumer took it: a job's attempt started then.
    pub(crate) taken: Instant,
    /// The last reply of a failed attempt (a handler's `Err`), for an asker if it is the last.
    pub(crate) last_reply: Option<Vec<u8>>,
    /// A job's state while it runs (its handler reads it from its context).
    pub(crate) job: Option<Arc<Running>>,
    claim: Arc<Claim>,
    /// For a job of a pack: how many of the pack's jobs have not ended yet.
    pack: Option<Arc<AtomicUsize>>,
}

/// An entry in hand, shared by the jobs of a pack: it holds the entry's place in the set and
/// its slot until the last of them is dropped.
struct Claim {
    set: Arc<HeldSet>,
    place: Place,
    _slot: OwnedSemaphorePermit,
}

impl Held {
    /// Takes `entry` in hand; `None` if it already is (a claim that found our own entry), or
    /// was let go while a read that returned it was on its way.
    pub(crate) fn take(
        set: &Arc<HeldSet>,
        entry: Entry,
        lane: JobPriority,
        deliveries: u32,
        slot: OwnedSemaphorePermit,
    ) -> Option<Held> {
        let place = (lane, entry.id.clone());
        {
            let mut ids = set.lock();
            if ids.released.contains(&place) || !ids.held.insert(place.clone()) {
                return None;
            }
        }
        Some(Held {
            entry,
            lane,
            deliveries,
            taken: Instant::now(),
            last_reply: None,
            job: None,
            claim: Arc::new(Claim {
                set: Arc::clone(set),
                place,
                _slot: slot,
            }),
            pack: None,
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.entry.id
    }

    /// Whether it is one job of a pack.
    pub(crate) fn is_packed(&self) -> bool {
        self.pack.is_some()
    }

    /// The jobs of a pack, each held on its own (sharing the pack's place and slot); an entry
    /// that is not a pack, as it is; why not, with the entry, for a pack that does not add up.
    pub(crate) fn unpack(self) -> Result<Vec<Held>, Box<(Held, String)>> {
        if !pack::is_pack(&self.entry) {
            return Ok(vec![self]);
        }
        let jobs = match pack::unpack(&self.entry) {
            Ok(jobs) => jobs,
            Err(why) => return Err(Box::new((self, why))),
        };
        let left = Arc::new(AtomicUsize::new(jobs.len()));
        Ok(jobs
            .into_iter()
            .map(|entry| Held {
                entry,
                lane: self.lane,
                deliveries: self.deliveries,
                taken: self.taken,
                last_reply: None,
                job: None,
                claim: Arc::clone(&self.claim),
                pack: Some(Arc::clone(&left)),
            })
            .collect())
    }

    /// Counts it as ended (done, dead, cancelled or skipped); whether its entry is to be
    /// acknowledged now: always for an entry of its own, for a job of a pack when it is the
    /// last of the pack's jobs to end. Call once per message.
    pub(crate) fn end(&self) -> bool {
        self.pack
            .as_ref()
            .is_none_or(|left| left.fetch_sub(1, Ordering::AcqRel) == 1)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut ids = self.set.lock();
        let place = (self.place.0, std::mem::take(&mut self.place.1));
        ids.held.remove(&place);
        if ids.rereads > 0 {
            ids.released.insert(place);
        }
    }
}

/// Why a message goes to the dead letters after `deliveries` deliveries.
pub(crate) fn too_often(deliveries: u32) -> String {
    format!(
        "delivered {deliveries} times without being acknowledged (the process handling it may have crashed each time)"
    )
}

#[cfg(test)]
mod tests {
    use tokio::sync::Semaphore;

    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            id: id.to_owned(),
            fields: Some(Vec::new()),
        }
    }

    fn slot() -> OwnedSemaphorePermit {
        Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap()
    }

    #[test]
    fn a_packs_jobs_share_its_place_and_the_last_to_end_acknowledges_it() {
        let set = Arc::new(HeldSet::default());
        let pack = Entry {
            id: "7-0".to_owned(),
            fields: Some(vec![
                (pack::PACK.to_vec(), b"2".to_vec()),
                (pack::PACK_ID.to_vec(), b"p1".to_vec()),
                (pack::PACKED.to_vec(), pack::packed([&b"x"[..], b"y"])),
            ]),
        };
        let held = Held::take(&set, pack, JobPriority::Normal, 1, slot()).unwrap();
        let mut jobs = held.unpack().ok().unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(jobs.iter().all(Held::is_packed));
        assert_eq!(set.len(), 1);
        let second = jobs.pop().unwrap();
        let first = jobs.pop().unwrap();
        assert!(
            !second.end(),
            "one job of two ended: the pack is not acknowledged"
        );
        drop(second);
        assert!(
            set.knows(JobPriority::Normal, "7-0"),
            "still in hand for the first job"
        );
        assert!(first.end(), "the last job ended: the pack is acknowledged");
        drop(first);
        assert_eq!(set.len(), 0);
        // An entry of its own is acknowledged when it ends.
        let single = Held::take(&set, entry("8-0"), JobPriority::Normal, 1, slot()).unwrap();
        let single = single.unpack().ok().unwrap().pop().unwrap();
        assert!(!single.is_packed());
        assert!(single.end());
    }

    #[test]
    fn an_entry_in_hand_is_not_taken_twice() {
        let set = Arc::new(HeldSet::default());
        let held = Held::take(&set, entry("1-0"), JobPriority::Normal, 1, slot()).unwrap();
        assert!(Held::take(&set, entry("1-0"), JobPriority::Normal, 2, slot()).is_none());
        drop(held);
        assert!(Held::take(&set, entry("1-0"), JobPriority::Normal, 2, slot()).is_some());
    }

    #[test]
    fn entries_of_the_same_id_in_two_lanes_are_two_entries() {
        let set = Arc::new(HeldSet::default());
        let _normal = Held::take(&set, entry("1-0"), JobPriority::Normal, 1, slot()).unwrap();
        let _high = Held::take(&set, entry("1-0"), JobPriority::High, 1, slot()).unwrap();
        assert!(set.knows(JobPriority::High, "1-0"));
        assert!(!set.knows(JobPriority::Low, "1-0"));
        assert_eq!(set.ids(JobPriority::High), ["1-0"]);
    }

    #[test]
    fn an_entry_let_go_while_a_reread_was_on_its_way_is_not_taken_from_it() {
        let set = Arc::new(HeldSet::default());
        let held = Held::take(&set, entry("1-0"), JobPriority::Normal, 1, slot()).unwrap();
        let reread = set.rereading();
        // The read saw 1-0 pending; it is acknowledged before the read's entries are taken.
        drop(held);
        assert!(Held::take(&set, entry("1-0"), JobPriority::Normal, 2, slot()).is_none());
        drop(reread);
        // Later reads see Redis's word again.
        assert!(Held::take(&set, entry("1-0"), JobPriority::Normal, 2, slot()).is_some());
    }
}
