//! The queue behind every mailbox: a `Mutex` around a `VecDeque`, with the wakers of the one
//! receiver and of the senders waiting for room.
//!
//! - **Lazy**: a queue that was never sent to holds no buffer; the `VecDeque` grows on the first
//!   push and is reused afterwards (no allocation per item).
//! - **Bounded** (or not): a push that finds no room fails, or joins the line of waiting
//!   senders. Room that frees up goes to the oldest waiting sender first (it is *granted* a
//!   slot, which nobody else can take), so a newcomer never overtakes a sender in line.
//!   Invariant: while a sender waits there is no free slot (every freed slot is granted at
//!   once).
//! - **Batched** on the receiving side: the receiver takes every queued item at once (a swap
//!   of two buffers) and hands them out without the lock ([`Batch`]). Their room comes back
//!   every `step` items handed out (a quarter of the capacity) and when the batch runs out, so
//!   the capacity bounds what is queued and taken together, and a sender waiting for room is
//!   woken once per step. [`Queue::len`] still counts only what waits.
//! - **Closing** refuses new items; those queued can still be popped. Waiting senders are
//!   woken and told.
//! - Wakers are woken after the lock is released, and items are dropped outside it (an item's
//!   `Drop` may send to the same queue).

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use std::sync::atomic::Ordering;

use super::sync::{self, AtomicUsize, Mutex, MutexGuard};

/// A multi-producer, single-consumer queue with room for `capacity` items.
pub(crate) struct Queue<T> {
    state: Mutex<State<T>>,
    /// How many of the items in the receiver's batch (counted in `held`) it has handed out
    /// since it last released room: written by the receiver alone, read by [`len`](Self::len)
    /// so that it counts only the items still waiting.
    handed: AtomicUsize,
}

struct State<T> {
    items: VecDeque<T>,
    /// Room for this many items, queued or granted; `usize::MAX` when unbounded.
    capacity: usize,
    /// The receiver gives back the room of the items it handled in steps of this many.
    step: usize,
    /// Items the receiver took out in its current batch and has not released yet: they
    /// still take room.
    held: usize,
    closed: bool,
    /// The receiver, when it waits for an item.
    receiver: Option<Waker>,
    /// The senders waiting for room: allocated the first time one waits (many mailboxes
    /// never fill up, and every actor has one).
    line: Option<Box<Line>>,
}

/// Senders waiting for room.
#[derive(Default)]
struct Line {
    /// Oldest first.
    waiting: VecDeque<Waiter>,
    /// Slots granted to waiting senders that have not filled them yet.
    granted: usize,
    next_ticket: u64,
}

struct Waiter {
    ticket: u64,
    waker: Waker,
}

/// What a push without waiting gave.
pub(crate) enum Push<T> {
    Sent,
    /// No room: the item is handed back.
    Full(T),
    /// The queue is closed: the item is handed back.
    Closed(T),
}

/// What a push that may wait gave.
pub(crate) enum PushOrWait<'a, T> {
    Sent,
    Closed(T),
    /// No room: the sender is in line, its waker registered. Poll the [`RoomWait`] again when
    /// woken.
    Wait(T, RoomWait<'a, T>),
}

impl<T> State<T> {
    fn free(&self) -> usize {
        let granted = self.line.as_ref().map_or(0, |line| line.granted);
        self.capacity
            .saturating_sub(self.items.len())
            .saturating_sub(self.held)
            .saturating_sub(granted)
    }

