//! The lines of senders waiting for room in a bounded queue (one per lane): who is next, the
//! slots granted to them, and a sender's place in a line ([`RoomWait`]).

use std::collections::VecDeque;
use std::task::{Context, Waker};

use super::{Priority, PushOrWait, Queue, State, wake};

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
    /// The line of senders waiting for room in `lane`, if one ever waited.
    #[inline(always)]
    fn line(&self, lane: Priority) -> Option<&Line> {
        match lane {
            Priority::Normal => self.line.as_deref(),
            Priority::High => self.high.as_ref().map(|high| &high.line),
        }
    }

    /// [`line`](Self::line), to change it.
    pub(super) fn line_mut(&mut self, lane: Priority) -> Option<&mut Line> {
        match lane {
            Priority::Normal => self.line.as_deref_mut(),
            Priority::High => self.high.as_mut().map(|high| &mut high.line),
        }
    }

    /// The line of `lane`, made on first use.
    pub(super) fn line_or_new(&mut self, lane: Priority) -> &mut Line {
        match lane {
            Priority::Normal => self.line.get_or_insert_with(Box::default),
            Priority::High => &mut self.high_lane().line,
        }
    }

    /// The room left in `lane`.
    #[inline(always)]
    pub(super) fn free(&self, lane: Priority) -> usize {
        let granted = self.line(lane).map_or(0, |line| line.granted);
        let used = match lane {
            Priority::Normal => self.items.len() + self.held,
            Priority::High => self.high_len(),
        };
        self.capacity.saturating_sub(used).saturating_sub(granted)
    }

    /// Gives a free slot of `lane` to the oldest sender waiting there, if any; its waker, to
    /// wake once the lock is released.
    pub(super) fn grant(&mut self, lane: Priority) -> Option<Waker> {
        if self.line(lane).is_none_or(|line| line.waiting.is_empty()) || self.free(lane) == 0 {
            return None;
        }
        let line = self.line_mut(lane)?;
        let waiter = line.waiting.pop_front()?;
        line.granted += 1;
        Some(waiter.waker)
    }

    /// Gives every free slot it can to waiting senders; their wakers, to wake once the lock
    /// is released.
    #[inline]
    pub(super) fn grant_all(&mut self) -> Option<Granted> {
        let nobody_waits = |line: Option<&Line>| line.is_none_or(|line| line.waiting.is_empty());
        if nobody_waits(self.line(Priority::Normal)) && nobody_waits(self.line(Priority::High)) {
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
            let Some(waker) = self
                .grant(Priority::High)
                .or_else(|| self.grant(Priority::Normal))
            else {
                break;
            };
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
    /// The lane it waits for room in.
    pub(super) lane: Priority,
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
        let lane = self.lane;
        let line = state
            .line_mut(lane)
            .expect("a sender in line made the line");
        if let Some(waiter) = line.waiting.iter_mut().find(|w| w.ticket == ticket) {
            if !waiter.waker.will_wake(cx.waker()) {
                waiter.waker = cx.waker().clone();
            }
            return PushOrWait::Wait(
                item,
                RoomWait {
                    queue: self.queue,
                    ticket: self.ticket.take(),
                    lane,
                },
            );
        }
        // Out of the line: a slot was granted to it.
        self.ticket = None;
        line.granted -= 1;
        let receiver = state.push(item, lane, &self.queue.armed);
        self.queue.count_high(&state, lane);
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
        let Some(line) = state.line_mut(self.lane) else {
            return;
        };
        if let Some(i) = line.waiting.iter().position(|w| w.ticket == ticket) {
            line.waiting.remove(i);
            return;
        }
        // A slot was granted to it and it will not fill it: the next in line gets it.
        line.granted -= 1;
        let next = state.grant(self.lane);
        drop(state);
        wake(next);
    }
}
