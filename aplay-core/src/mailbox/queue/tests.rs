//! The queue's unit tests (its model tests under loom are in `queue_loom`).

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
    let PushOrWait::Wait(a, mut wait_a) = q.push_or_wait(1, &Context::from_waker(&first)) else {
        panic!("the queue is full");
    };
    let PushOrWait::Wait(b, mut wait_b) = q.push_or_wait(2, &Context::from_waker(&second)) else {
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
    let PushOrWait::Wait(b, mut wait_b) = q.push_or_wait(2, &Context::from_waker(&second)) else {
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

const HIGH: Priority = Priority::High;

#[test]
fn high_items_overtake_normal_ones_and_keep_their_own_order() {
    let q = Queue::new(Some(8));
    let mut batch = Batch::new();
    for i in 1..=3 {
        assert!(matches!(q.try_push(i), Push::Sent));
    }
    assert!(matches!(q.try_push_in(10, HIGH), Push::Sent));
    assert!(matches!(q.try_push_in(11, HIGH), Push::Sent));
    assert_eq!(q.len(), 5);
    assert_eq!(pop(&q, &mut batch), Some(10));
    assert_eq!(pop(&q, &mut batch), Some(11));
    assert_eq!(pop(&q, &mut batch), Some(1));
    // In the middle of a batch: the next high item still goes first.
    assert!(matches!(q.try_push_in(12, HIGH), Push::Sent));
    assert_eq!(pop(&q, &mut batch), Some(12));
    let rest: Vec<u32> = std::iter::from_fn(|| pop(&q, &mut batch)).collect();
    assert_eq!(rest, [2, 3]);
    assert_eq!(q.len(), 0);
}

#[test]
fn a_high_item_reaches_a_receiver_in_the_middle_of_its_batch() {
    let q = Queue::new(Some(8));
    let mut batch = Batch::new();
    for i in 1..=4 {
        assert!(matches!(q.try_push(i), Push::Sent));
    }
    assert_eq!(pop(&q, &mut batch), Some(1)); // 2, 3, 4 are in the batch now
    assert!(matches!(q.try_push_in(9, HIGH), Push::Sent));
    assert_eq!(pop(&q, &mut batch), Some(9));
    let rest: Vec<u32> = std::iter::from_fn(|| pop(&q, &mut batch)).collect();
    assert_eq!(rest, [2, 3, 4]);
}

#[test]
fn each_lane_has_room_of_its_own() {
    let q = Queue::new(Some(2));
    assert!(matches!(q.try_push(1), Push::Sent));
    assert!(matches!(q.try_push(2), Push::Sent));
    assert!(matches!(q.try_push(3), Push::Full(3)));
    // A full normal lane does not hold up a high item.
    assert!(matches!(q.try_push_in(10, HIGH), Push::Sent));
    assert!(matches!(q.try_push_in(11, HIGH), Push::Sent));
    assert!(matches!(q.try_push_in(12, HIGH), Push::Full(12)));
    // A high sender waits in a line of its own, and the room a high item frees goes to it.
    let (high_count, high_waker) = waker();
    let (normal_count, normal_waker) = waker();
    let PushOrWait::Wait(h, mut high_wait) =
        q.push_or_wait_in(12, HIGH, &Context::from_waker(&high_waker))
    else {
        panic!("the high lane is full");
    };
    let PushOrWait::Wait(n, mut normal_wait) =
        q.push_or_wait(3, &Context::from_waker(&normal_waker))
    else {
        panic!("the normal lane is full");
    };
    assert_eq!(q.try_pop(), Some(10));
    assert_eq!(high_count.0.load(Ordering::SeqCst), 1);
    assert_eq!(normal_count.0.load(Ordering::SeqCst), 0);
    assert!(sent(
        high_wait.poll_push(h, &Context::from_waker(&high_waker))
    ));
    assert_eq!(q.try_pop(), Some(11));
    assert_eq!(q.try_pop(), Some(12));
    assert_eq!(normal_count.0.load(Ordering::SeqCst), 0);
    assert_eq!(q.try_pop(), Some(1));
    assert_eq!(normal_count.0.load(Ordering::SeqCst), 1);
    assert!(sent(
        normal_wait.poll_push(n, &Context::from_waker(&normal_waker))
    ));
    assert_eq!(q.try_pop(), Some(2));
    assert_eq!(q.try_pop(), Some(3));
    assert_eq!(q.try_pop(), None);
}

#[test]
fn a_high_item_wakes_the_waiting_receiver() {
    let q = Queue::new(Some(4));
    let (count, w) = waker();
    let cx = Context::from_waker(&w);
    let mut batch = Batch::new();
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
    assert!(matches!(q.try_push_in(7, HIGH), Push::Sent));
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(7)));
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
}