    /// Gives a free slot to the oldest waiting sender, if any; its waker, to wake once the
    /// lock is released.
    fn grant(&mut self) -> Option<Waker> {
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
    fn grant_all(&mut self) -> Option<Granted> {
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

    fn push(&mut self, item: T) -> Option<Waker> {
        self.items.push_back(item);
        self.receiver.take()
    }
}

/// Senders given room, to wake once the lock is released.
///
/// At most [`GRANTED_AT_ONCE`] at a time, so that nothing is allocated: when that many were
/// given room, more may be waiting (see [`Queue::unlock_granting`]).
struct Granted {
    wakers: [Option<Waker>; GRANTED_AT_ONCE],
    /// Every slot was used: more senders may wait for the room left.
    full: bool,
}

const GRANTED_AT_ONCE: usize = 4;

/// Wakes the senders given room, if any; whether more may be given room.
#[inline]
fn wake_granted(granted: Option<Granted>) -> bool {
    let Some(granted) = granted else {
        return false;
    };
    for waker in granted.wakers.into_iter().flatten() {
        waker.wake();
    }
    granted.full
}

/// The receiver's side of a queue: the items it took out in one go, handed out one at a
/// time without the lock. They keep their room until released, every `step` items and when
/// the batch runs out, so the capacity still bounds everything queued or taken. Allocated
/// the first time the receiver takes more than one item (a pointer until then: it lives in
/// every actor's task).
pub(crate) struct Batch<T>(Option<Box<Taken<T>>>);

struct Taken<T> {
    items: VecDeque<T>,
    /// Items handed out and not released yet.
    handed: usize,
    /// Released in steps of this many.
    step: usize,
}

impl<T> Batch<T> {
    /// An empty batch; allocates nothing.
    pub(crate) fn new() -> Self {
        Batch(None)
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl<T> Queue<T> {
    /// An empty queue with room for `capacity` items (`None`: no limit). Allocates nothing.
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        // A quarter of the capacity: one wake-up of a waiting sender per quarter.
        let step = capacity.map_or(usize::MAX, |c| (c / 4).max(1));
        Self::with_release_step(capacity, step)
    }

    /// An empty queue whose receiver gives back room every `step` items handled.
    pub(crate) fn with_release_step(capacity: Option<usize>, step: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                capacity: capacity.map_or(usize::MAX, |c| c.max(1)),
                step: step.max(1),
                held: 0,
                closed: false,
                receiver: None,
                line: None,
            }),
            handed: AtomicUsize::new(0),
        }
    }

