//! The tell path allocates nothing per message: a counting allocator watches a burst of tells
//! to a running actor (its handle method, the mailbox, the actor's loop and handler). What is
//! left is amortized: tokio's channel allocates a block of 32 slots now and then (it reuses
//! most), and a tell that finds the mailbox full boxes its wait for room.

use std::alloc::{GlobalAlloc, Layout, System as Heap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use aplay::prelude::*;

/// Counts allocations while `COUNTING` is on.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on unchanged to the system allocator; the counter has no
// effect on the memory handed out.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
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

#[test]
fn tells_allocate_nothing_per_message() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let counter = system.spawn("counter", Counter::default()).await.unwrap();
        // Warm up: the mailbox's blocks of slots are allocated once, then reused.
        for _ in 0..10_000 {
            counter.add(1).await.unwrap();
        }
        assert_eq!(counter.get().await.unwrap(), 10_000);

        const TELLS: u64 = 100_000;
        COUNTING.store(true, Ordering::SeqCst);
        for _ in 0..TELLS {
            counter.add(1).await.unwrap();
        }
        COUNTING.store(false, Ordering::SeqCst);
        let allocations = ALLOCATIONS.load(Ordering::SeqCst);
        assert_eq!(counter.get().await.unwrap(), 10_000 + TELLS);
        eprintln!("{allocations} allocations for {TELLS} tells");
        // Here about one per 60 tells; one per message would be 100,000.
        assert!(
            allocations * 32 < TELLS,
            "{allocations} allocations for {TELLS} tells: the tell path allocates per message"
        );
        system.shutdown().await;
    });
}
