//! Model tests of the mailbox queue under loom, which runs each test under every interleaving
//! of its threads that can matter: no item lost or doubled, order kept per sender, and no
//! wake-up lost (a lost one shows as a deadlock: every thread parked).
//!
//! ```sh
//! RUSTFLAGS="--cfg aplay_loom" cargo test -p aplay-core --lib queue_loom --release
//! ```

use std::future::poll_fn;
use std::task::Poll;

use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;

use super::Priority;
use super::queue::{Batch, PushOrWait, Queue, RoomWait};

/// Sends `item`, waiting for room as a tell does; `false` if the queue closed first.
async fn send(queue: &Queue<u32>, item: u32) -> bool {
    send_in(queue, item, Priority::Normal).await
}

/// Sends `item` into `lane`, waiting for room there.
async fn send_in(queue: &Queue<u32>, item: u32, lane: Priority) -> bool {
    let mut pending = Some(item);
    let mut wait: Option<RoomWait<'_, u32>> = None;
    poll_fn(|cx| {
        let item = pending.take().expect("polled after it was sent");
        let step = match wait.take() {
            None => queue.push_or_wait_in(item, lane, cx),
            Some(mut w) => {
                let step = w.poll_push(item, cx);
                drop(w);
                step
            }
        };
        match step {
            PushOrWait::Sent => Poll::Ready(true),
            PushOrWait::Closed(_) => Poll::Ready(false),
            PushOrWait::Wait(item, w) => {
                pending = Some(item);
                wait = Some(w);
                Poll::Pending
            }
        }
    })
    .await
}

/// Sends `items` one after the other, waiting for room as a tell does.
async fn send_all(queue: &Queue<u32>, items: impl IntoIterator<Item = u32>) {
    for item in items {
        assert!(send(queue, item).await, "the queue is never closed here");
    }
}

/// Receives `n` items, waiting for each, through the receiver's `batch`. Each call runs in a
/// `block_on` of its own, a task of its own as far as wakers go: it takes the batch over.
async fn receive(queue: &Queue<u32>, batch: &mut Batch<u32>, n: usize) -> Vec<u32> {
    batch.new_owner();
    let mut items = Vec::with_capacity(n);
    while items.len() < n {
        let item = poll_fn(|cx| queue.poll_pop(batch, cx)).await;
        items.push(item.expect("the queue is never closed here"));
    }
    items
}

/// Two senders, a queue of one slot: everything arrives, in order per sender, and neither a
/// waiting sender nor the receiver is left asleep. (Three threads and three items: explored
/// with at most three preemptions, which keeps it to minutes.)
#[test]
fn two_senders_one_slot() {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(3);
    model.check(|| {
        let queue = Arc::new(Queue::new(Some(1)));
        let mut batch = Batch::new();
        let a = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send_all(&queue, [1, 2])))
        };
        let b = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send_all(&queue, [10])))
        };
        let items = block_on(receive(&queue, &mut batch, 3));
        a.join().unwrap();
        b.join().unwrap();
        let from_a: Vec<u32> = items.iter().copied().filter(|&i| i < 10).collect();
        assert_eq!(from_a, [1, 2]);
        assert!(items.contains(&10));
    });
}

/// A sender that gives up while in line (its slot granted or not) does not strand the one
/// behind it.
#[test]
fn a_sender_leaving_the_line_passes_its_slot_on() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(Some(1)));
        let mut batch = Batch::new();
        assert!(matches!(queue.try_push(0), super::queue::Push::Sent));
        let quitter = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                let cx = std::task::Context::from_waker(std::task::Waker::noop());
                // Joins the line, then leaves it at once.
                if let PushOrWait::Wait(_, wait) = queue.push_or_wait(1, &cx) {
                    drop(wait);
                }
            })
        };
        let stayer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send_all(&queue, [2])))
        };
        let first = block_on(receive(&queue, &mut batch, 1));
        assert_eq!(first, [0]);
        quitter.join().unwrap();
        // The quitter's item went in only if it found room at once; the stayer's always does.
        let mut rest = Vec::new();
        while !rest.contains(&2) {
            rest.extend(block_on(receive(&queue, &mut batch, 1)));
        }
        stayer.join().unwrap();
        assert!(rest.iter().all(|&i| i == 1 || i == 2));
    });
}

/// Closing wakes a sender waiting for room, which then gets its item back.
#[test]
fn closing_wakes_a_waiting_sender() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(Some(1)));
        assert!(matches!(queue.try_push(0), super::queue::Push::Sent));
        let sender = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send(&queue, 1)))
        };
        queue.close();
        let sent = sender.join().unwrap();
        assert!(!sent, "the queue was full until it closed");
        assert_eq!(queue.try_pop(), Some(0));
        assert_eq!(queue.try_pop(), None);
    });
}

/// A wake-up pushed while the receiver goes to sleep is never lost.
#[test]
fn a_wake_up_reaches_a_receiver_going_to_sleep() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(Some(4)));
        let mut batch = Batch::new();
        let signaller = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.push_if_empty(7))
        };
        let items = block_on(receive(&queue, &mut batch, 1));
        assert_eq!(items, [7]);
        signaller.join().unwrap();
    });
}

/// A receiver that takes items in batches and releases their room only every second item:
/// a sender waiting for room is woken by a release, and nothing is lost or reordered.
#[test]
fn a_batch_releases_room_to_a_waiting_sender() {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(3);
    model.check(|| {
        let queue = Arc::new(Queue::with_release_step(Some(2), 2));
        let mut batch = Batch::new();
        let sender = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send_all(&queue, [1, 2, 3, 4])))
        };
        let items = block_on(receive(&queue, &mut batch, 4));
        sender.join().unwrap();
        assert_eq!(items, [1, 2, 3, 4]);
    });
}

/// A high sender waiting for room in its lane of one slot, racing a normal sender and the
/// receiver: everything arrives, each lane in order, and nobody is left asleep.
#[test]
fn a_high_sender_waits_for_room_of_its_own() {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(3);
    model.check(|| {
        let queue = Arc::new(Queue::new(Some(1)));
        let mut batch = Batch::new();
        let high = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                block_on(async {
                    assert!(send_in(&queue, 100, Priority::High).await);
                    assert!(send_in(&queue, 101, Priority::High).await);
                })
            })
        };
        let normal = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || block_on(send_all(&queue, [1, 2])))
        };
        let items = block_on(receive(&queue, &mut batch, 4));
        high.join().unwrap();
        normal.join().unwrap();
        let highs: Vec<u32> = items.iter().copied().filter(|&i| i >= 100).collect();
        let normals: Vec<u32> = items.iter().copied().filter(|&i| i < 100).collect();
        assert_eq!(highs, [100, 101]);
        assert_eq!(normals, [1, 2]);
    });
}
