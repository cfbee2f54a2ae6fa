//! The tell path allocates nothing: a counting allocator watches bursts of tells to a running
//! actor (its handle method, the mailbox, the actor's loop and handler), including tells that
//! find the mailbox full and wait in line for room. The mailbox's queue grows once, during the
//! warm-up, and is reused.
//!
//! Everything runs on the test's thread (a current-thread runtime), and only that thread's
//! allocations are counted: the test harness allocates on its own threads meanwhile.

use std::alloc::{GlobalAlloc, Layout, System as Heap};
use std::cell::Cell;

use aplay::Mailbox;
use aplay::prelude::*;

/// Counts the allocations of a thread while its `COUNTING` is on.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed on unchanged to the system allocator; the counter has no
// effect on the memory handed out.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.get() {
            ALLOCATIONS.set(ALLOCATIONS.get() + 1);
        }
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { Heap.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above, for `dealloc`.
        unsafe { Heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A counter behind a mailbox of its choosing: the default one, or a small one so that
/// senders often wait for room.
struct Counter {
    count: u64,
    mailbox: Mailbox,
}

impl Counter {
    fn with_mailbox(mailbox: Mailbox) -> Self {
        Counter { count: 0, mailbox }
    }
}

impl Actor for Counter {
    fn mailbox(&self) -> Mailbox {
        self.mailbox
    }
}

#[actor]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn get(&self) -> u64 {
        self.count
    }
}

/// Counts the allocations this thread makes while `work` runs.
async fn allocations_during(work: impl std::future::Future<Output = ()>) -> u64 {
    ALLOCATIONS.set(0);
    COUNTING.set(true);
    work.await;
    COUNTING.set(false);
    ALLOCATIONS.get()
}

#[test]
fn tells_allocate_nothing() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let counter = system
            .spawn("counter", Counter::with_mailbox(Mailbox::default()))
            .await
            .unwrap();
        // Warm up: the mailbox's blocks of slots are allocated once, then reused.
        for _ in 0..10_000 {
            counter.add(1).await.unwrap();
        }
        assert_eq!(counter.get().await.unwrap(), 10_000);

        const TELLS: u64 = 100_000;
        let allocations = allocations_during(async {
            for _ in 0..TELLS {
                counter.add(1).await.unwrap();
            }
        })
        .await;
        assert_eq!(counter.get().await.unwrap(), 10_000 + TELLS);
        assert_eq!(allocations, 0, "allocations for {TELLS} tells");
        system.shutdown().await;
    });
}

#[test]
fn tells_waiting_in_line_for_room_allocate_nothing() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let narrow = system
            .spawn("narrow", Counter::with_mailbox(Mailbox::bounded(8)))
            .await
            .unwrap();
        // Four senders in one task: with room for 8 messages, they keep finding the mailbox
        // full and waiting in line.
        let senders = |each: u64| {
            let narrow = &narrow;
            let send = move || async move {
                for _ in 0..each {
                    narrow.add(1).await.unwrap();
                }
            };
            async move {
                tokio::join!(send(), send(), send(), send());
            }
        };
        senders(1_000).await;
        assert_eq!(narrow.get().await.unwrap(), 4_000);

        let allocations = allocations_during(senders(25_000)).await;
        assert_eq!(narrow.get().await.unwrap(), 104_000);
        assert_eq!(
            allocations, 0,
            "allocations for 100,000 tells from 4 senders"
        );
        system.shutdown().await;
    });
}