#[test]
fn closing_wakes_high_senders_and_hands_every_lane_back() {
    let q = Queue::new(Some(1));
    assert!(matches!(q.try_push(1), Push::Sent));
    assert!(matches!(q.try_push_in(2, HIGH), Push::Sent));
    let (count, w) = waker();
    let cx = Context::from_waker(&w);
    let PushOrWait::Wait(item, mut wait) = q.push_or_wait_in(3, HIGH, &cx) else {
        panic!("the high lane is full");
    };
    assert_eq!(q.retain(|_| true), Vec::<u32>::new());
    let taken = q.close_and_take();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(matches!(wait.poll_push(item, &cx), PushOrWait::Closed(3)));
    assert_eq!(Vec::from(taken), [2, 1]);
    assert!(matches!(q.try_push_in(4, HIGH), Push::Closed(4)));
}

#[test]
fn a_wake_up_is_needless_while_a_high_item_waits() {
    let q = Queue::new(Some(2));
    assert!(matches!(q.try_push_in(5, HIGH), Push::Sent));
    q.push_if_empty(0);
    assert_eq!(q.len(), 1);
}

#[test]
fn a_queue_that_never_got_a_high_item_holds_no_lane() {
    let q = Queue::new(Some(2));
    assert!(matches!(q.try_push(1), Push::Sent));
    assert!(q.lock().high.is_none());
}

#[test]
fn close_if_idle_closes_only_a_queue_whose_receiver_waits_with_nothing_taken() {
    let (count, w) = waker();
    let cx = Context::from_waker(&w);

    // Never polled: the receiver may be about to take something; left open.
    let q: Queue<u64> = Queue::new(Some(8));
    assert!(!q.close_if_idle());
    assert!(matches!(q.try_push(1), Push::Sent));

    // Something queued: left open.
    let mut batch = Batch::new();
    assert!(!q.close_if_idle());
    // Items taken in a batch and not all handed out: still busy.
    assert!(matches!(q.try_push(2), Push::Sent));
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(1)));
    assert!(!q.close_if_idle());
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(2)));
    // The last item handed out, not yet come back for more (its handler may run): busy.
    assert!(!q.close_if_idle());

    // Back, and waiting: idle. Closed, the receiver is woken and finds the end.
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
    let wakes = count.0.load(Ordering::SeqCst);
    assert!(q.close_if_idle());
    assert_eq!(count.0.load(Ordering::SeqCst), wakes + 1);
    assert!(matches!(q.try_push(3), Push::Closed(3)));
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(None));
    // Closed already: not closed again by this call.
    assert!(!q.close_if_idle());
}

#[test]
fn a_receiver_that_took_the_last_item_waits_again_without_the_lock_and_misses_nothing() {
    let (count, w) = waker();
    let cx = Context::from_waker(&w);
    let q = Queue::new(Some(8));
    let mut batch = Batch::new();
    assert!(matches!(q.try_push(1), Push::Sent));
    // One item: taken, and the waker registered at once (the queue is empty now).
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(1)));
    // Its handler may be running: not idle, though the waker is registered.
    assert!(!q.close_if_idle());
    // Nothing came: pending, with the waker still registered.
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    // A push wakes it, and the next poll takes the item.
    assert!(matches!(q.try_push(2), Push::Sent));
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(2)));
    // An item that comes while its handler runs wakes it too, and is not skipped.
    assert!(matches!(q.try_push(3), Push::Sent));
    assert_eq!(count.0.load(Ordering::SeqCst), 2);
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(3)));
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
    // Idle now: a close finds it so.
    assert!(q.close_if_idle());
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(None));
}

#[test]
fn a_receiver_polled_by_another_task_registers_that_tasks_waker() {
    let (first, first_waker) = waker();
    let (second, second_waker) = waker();
    let q = Queue::new(Some(8));
    let mut batch = Batch::new();
    assert!(matches!(q.try_push(1), Push::Sent));
    // Taken by the first task, which registers its waker as it takes the last item.
    let cx = Context::from_waker(&first_waker);
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(1)));
    // Polled next by another task (a restarted actor's next instance), which says so: its own
    // waker goes in.
    batch.new_owner();
    let cx = Context::from_waker(&second_waker);
    assert!(q.poll_pop(&mut batch, &cx).is_pending());
    assert!(matches!(q.try_push(2), Push::Sent));
    assert_eq!(
        second.0.load(Ordering::SeqCst),
        1,
        "the task that waits is woken"
    );
    assert_eq!(first.0.load(Ordering::SeqCst), 0);
    assert_eq!(q.poll_pop(&mut batch, &cx), Poll::Ready(Some(2)));
}
