//! The address registry (aplay's "mail station"): which actor runs at which path.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::Notify;

use crate::cell::{CellCore, CellRef};
use crate::error::Error;
use crate::path::ActorPath;

/// The registry's table: the actors themselves, found by the hash of their path (each cell
/// holds its path, so the table keeps no copy of it: 16 bytes a slot, not 32, which at a
/// million actors is some 30 bytes an actor).
type Actors = HashTable<CellRef>;

/// Every running actor by address. A name is taken from spawn until the actor has stopped.
#[derive(Default)]
pub(crate) struct Registry {
    actors: RwLock<Actors>,
    /// foldhash rather than SipHash: every spawn and every stop hashes a path, and foldhash
    /// does it in a fraction of the time; its seed is random per process, so names chosen to
    /// collide cannot be prepared in advance.
    hasher: foldhash::fast::RandomState,
    /// Woken when the last actor leaves.
    emptied: Notify,
}

impl Drop for Registry {
    fn drop(&mut self) {
        // The system is gone without a shutdown. An actor that never started is its own
        // mailbox's waker (`runtime::on_demand`), a cycle nothing would break now: let go of
        // what it holds.
        for actor in self.actors.get_mut().iter() {
            actor.drop_unstarted();
        }
    }
}

/// The path an entry is found by.
fn path_of(actor: &CellRef) -> &str {
    actor.core().path.as_str()
}

impl Registry {
    fn read(&self) -> RwLockReadGuard<'_, Actors> {
        self.actors.read()
    }

    fn write(&self) -> RwLockWriteGuard<'_, Actors> {
        self.actors.write()
    }

    fn hash(&self, path: &str) -> u64 {
        self.hasher.hash_one(path)
    }

    /// Claims `path` for `actor`. (One lookup: every spawn comes here.)
    pub(crate) fn claim(&self, actor: CellRef) -> Result<(), Error> {
        let path = path_of(&actor);
        let hash = self.hash(path);
        let mut actors = self.write();
        let entry = actors.entry(
            hash,
            |held| path_of(held) == path,
            |held| self.hash(path_of(held)),
        );
        match entry {
            Entry::Occupied(taken) => Err(Error::NameTaken {
                path: taken.get().core().path.clone(),
            }),
            Entry::Vacant(free) => {
                free.insert(actor);
                Ok(())
            }
        }
    }

    /// Frees `path`, if `actor` still holds it. (One lookup, by identity, without comparing
    /// paths: every stop comes here.)
    pub(crate) fn release(&self, path: &ActorPath, actor: &CellCore) {
        let hash = self.hash(path.as_str());
        let mut actors = self.write();
        if let Ok(held) = actors.find_entry(hash, |held| std::ptr::eq(held.core(), actor)) {
            // Dropped once the lock is released: it may be the last ref to the actor.
            let (released, _) = held.remove();
            let now_empty = actors.is_empty();
            drop(actors);
            drop(released);
            if now_empty {
                self.emptied.notify_waiters();
            }
        }
    }

    /// Waits until no actor is registered: every actor, killed ones included, has finished
    /// its last step.
    pub(crate) async fn emptied(&self) {
        loop {
            let notified = self.emptied.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.read().is_empty() {
                return;
            }
            notified.await;
        }
    }

    pub(crate) fn get(&self, path: &str) -> Option<CellRef> {
        let hash = self.hash(path);
        self.read()
            .find(hash, |held| path_of(held) == path)
            .cloned()
    }

    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }
}