    #[inline]
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        sync::lock(&self.state)
    }

    /// The limit, for a bounded queue.
    pub(crate) fn capacity(&self) -> Option<usize> {
        let capacity = self.lock().capacity;
        (capacity != usize::MAX).then_some(capacity)
    }

    /// How many items wait: queued, or in the receiver's batch and not handed out yet.
    pub(crate) fn len(&self) -> usize {
        self.waiting(&self.lock())
    }

    /// [`len`](Self::len), for a bounded queue only (one look under the lock).
    pub(crate) fn len_if_bounded(&self) -> Option<usize> {
        let state = self.lock();
        (state.capacity != usize::MAX).then(|| self.waiting(&state))
    }

    fn waiting(&self, state: &State<T>) -> usize {
        let handed = self.handed.load(Ordering::Acquire);
        (state.items.len() + state.held).saturating_sub(handed)
    }

    /// Pushes `item` if there is room, without waiting.
    #[inline]
    pub(crate) fn try_push(&self, item: T) -> Push<T> {
        let mut state = self.lock();
        if state.closed {
            return Push::Closed(item);
        }
        if state.free() == 0 {
            return Push::Full(item);
        }
        let receiver = state.push(item);
        drop(state);
        wake(receiver);
        Push::Sent
    }

    /// Pushes `item` only if the queue is empty (a wake-up for the receiver, needless when
    /// something is queued already). Nothing happens once closed.
    pub(crate) fn push_if_empty(&self, item: T) {
        let mut state = self.lock();
        if state.closed || !state.items.is_empty() {
            return;
        }
        let receiver = state.push(item);
        drop(state);
        wake(receiver);
    }

    /// Pushes `item` if there is room; otherwise joins the line of waiting senders with the
    /// waker of `cx`.
    pub(crate) fn push_or_wait(&self, item: T, cx: &Context<'_>) -> PushOrWait<'_, T> {
        let mut state = self.lock();
        if state.closed {
            return PushOrWait::Closed(item);
        }
        if state.free() > 0 {
            let receiver = state.push(item);
            drop(state);
            wake(receiver);
            return PushOrWait::Sent;
        }
        let line = state.line.get_or_insert_with(Box::default);
        let ticket = line.next_ticket;
        line.next_ticket += 1;
        line.waiting.push_back(Waiter {
            ticket,
            waker: cx.waker().clone(),
        });
        PushOrWait::Wait(
            item,
            RoomWait {
                queue: self,
                ticket: Some(ticket),
            },
        )
    }

    /// The next item for the receiver, from its `batch` when it holds some; otherwise takes
    /// every queued item into the batch at once. `Ready(None)` once closed and empty;
    /// otherwise registers the waker of `cx` and waits.
    #[inline]
    pub(crate) fn poll_pop(&self, batch: &mut Batch<T>, cx: &Context<'_>) -> Poll<Option<T>> {
        if let Some(taken) = batch.0.as_deref_mut()
            && let Some(item) = taken.items.pop_front()
        {
            taken.handed += 1;
            self.handed.store(taken.handed, Ordering::Release);
            if taken.handed >= taken.step {
                self.release(taken);
            }
            return Poll::Ready(Some(item));
        }
        self.refill(batch, cx)
    }

    /// Releases the room of the items `taken` handed out.
    fn release(&self, taken: &mut Taken<T>) {
        let mut state = self.lock();
        state.held -= std::mem::take(&mut taken.handed);
        self.handed.store(0, Ordering::Release);
        self.unlock_granting(state);
    }

    /// Gives the free room to the senders waiting for it and releases the lock; wakes them
    /// outside it, a few at a time.
    #[inline(always)]
    fn unlock_granting<'q>(&'q self, mut state: MutexGuard<'q, State<T>>) {
        loop {
            let granted = state.grant_all();
            drop(state);
            if !wake_granted(granted) {
                return;
            }
            state = self.lock();
        }
    }

    /// Releases what `batch` handed out and takes every queued item into it.
    fn refill(&self, batch: &mut Batch<T>, cx: &Context<'_>) -> Poll<Option<T>> {
        let mut state = self.lock();
        if let Some(taken) = batch.0.as_deref_mut() {
            state.held -= std::mem::take(&mut taken.handed);
            self.handed.store(0, Ordering::Release);
        }
        if state.items.is_empty() {
            let closed = state.closed;
            if !closed {
                match &mut state.receiver {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
            }
            self.unlock_granting(state);
            return if closed {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
        if state.items.len() == 1 {
            // One item (an ask, say): no batch to make.
            let item = state.items.pop_front();
            self.unlock_granting(state);
            return Poll::Ready(item);
        }
        let step = state.step;
        let taken = batch.0.get_or_insert_with(|| {
            Box::new(Taken {
                items: VecDeque::new(),
                handed: 0,
                step,
            })
        });
        std::mem::swap(&mut state.items, &mut taken.items);
        let item = taken.items.pop_front();
        if taken.step == 1 {
            // Released at once: the item handed out takes no room.
            state.held += taken.items.len();
        } else {
            state.held += taken.items.len() + 1;
            taken.handed = 1;
            self.handed.store(1, Ordering::Release);
        }
        self.unlock_granting(state);
        Poll::Ready(item)
    }

    /// Puts the batch's items back in front of the queue and releases its room: the queue
    /// holds everything again (to retain or drain it).
    pub(crate) fn unbatch(&self, batch: &mut Batch<T>) {
        let Some(taken) = batch.0.as_deref_mut() else {
            return;
        };
        if taken.items.is_empty() && taken.handed == 0 {
            return;
        }
        let mut state = self.lock();
        state.held -= std::mem::take(&mut taken.handed) + taken.items.len();
        self.handed.store(0, Ordering::Release);
        while let Some(item) = taken.items.pop_back() {
            state.items.push_front(item);
        }
    }

    /// The next item if one is queued.
    pub(crate) fn try_pop(&self) -> Option<T> {
        let mut state = self.lock();
        let item = state.items.pop_front()?;
        let sender = state.grant();
        drop(state);
        wake(sender);
        Some(item)
    }

    /// Refuses new items; queued ones can still be popped. Waiting senders are woken: they
    /// find the queue closed.
    pub(crate) fn close(&self) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        let waiting = match &mut state.line {
            Some(line) => {
                line.granted = 0;
                std::mem::take(&mut line.waiting)
            }
            None => VecDeque::new(),
        };
        let receiver = state.receiver.take();
        drop(state);
        for waiter in waiting {
            waiter.waker.wake();
        }
        wake(receiver);
    }

    /// Keeps only the queued items `keep` accepts, in order; returns the others, for the
    /// caller to drop outside the lock. The room freed goes to waiting senders.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
        let mut state = self.lock();
        let mut removed = Vec::new();
        let items = std::mem::take(&mut state.items);
        for item in items {
            if keep(&item) {
                state.items.push_back(item);
            } else {
                removed.push(item);
            }
        }
        self.unlock_granting(state);
        removed
    }

    /// Closes the queue and takes every queued item out, for the caller to drop outside the
    /// lock.
    pub(crate) fn close_and_take(&self) -> VecDeque<T> {
        self.close();
        std::mem::take(&mut self.lock().items)
    }
}

/// A sender's place in the line of senders waiting for room. Dropping it leaves the line (a
/// slot already granted to it goes to the next sender in line).
pub(crate) struct RoomWait<'a, T> {
    queue: &'a Queue<T>,
    /// `None` once the item went in (or the queue closed).
    ticket: Option<u64>,
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

