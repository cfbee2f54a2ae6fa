//! The address registry (aplay's "mail station"): which actor runs at which path.

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use tokio::sync::Notify;

use crate::cell::{CellCore, CellRef};
use crate::error::Error;
use crate::path::ActorPath;

/// The registry's map. Hashed with foldhash rather than SipHash: every spawn and every stop
/// hashes a path, and foldhash does it in a fraction of the time; its seed is random per
/// process, so names chosen to collide cannot be prepared in advance.
type Actors = HashMap<ActorPath, CellRef, foldhash::fast::RandomState>;

/// Every running actor by address. A name is taken from spawn until the actor has stopped.
#[derive(Default)]
pub(crate) struct Registry {
    actors: RwLock<Actors>,
    /// Woken when the last actor leaves.
    emptied: Notify,
}

impl Drop for Registry {
    fn drop(&mut self) {
        // The system is gone without a shutdown. An actor that never started is its own
        // mailbox's waker (`runtime::on_demand`), a cycle nothing would break now: let go of
        // what it holds.
        for actor in self.actors.get_mut().values() {
            actor.drop_unstarted();
        }
    }
}

impl Registry {
    fn read(&self) -> RwLockReadGuard<'_, Actors> {
        self.actors.read()
    }

    fn write(&self) -> RwLockWriteGuard<'_, Actors> {
        self.actors.write()
    }

    /// Claims `path` for `actor`. (One lookup: every spawn comes here.)
    pub(crate) fn claim(&self, actor: CellRef) -> Result<(), Error> {
        let path = actor.core().path.clone();
        match self.write().entry(path) {
            Entry::Occupied(taken) => Err(Error::NameTaken {
                path: taken.key().clone(),
            }),
            Entry::Vacant(free) => {
                free.insert(actor);
                Ok(())
            }
        }
    }

    /// Frees `path`, if `actor` still holds it. (Every stop comes here. A look, then the
    /// removal: the second lookup finds the lines the first brought into the cache, where
    /// `entry` would take the path by value, a clone and a drop of its `Arc`.)
    pub(crate) fn release(&self, path: &ActorPath, actor: &CellCore) {
        let mut actors = self.write();
        let holds = |held: &CellRef| std::ptr::eq(held.core(), actor);
        if actors.get(path.as_str()).is_some_and(holds)
            && let Some(released) = actors.remove(path.as_str())
        {
            // Dropped once the lock is released: it may be the last ref to the actor.
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
        self.read().get(path).cloned()
    }

    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }
}
