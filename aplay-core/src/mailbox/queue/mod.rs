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
//! - **Two lanes**: an item pushed with [`Priority::High`] goes to a lane of its own, lazily
//!   allocated, which the receiver empties before it hands out the next normal item (one item
//!   at a time, checked with one atomic load per item, even in the middle of a batch). Each
//!   lane has its own room (`capacity` items) and its own line of waiting senders: a full
//!   normal lane never holds up a high-priority send, and a flood of high-priority items waits
//!   for room of its own.
//! - **Closing** refuses new items; those queued can still be popped. Waiting senders are
//!   woken and told.
//! - Wakers are woken after the lock is released, and items are dropped outside it (an item's
//!   `Drop` may send to the same queue).

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use std::sync::atomic::Ordering;

use super::Priority;
use super::sync::{self, AtomicBool, AtomicUsize, Mutex, MutexGuard};

mod room;
#[cfg(all(test, not(aplay_loom)))]
mod tests;

pub(crate) use room::RoomWait;
use room::{Line, Waiter, wake_granted};

/// A multi-producer, single-consumer queue with room for `capacity` items.
pub(crate) struct Queue<T> {
    state: Mutex<State<T>>,
    /// How many of the items in the receiver's batch (counted in `held`) it has handed out
    /// since it last released room: written by the receiver alone, read by [`len`](Self::len)
    /// so that it counts only the items still waiting.
    handed: AtomicUsize,
    /// How many items wait in the high lane: written under the lock, read by the receiver
    /// without it between the items of a batch (a stale zero only lets one more normal item
    /// go first).
    high_queued: AtomicUsize,
    /// Whether the receiver's waker is registered and nothing has taken it since: written
    /// under the lock, read by the receiver without it. A receiver that registered its waker
    /// when it took the last item (see [`Queue::refill`]) finds here, after handling it, that
    /// nothing came meanwhile, without taking the lock a second time (a stale `true` is
    /// harmless: whoever took the waker wakes the receiver).
    armed: AtomicBool,
    /// Whether the receiver waits for an item, with nothing in hand (its handler is not
    /// running): what [`close_if_idle`](Self::close_if_idle) asks.
    waiting: AtomicBool,
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
    /// The items pushed with high priority, and the senders waiting for room there:
    /// allocated by the first one (most actors never get one).
    high: Option<Box<HighLane<T>>>,
}

/// The high-priority lane: served before the normal items, with room and a line of its own.
struct HighLane<T> {
    items: VecDeque<T>,
    line: Line,
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
    #[inline(always)]
    fn push(&mut self, item: T, lane: Priority, armed: &AtomicBool) -> Option<Waker> {
        match lane {
            Priority::Normal => self.items.push_back(item),
            Priority::High => self.high_lane().items.push_back(item),
        }
        take_receiver(self, armed)
    }

    /// The high lane, allocated on first use.
    #[cold]
    fn high_lane(&mut self) -> &mut HighLane<T> {
        self.high.get_or_insert_with(|| {
            Box::new(HighLane {
                items: VecDeque::new(),
                line: Line::default(),
            })
        })
    }

    /// How many items wait in the high lane.
    fn high_len(&self) -> usize {
        self.high.as_ref().map_or(0, |high| high.items.len())
    }
}

/// The receiver's side of a queue: the items it took out in one go, handed out one at a
/// time without the lock. They keep their room until released, every `step` items and when
/// the batch runs out, so the capacity still bounds everything queued or taken. Allocated
/// the first time the receiver takes more than one item (a pointer until then: it lives in
/// every actor's task).
pub(crate) struct Batch<T> {
    taken: Option<Box<Taken<T>>>,
    /// This receiver registered its waker when it last took from the queue: polled again
    /// while the queue is still armed, nothing came since (see [`Queue::armed`]). The batch
    /// is polled by one task; another that takes it over (a restarted actor's next instance)
    /// calls [`new_owner`](Self::new_owner) first, since the waker registered is not its own.
    armed: bool,
}

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
        Batch {
            taken: None,
            armed: false,
        }
    }

    /// Another task polls it from now on: the waker registered is not that task's, so the
    /// next poll takes the lock and registers its own.
    pub(crate) fn new_owner(&mut self) {
        self.armed = false;
    }
}