#[cfg(all(test, not(aplay_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    /// A waker that counts its wake-ups.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    fn sent<T>(p: PushOrWait<'_, T>) -> bool {
        matches!(p, PushOrWait::Sent)
    }

    #[test]
    fn items_come_out_in_order_and_a_full_queue_refuses() {
        let q = Queue::new(Some(2));
        assert!(matches!(q.try_push(1), Push::Sent));
        assert!(matches!(q.try_push(2), Push::Sent));
        assert!(matches!(q.try_push(3), Push::Full(3)));
        assert_eq!(q.len(), 2);
        assert_eq!(q.try_pop(), Some(1));
        assert!(matches!(q.try_push(3), Push::Sent));
        assert_eq!(q.try_pop(), Some(2));
        assert_eq!(q.try_pop(), Some(3));
        assert_eq!(q.try_pop(), None);
    }

    #[test]
    fn a_new_queue_holds_no_buffer() {
        let q: Queue<u64> = Queue::new(Some(1024));
        assert_eq!(q.lock().items.capacity(), 0);
        assert!(q.lock().line.is_none());
    }

    #[test]
    fn a_push_wakes_the_waiting_receiver() {
        let q = Queue::new(None);
        let (count, w) = waker();
        let cx = Context::from_waker(&w);
        let mut batch = Batch::new();
        assert!(q.poll_pop(&mut batch, &cx).is_pending());
        assert!(matches!(q.try_push(7), Push::Sent));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(7)));
    }

    #[test]
    fn room_goes_to_the_oldest_waiting_sender_and_nobody_overtakes_it() {
        let q = Queue::new(Some(1));
        assert!(matches!(q.try_push(0), Push::Sent));
        let (first_count, first) = waker();
        let (second_count, second) = waker();
        let PushOrWait::Wait(a, mut wait_a) = q.push_or_wait(1, &Context::from_waker(&first))
        else {
            panic!("the queue is full");
        };
        let PushOrWait::Wait(b, mut wait_b) = q.push_or_wait(2, &Context::from_waker(&second))
        else {
            panic!("the queue is full");
        };
        // A slot frees: it goes to the first in line, not to a newcomer.
        assert_eq!(q.try_pop(), Some(0));
        assert_eq!(first_count.0.load(Ordering::SeqCst), 1);
        assert_eq!(second_count.0.load(Ordering::SeqCst), 0);
        assert!(matches!(q.try_push(9), Push::Full(9)));
        // The second is still in line; the first fills its slot.
        let PushOrWait::Wait(_, still_waiting) = wait_b.poll_push(b, &Context::from_waker(&second))
        else {
            panic!("no room for the second yet");
        };
        assert!(sent(wait_a.poll_push(a, &Context::from_waker(&first))));
        assert_eq!(q.try_pop(), Some(1));
        // The freed slot goes to the second, still in line.
        assert_eq!(second_count.0.load(Ordering::SeqCst), 1);
        drop(still_waiting);
        assert_eq!(q.try_pop(), None);
        // It gave up: its slot is free again.
        assert!(matches!(q.try_push(5), Push::Sent));
    }

    #[test]
    fn a_dropped_waiter_passes_its_slot_on() {
        let q = Queue::new(Some(1));
        assert!(matches!(q.try_push(0), Push::Sent));
        let (_, first) = waker();
        let (second_count, second) = waker();
        let PushOrWait::Wait(_, wait_a) = q.push_or_wait(1, &Context::from_waker(&first)) else {
            panic!("the queue is full");
        };
        let PushOrWait::Wait(b, mut wait_b) = q.push_or_wait(2, &Context::from_waker(&second))
        else {
            panic!("the queue is full");
        };
        assert_eq!(q.try_pop(), Some(0));
        // The first was granted the slot but gives up: the second gets it.
        drop(wait_a);
        assert_eq!(second_count.0.load(Ordering::SeqCst), 1);
        assert!(sent(wait_b.poll_push(b, &Context::from_waker(&second))));
        assert_eq!(q.try_pop(), Some(2));
    }

    #[test]
    fn closing_wakes_waiting_senders_and_keeps_the_queue_for_the_receiver() {
        let q = Queue::new(Some(1));
        assert!(matches!(q.try_push(0), Push::Sent));
        let (count, w) = waker();
        let cx = Context::from_waker(&w);
        let PushOrWait::Wait(item, mut wait) = q.push_or_wait(1, &cx) else {
            panic!("the queue is full");
        };
        q.close();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(wait.poll_push(item, &cx), PushOrWait::Closed(1)));
        assert!(matches!(q.try_push(2), Push::Closed(2)));
        let mut batch = Batch::new();
        assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(0)));
        assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(None));
    }

    /// Takes everything queued into `batch` and hands out the first item.
    fn pop(q: &Queue<u32>, batch: &mut Batch<u32>) -> Option<u32> {
        let cx = Context::from_waker(Waker::noop());
        match q.poll_pop(batch, &cx) {
            Poll::Ready(item) => item,
            Poll::Pending => None,
        }
    }

    #[test]
    fn a_batch_keeps_its_room_until_released_and_counts_only_waiting_items() {
        let q = Queue::with_release_step(Some(4), 2);
        let mut batch = Batch::new();
        for i in 1..=4 {
            assert!(matches!(q.try_push(i), Push::Sent));
        }
        assert_eq!(pop(&q, &mut batch), Some(1));
        // Three wait (in the batch), one is being handled; nothing was released.
        assert_eq!(q.len(), 3);
        assert!(matches!(q.try_push(5), Push::Full(5)));
        let (count, w) = waker();
        let PushOrWait::Wait(item, mut wait) = q.push_or_wait(5, &Context::from_waker(&w)) else {
            panic!("the queue counts the batch as full");
        };
        // The second item handed out releases two slots: one to the sender in line.
        assert_eq!(pop(&q, &mut batch), Some(2));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert_eq!(q.len(), 2);
        assert!(sent(wait.poll_push(item, &Context::from_waker(&w))));
        assert!(matches!(q.try_push(6), Push::Sent));
        assert!(matches!(q.try_push(7), Push::Full(7)));
        assert_eq!(q.len(), 4);
        // In order: the batch first, then what came after it.
        let rest: Vec<u32> = std::iter::from_fn(|| pop(&q, &mut batch)).collect();
        assert_eq!(rest, [3, 4, 5, 6]);
        assert_eq!(q.len(), 0);
        assert_eq!(q.lock().held, 0);
    }

    #[test]
    fn a_release_wakes_every_sender_it_has_room_for() {
        let q = Queue::with_release_step(Some(8), 8);
        let mut batch = Batch::new();
        for i in 0..8 {
            assert!(matches!(q.try_push(i), Push::Sent));
        }
        let (count, w) = waker();
        let cx = Context::from_waker(&w);
        let mut waiting: Vec<_> = (100..106)
            .map(|i| match q.push_or_wait(i, &cx) {
                PushOrWait::Wait(item, wait) => (item, wait),
                _ => panic!("the queue is full"),
            })
            .collect();
        for i in 0..8 {
            assert_eq!(pop(&q, &mut batch), Some(i));
        }
        // Eight slots released at once: all six senders in line get one.
        assert_eq!(count.0.load(Ordering::SeqCst), 6);
        for (item, wait) in &mut waiting {
            assert!(sent(wait.poll_push(*item, &cx)));
        }
        let rest: Vec<u32> = std::iter::from_fn(|| pop(&q, &mut batch)).collect();
        assert_eq!(rest, [100, 101, 102, 103, 104, 105]);
    }

    #[test]
    fn unbatching_puts_the_batch_back_in_front() {
        let q = Queue::new(Some(8));
        let mut batch = Batch::new();
        for i in 1..=3 {
            assert!(matches!(q.try_push(i), Push::Sent));
        }
        assert_eq!(pop(&q, &mut batch), Some(1));
        assert!(matches!(q.try_push(4), Push::Sent));
        q.unbatch(&mut batch);
        assert_eq!(q.len(), 3);
        assert_eq!(q.retain(|&i| i != 3), [3]);
        assert_eq!(q.try_pop(), Some(2));
        assert_eq!(q.try_pop(), Some(4));
        assert_eq!(q.lock().held, 0);
    }

    #[test]
    fn retaining_keeps_the_order_and_gives_the_room_to_waiting_senders() {
        let q = Queue::new(Some(3));
        for i in 1..=3 {
            assert!(matches!(q.try_push(i), Push::Sent));
        }
        let (count, w) = waker();
        let PushOrWait::Wait(item, mut wait) = q.push_or_wait(4, &Context::from_waker(&w)) else {
            panic!("the queue is full");
        };
        assert_eq!(q.retain(|&i| i != 2), [2]);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(sent(wait.poll_push(item, &Context::from_waker(&w))));
        assert_eq!(q.try_pop(), Some(1));
        assert_eq!(q.try_pop(), Some(3));
        assert_eq!(q.try_pop(), Some(4));
    }

    #[test]
    fn a_wake_up_goes_in_only_when_nothing_is_queued() {
        let q = Queue::new(Some(2));
        q.push_if_empty(0);
        q.push_if_empty(1);
        assert_eq!(q.len(), 1);
        assert!(matches!(q.try_push(2), Push::Sent));
        assert!(matches!(q.try_push(3), Push::Full(3)));
        q.push_if_empty(4);
        assert_eq!(q.try_pop(), Some(0));
        assert_eq!(q.try_pop(), Some(2));
        assert_eq!(q.try_pop(), None);
    }
}
