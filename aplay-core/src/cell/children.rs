//! An actor's children: the list (a slot per child, so that leaving is one index whatever
//! the order), and the part of the cell that keeps it.

use std::sync::atomic::Ordering;

use thin_vec::ThinVec;

use super::{ActorState, CellCore, CellRef, bits};

/// The children of an actor, in start order.
pub(super) struct Children {
    /// In start order. A child that leaves leaves an empty slot (so that the others keep
    /// theirs): finding a child is one index, never a search, whatever the order they stop
    /// in. The slots are compacted once more than half are empty.
    list: ThinVec<Option<CellRef>>,
    /// How many slots hold a child (a `u32`, as the slots: the list stays in the cell's
    /// 24 bytes).
    live: u32,
    /// Set once the actor stops: no child may join after that.
    pub(super) closed: bool,
}

impl Children {
    pub(super) fn new() -> Self {
        Children {
            list: ThinVec::new(),
            live: 0,
            closed: false,
        }
    }

    fn push(&mut self, child: CellRef) {
        child
            .core()
            .slot
            .store(Self::slot_of(self.list.len()), Ordering::Relaxed);
        self.list.push(Some(child));
        self.live += 1;
    }

    /// Removes `child` from its slot, if it is there.
    fn remove(&mut self, child: &CellCore) {
        let is = |c: &Option<CellRef>| c.as_ref().is_some_and(|c| std::ptr::eq(c.core(), child));
        let slot = child.slot.load(Ordering::Relaxed) as usize;
        let slot = if self.list.get(slot).is_some_and(is) {
            slot
        } else {
            // Not where it should be (it never is, short of four billion children): search.
            debug_assert!(
                slot == u32::MAX as usize || !self.list.iter().any(is),
                "a child's slot is out of date"
            );
            match self.list.iter().rposition(is) {
                Some(slot) => slot,
                None => return,
            }
        };
        self.list[slot] = None;
        self.live -= 1;
        // The youngest leave first most often (a shutdown): the list just gets shorter.
        while matches!(self.list.last(), Some(None)) {
            self.list.pop();
        }
        if (self.live as usize) < self.list.len() / 2 {
            self.compact();
        }
    }

    /// Closes the gaps, and tells each child its new slot (under the parent's lock, as every
    /// read of a slot is).
    fn compact(&mut self) {
        self.list.retain(Option::is_some);
        for (i, child) in self.list.iter().flatten().enumerate() {
            child.core().slot.store(Self::slot_of(i), Ordering::Relaxed);
        }
    }

    fn slot_of(index: usize) -> u32 {
        // A parent with four billion children is not one this list serves; saturate.
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// The children, in start order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = &CellRef> {
        self.list.iter().flatten()
    }
}

impl CellCore {
    /// Adds a child, unless this actor is stopping.
    pub(crate) fn adopt(&self, child: CellRef) -> bool {
        let mut children = self.children.lock();
        if children.closed {
            return false;
        }
        children.push(child);
        true
    }

    /// Removes a child that stopped: one index, whatever the number of children.
    pub(crate) fn forget_child(&self, child: &CellCore) {
        self.children.lock().remove(child);
    }

    /// Closes the child list and returns the children, youngest first.
    pub(crate) fn close_children(&self) -> Vec<CellRef> {
        let mut children = self.children.lock();
        children.closed = true;
        children.iter().rev().cloned().collect()
    }

    /// The children, in start order.
    pub(crate) fn children(&self) -> Vec<CellRef> {
        self.children.lock().iter().cloned().collect()
    }

    /// Whether any child is in its list.
    pub(crate) fn has_children(&self) -> bool {
        self.children.lock().live != 0
    }

    pub(crate) fn accepts_children(&self) -> bool {
        !self.children.lock().closed
    }

    /// Enters the pause between two instances, `keep` putting the mailbox aside, unless the
    /// parent is stopping (checked under the parent's child list lock, which its stop
    /// sequence takes to close the list): then `false`, and the actor stops for good.
    pub(crate) fn pause(&self, parent: &CellCore, keep: impl FnOnce()) -> bool {
        let children = parent.children.lock();
        if children.closed {
            return false;
        }
        keep();
        self.clear_control(bits::RESTART);
        self.set_state(ActorState::Restarting);
        drop(children);
        true
    }
    /// Lets children join again (a new instance starts with none).
    pub(crate) fn reopen_children(&self) {
        self.children.lock().closed = false;
    }
}
