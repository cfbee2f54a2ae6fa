//! The line of senders waiting for room in a bounded queue: who is next, the slots granted
//! to them, and a sender's place in the line ([`RoomWait`]).

use std::collections::VecDeque;
use std::task::{Context, Waker};

use super::{PushOrWait, Queue, State, wake};

/// Senders waiting for room.
#[derive(Default)]
pub(super) struct Line {
    /// Oldest first.
    pub(super) waiting: VecDeque<Waiter>,
    /// Slots granted to waiting senders that have not filled them yet.
    pub(super) granted: usize,
    pub(super) next_ticket: u64,
}

pub(super) struct Waiter {
    pub(super) ticket: u64,
    pub(super) waker: Waker,
}

impl<T> State<T> {
    pub(super) fn free(&self) -> usize {
        let granted = self.line.as_ref().map_or(0, |line| line.granted);
        self.capacity
            .saturating_sub(self.items.len())
            .saturating_sub(self.held)
            .saturating_sub(granted)
    }

    /// Gives a free slot to the oldest waiting sender, if any; its waker, to wake once the
    /// lock is released.
    pub(super) fn grant(&mut self) -> Option<Waker> {
        if self
            .line
            .as_ref()
            .is_none_or(|line| line.waiting.is_empty())
            || self.free() == 0
        {
            return None;
        }
        let line = self.line.as_mut()?;
        let waiter = line.waiting.pop_front()?;
        line.granted += 1;
        Some(waiter.waker)
    }

    /// Gives every free slot it can to waiting senders; their wakers, to wake once the lock
    /// is released.
    #[inline]
    pub(super) fn grant_all(&mut self) -> Option<Granted> {
        if self
            .line
            .as_ref()
            .is_none_or(|line| line.waiting.is_empty())
        {
            return None;
        }
        self.grant_to_waiting()
    }

    #[cold]
    fn grant_to_waiting(&mut self) -> Option<Granted> {
        let mut granted = Granted {
            wakers: Default::default(),
            full: false,
        };
        let mut n = 0;
        while n < GRANTED_AT_ONCE {
            let Some(waker) = self.grant() else { break };
            granted.wakers[n] = Some(waker);
            n += 1;
        }
        granted.full = n == GRANTED_AT_ONCE;
        (n > 0).then_some(granted)
    }
}

/// Senders given room, to wake once the lock is released.
///
/// At most [`GRANTED_AT_ONCE`] at a time, so that nothing is allocated: when that many were
/// given room, more may be waiting (see [`Queue::unlock_granting`]).
pub(super) struct Granted {
    wakers: [Option<Waker>; GRANTED_AT_ONCE],
    /// Every slot was used: more senders may wait for the room left.
    full: bool,
}

const GRANTED_AT_ONCE: usize = 4;

/// Wakes the senders given room, if any; whether more may be given room.
#[inline]
pub(super) fn wake_granted(granted: Option<Granted>) -> bool {
    let Some(granted) = granted else {
        return false;
    };
    for waker in granted.wakers.into_iter().flatten() {
        waker.wake();
    }
    granted.full
}

/// A sender's place in the line of senders waiting for room. Dropping it leaves the line (a
/// slot already granted to it goes to the next sender in line).
pub(crate) struct RoomWait<'a, T> {
    pub(super) queue: &'a Queue<T>,
    /// `None` once the item went in (or the queue closed).
    pub(super) ticket: Option<u64>,
}

impl<'a, T> RoomWait<'a, T> {
    /// Pushes `item` into the slot granted to this sender; if none is granted yet, updates
    /// the waker and hands `item` back (`Wait`); `Closed` if the queue closed meanwhile.
    pub(crate) fn poll_push(&mut self, item: T, cx: &Context<'_>) -> PushOrWait<'a, T> {
        let Some(ticket) = self.ticket else {
            return PushOrWait::Closed(item);
        };
        let mut state = self.queue.lock();
        if state.closed {
            self.ticket = None;
            return PushOrWait::Closed(item);
        }
        let line = state.line.as_mut().expect("a sender in line made the line");
        if let Some(waiter) = line.waiting.iter_mut().find(|w| w.ticket == ticket) {
            if !waiter.waker.will_wake(cx.waker()) {
                waiter.waker = cx.waker().clone();
            }
            return PushOrWait::Wait(
                item,
                RoomWait {
                    queue: self.queue,
                    ticket: self.ticket.take(),
                },
            );
        }
        // Out of the line: a slot was granted to it.
        self.ticket = None;
        line.granted -= 1;
        let receiver = state.push(item);
        drop(state);
        wake(receiver);
        PushOrWait::Sent
    }
}

impl<T> Drop for RoomWait<'_, T> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else {
            return;
        };
        let mut state = self.queue.lock();
        if state.closed {
            return;
        }
        let Some(line) = state.line.as_mut() else {
            return;
        };
        if let Some(i) = line.waiting.iter().position(|w| w.ticket == ticket) {
            line.waiting.remove(i);
            return;
        }
        // A slot was granted to it and it will not fill it: the next in line gets it.
        line.granted -= 1;
        let next = state.grant();
        drop(state);
        wake(next);
    }
}