/// Takes the receiver's waker out of `state`, disarming it (under the lock).
#[inline(always)]
fn take_receiver<T>(state: &mut State<T>, armed: &AtomicBool) -> Option<Waker> {
    let receiver = state.receiver.take();
    if receiver.is_some() {
        armed.store(false, Ordering::Release);
    }
    receiver
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
                high: None,
            }),
            handed: AtomicUsize::new(0),
            high_queued: AtomicUsize::new(0),
            armed: AtomicBool::new(false),
            waiting: AtomicBool::new(false),
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
        (state.items.len() + state.held).saturating_sub(handed) + state.high_len()
    }

    /// Pushes `item` into the normal lane if there is room, without waiting.
    #[cfg(test)]
    pub(crate) fn try_push(&self, item: T) -> Push<T> {
        self.try_push_in(item, Priority::Normal)
    }

    /// Pushes `item` into `lane` if there is room, without waiting.
    #[inline]
    pub(crate) fn try_push_in(&self, item: T, lane: Priority) -> Push<T> {
        let mut state = self.lock();
        if state.closed {
            return Push::Closed(item);
        }
        if state.free(lane) == 0 {
            return Push::Full(item);
        }
        let receiver = state.push(item, lane, &self.armed);
        self.count_high(&state, lane);
        drop(state);
        wake(receiver);
        Push::Sent
    }

    /// Keeps [`high_queued`](Self::high_queued) true after a push into `lane`.
    #[inline(always)]
    fn count_high(&self, state: &State<T>, lane: Priority) {
        if lane == Priority::High {
            self.high_queued.store(state.high_len(), Ordering::Relaxed);
        }
    }

    /// Takes the oldest item of the high lane, if any (its room is given to waiting senders
    /// when the lock is released through [`unlock_granting`](Self::unlock_granting)).
    fn take_high(&self, state: &mut State<T>) -> Option<T> {
        let high = state.high.as_mut()?;
        let item = high.items.pop_front()?;
        self.high_queued.store(high.items.len(), Ordering::Relaxed);
        Some(item)
    }

    /// The next high-priority item, taken under the lock (the receiver found some waiting).
    #[cold]
    #[inline(never)]
    fn pop_high(&self) -> Option<T> {
        let mut state = self.lock();
        let item = self.take_high(&mut state);
        self.unlock_granting(state);
        item
    }

    /// Pushes `item` only if the queue is empty (a wake-up for the receiver, needless when
    /// something is queued already). Nothing happens once closed.
    pub(crate) fn push_if_empty(&self, item: T) {
        let mut state = self.lock();
        if state.closed || !state.items.is_empty() || state.high_len() > 0 {
            return;
        }
        let receiver = state.push(item, Priority::Normal, &self.armed);
        drop(state);
        wake(receiver);
    }

    /// Pushes `item` into the normal lane if there is room; otherwise joins the line of
    /// waiting senders with the waker of `cx`.
    #[cfg(test)]
    pub(crate) fn push_or_wait(&self, item: T, cx: &Context<'_>) -> PushOrWait<'_, T> {
        self.push_or_wait_in(item, Priority::Normal, cx)
    }

    /// Pushes `item` into `lane` if there is room; otherwise joins that lane's line of
    /// waiting senders with the waker of `cx`.
    pub(crate) fn push_or_wait_in(
        &self,
        item: T,
        lane: Priority,
        cx: &Context<'_>,
    ) -> PushOrWait<'_, T> {
        let mut state = self.lock();
        if state.closed {
            return PushOrWait::Closed(item);
        }
        if state.free(lane) > 0 {
            let receiver = state.push(item, lane, &self.armed);
            self.count_high(&state, lane);
            drop(state);
            wake(receiver);
            return PushOrWait::Sent;
        }
        let line = state.line_or_new(lane);
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
                lane,
            },
        )
    }

    /// The next item for the receiver: a high-priority one if any waits; else from its
    /// `batch` when it holds some; otherwise takes every queued item into the batch at once.
    /// `Ready(None)` once closed and empty; otherwise registers the waker of `cx` and waits.
    #[inline]
    pub(crate) fn poll_pop(&self, batch: &mut Batch<T>, cx: &Context<'_>) -> Poll<Option<T>> {
        if let Some(taken) = batch.taken.as_deref_mut()
            && !taken.items.is_empty()
        {
            if self.high_queued.load(Ordering::Relaxed) != 0
                && let Some(item) = self.pop_high()
            {
                return Poll::Ready(Some(item));
            }
            let Some(item) = taken.items.pop_front() else {
                unreachable!("the batch holds items")
            };
            taken.handed += 1;
            self.handed.store(taken.handed, Ordering::Release);
            if taken.handed >= taken.step {
                self.release(taken);
            }
            return Poll::Ready(Some(item));
        }
        if batch.armed && self.armed.load(Ordering::Acquire) {
            // Its waker is registered since it took its last item, and nothing took it: the
            // queue is still empty. Pending, without the lock.
            self.waiting.store(true, Ordering::Release);
            return Poll::Pending;
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

    /// Registers the waker of `cx` as the receiver's (under the lock), and arms the queue.
    fn register(&self, state: &mut State<T>, batch: &mut Batch<T>, cx: &Context<'_>) {
        match &mut state.receiver {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        self.armed.store(true, Ordering::Release);
        batch.armed = true;
    }

    /// Releases what `batch` handed out and takes every queued item into it.
    fn refill(&self, batch: &mut Batch<T>, cx: &Context<'_>) -> Poll<Option<T>> {
        let mut state = self.lock();
        batch.armed = false;
        if let Some(taken) = batch.taken.as_deref_mut() {
            state.held -= std::mem::take(&mut taken.handed);
            self.handed.store(0, Ordering::Release);
        }
        if let Some(item) = self.take_high(&mut state) {
            self.waiting.store(false, Ordering::Release);
            self.unlock_granting(state);
            return Poll::Ready(Some(item));
        }
        if state.items.is_empty() {
            let closed = state.closed;
            if !closed {
                self.register(&mut state, batch, cx);
                self.waiting.store(true, Ordering::Release);
            }
            self.unlock_granting(state);
            return if closed {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
        self.waiting.store(false, Ordering::Release);
        if state.items.len() == 1 {
            // One item (an ask, say): no batch to make. The queue is empty now: the waker is
            // registered at once, so that the next poll, after this item's handler, learns
            // without the lock whether anything came meanwhile (one lock per message, not two,
            // for an actor woken by each message: a ring, a server of asks).
            let item = state.items.pop_front();
            if !state.closed {
                self.register(&mut state, batch, cx);
            }
            self.unlock_granting(state);
            return Poll::Ready(item);
        }
        let step = state.step;
        let taken = batch.taken.get_or_insert_with(|| {
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
        let Some(taken) = batch.taken.as_deref_mut() else {
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

    /// The next item if one is queued, high-priority ones first.
    pub(crate) fn try_pop(&self) -> Option<T> {
        let mut state = self.lock();
        let item = match self.take_high(&mut state) {
            Some(item) => item,
            None => state.items.pop_front()?,
        };
        self.unlock_granting(state);
        Some(item)
    }

    /// Refuses new items; queued ones can still be popped. Waiting senders are woken: they
    /// find the queue closed.
    pub(crate) fn close(&self) {
        let state = self.lock();
        if state.closed {
            return;
        }
        self.close_locked(state, true);
    }

    /// Closes the queue only if its receiver waits for an item and none is queued, taken or
    /// held: then the receiver will never get one again. `true` when it did (it wakes the
    /// receiver, which finds the queue closed).
    pub(crate) fn close_if_idle(&self) -> bool {
        self.close_if_idle_then(true)
    }

    /// [`close_if_idle`](Self::close_if_idle), dropping the receiver's waker instead of
    /// waking it (the caller stands in for the receiver).
    pub(crate) fn close_if_idle_unwoken(&self) -> bool {
        self.close_if_idle_then(false)
    }

    fn close_if_idle_then(&self, wake_receiver: bool) -> bool {
        let state = self.lock();
        let idle = !state.closed
            && state.receiver.is_some()
            && self.waiting.load(Ordering::Acquire)
            && state.items.is_empty()
            && state.held == 0
            && state.high_len() == 0;
        if idle {
            self.close_locked(state, wake_receiver);
        }
        idle
    }

    /// Registers `waker` as the receiver's, as a poll that found nothing would; `true` when
    /// something is queued already, or the queue is closed (the caller wakes the receiver
    /// itself).
    pub(crate) fn wait_with(&self, waker: Waker) -> bool {
        let mut state = self.lock();
        if !state.items.is_empty() || state.high_len() > 0 || state.closed {
            return true;
        }
        state.receiver = Some(waker);
        self.armed.store(true, Ordering::Release);
        self.waiting.store(true, Ordering::Release);
        false
    }

    /// Closes the open queue `state` belongs to, then wakes its waiting senders, and its
    /// receiver if `wake_receiver`.
    fn close_locked(&self, mut state: MutexGuard<'_, State<T>>, wake_receiver: bool) {
        state.closed = true;
        let mut waiting = Vec::new();
        for lane in [Priority::Normal, Priority::High] {
            if let Some(line) = state.line_mut(lane) {
                line.granted = 0;
                waiting.extend(std::mem::take(&mut line.waiting));
            }
        }
        let receiver = take_receiver(&mut state, &self.armed);
        drop(state);
        for waiter in waiting {
            waiter.waker.wake();
        }
        if wake_receiver {
            wake(receiver);
        }
    }

    /// Keeps only the queued items `keep` accepts (in both lanes), in order; returns the
    /// others, for the caller to drop outside the lock. The room freed goes to waiting
    /// senders.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
        let mut state = self.lock();
        let mut removed = Vec::new();
        let mut sift = |items: &mut VecDeque<T>| {
            for item in std::mem::take(items) {
                if keep(&item) {
                    items.push_back(item);
                } else {
                    removed.push(item);
                }
            }
        };
        sift(&mut state.items);
        if let Some(high) = state.high.as_mut() {
            sift(&mut high.items);
            self.high_queued.store(high.items.len(), Ordering::Relaxed);
        }
        self.unlock_granting(state);
        removed
    }

    /// Closes the queue and takes every queued item out (high-priority ones first), for the
    /// caller to drop outside the lock.
    pub(crate) fn close_and_take(&self) -> VecDeque<T> {
        self.close();
        let mut state = self.lock();
        let normal = std::mem::take(&mut state.items);
        let Some(high) = state.high.as_mut() else {
            return normal;
        };
        let mut all = std::mem::take(&mut high.items);
        self.high_queued.store(0, Ordering::Relaxed);
        all.extend(normal);
        all
    }
}
