//! A count of the live heap: the process's global allocator is [`std::alloc::System`] (glibc's
//! `malloc` on Linux, as without this module) wrapped to count, while a [`Window`] is open,
//! the bytes and blocks allocated minus those freed.
//!
//! Outside a window the wrapper adds one relaxed load of a flag per call (the flag's cache line
//! is only read, so the cores do not fight over it): the tell and fan-in scenarios, which run
//! with no window open, pay nothing else. Inside one, each thread adds to counters of its own
//! (a shard, claimed at its first count, on a cache line of its own), with plain loads and
//! stores: no atomic read-modify-write, no cache line shared between threads; a window's
//! growth is the sum over the shards. (Two shared atomic adds per call slowed actix's and
//! xtra's spawns, which allocate six blocks per actor, by 10 to 15%.) `realloc` is passed
//! through as `realloc` (glibc may grow a block in place), counting the change of size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

/// The wrapper around [`System`].
#[derive(Debug)]
struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Whether a [`Window`] is open.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Shards of the counts: one per thread, the last shared by the threads that come after the
/// others are taken (each actix run starts a thread of its own, so a long run uses many).
const SHARDS: usize = 256;
const SHARED: usize = SHARDS - 1;

/// One thread's counts since the process started (only while a window was open), alone on its
/// cache line.
#[repr(align(64))]
struct Shard {
    /// Bytes allocated minus bytes freed.
    bytes: AtomicI64,
    /// Blocks allocated minus blocks freed.
    blocks: AtomicI64,
}

static COUNTS: [Shard; SHARDS] = [const {
    Shard {
        bytes: AtomicI64::new(0),
        blocks: AtomicI64::new(0),
    }
}; SHARDS];

/// The next shard to hand out.
static NEXT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard (`usize::MAX` until its first count). Const-initialised and
    /// without a destructor: reading it neither allocates nor registers anything.
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn count(bytes: i64, blocks: i64) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    let index = SHARD
        .try_with(|shard| {
            if shard.get() == usize::MAX {
                shard.set(NEXT.fetch_add(1, Ordering::Relaxed).min(SHARED));
            }
            shard.get()
        })
        .unwrap_or(SHARED);
    let shard = &COUNTS[index];
    if index == SHARED {
        shard.bytes.fetch_add(bytes, Ordering::Relaxed);
        shard.blocks.fetch_add(blocks, Ordering::Relaxed);
    } else {
        // Only this thread writes its shard: a load and a store, not a read-modify-write.
        let add = |counter: &AtomicI64, v: i64| {
            counter.store(counter.load(Ordering::Relaxed) + v, Ordering::Relaxed)
        };
        add(&shard.bytes, bytes);
        add(&shard.blocks, blocks);
    }
}

/// The sum over the shards.
fn total() -> Growth {
    COUNTS.iter().fold(
        Growth {
            bytes: 0,
            blocks: 0,
        },
        |sum, shard| Growth {
            bytes: sum.bytes + shard.bytes.load(Ordering::Relaxed),
            blocks: sum.blocks + shard.blocks.load(Ordering::Relaxed),
        },
    )
}

// SAFETY: every call is passed to `System` with the caller's arguments unchanged; the counting
// beside it neither allocates nor touches the memory.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            count(layout.size() as i64, 1);
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            count(layout.size() as i64, 1);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(block, layout) };
        count(-(layout.size() as i64), -1);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            count(new_size as i64 - layout.size() as i64, 0);
        }
        moved
    }
}

/// The growth of the live heap over a window: bytes and blocks allocated minus those freed,
/// by every thread of the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Growth {
    pub(crate) bytes: i64,
    pub(crate) blocks: i64,
}

/// An open window of heap counting; one at a time (scenarios run one after the other).
#[derive(Debug)]
pub(crate) struct Window {
    /// The counts when it opened.
    start: Growth,
}

impl Window {
    /// Starts counting.
    pub(crate) fn open() -> Window {
        let start = total();
        COUNTING.store(true, Ordering::SeqCst);
        Window { start }
    }

    /// Stops counting; returns the growth since [`Window::open`].
    pub(crate) fn close(self) -> Growth {
        COUNTING.store(false, Ordering::SeqCst);
        let end = total();
        Growth {
            bytes: end.bytes - self.start.bytes,
            blocks: end.blocks - self.start.blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This thread's own counts (other test threads allocate and free meanwhile).
    fn this_thread() -> Growth {
        let shard = &COUNTS[SHARD.with(Cell::get)];
        Growth {
            bytes: shard.bytes.load(Ordering::Relaxed),
            blocks: shard.blocks.load(Ordering::Relaxed),
        }
    }

    #[test]
    fn counts_live_blocks() {
        let window = Window::open();
        // The first count gives this thread its shard.
        drop(std::hint::black_box(Box::new(0u8)));
        let before = this_thread();
        let kept: Vec<Box<[u8; 4096]>> = (0..8).map(|_| Box::new([0u8; 4096])).collect();
        let after = this_thread();
        let _ = window.close();
        assert_eq!(after.bytes - before.bytes, 8 * 4096 + 8 * 8, "{after:?}");
        assert_eq!(after.blocks - before.blocks, 9, "{after:?}");
        drop(kept);
    }
}
