//! A count of the live heap: the process's global allocator is [`std::alloc::System`] (glibc's
//! `malloc` on Linux, as without this module) wrapped to count, while a [`Window`] is open,
//! the bytes and blocks allocated minus those freed.
//!
//! Outside a window the wrapper adds one relaxed load of a flag per call (the flag's cache line
//! is only read, so the cores do not fight over it): the tell and fan-in scenarios, which run
//! with no window open, pay nothing else. Inside one, each allocation and free adds two relaxed
//! read-modify-writes. `realloc` is passed through as `realloc` (glibc may grow a block in
//! place), counting the change of size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// The wrapper around [`System`].
#[derive(Debug)]
struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Whether a [`Window`] is open.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed since the window opened.
static BYTES: AtomicI64 = AtomicI64::new(0);
/// Blocks allocated minus blocks freed since the window opened.
static BLOCKS: AtomicI64 = AtomicI64::new(0);

fn count(bytes: i64, blocks: i64) {
    if COUNTING.load(Ordering::Relaxed) {
        BYTES.fetch_add(bytes, Ordering::Relaxed);
        if blocks != 0 {
            BLOCKS.fetch_add(blocks, Ordering::Relaxed);
        }
    }
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
pub(crate) struct Window(());

impl Window {
    /// Zeroes the counts and starts counting.
    pub(crate) fn open() -> Window {
        BYTES.store(0, Ordering::SeqCst);
        BLOCKS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        Window(())
    }

    /// Stops counting; returns the growth since [`Window::open`].
    pub(crate) fn close(self) -> Growth {
        COUNTING.store(false, Ordering::SeqCst);
        Growth {
            bytes: BYTES.load(Ordering::SeqCst),
            blocks: BLOCKS.load(Ordering::SeqCst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_live_blocks() {
        let window = Window::open();
        let kept: Vec<Box<[u8; 4096]>> = (0..8).map(|_| Box::new([0u8; 4096])).collect();
        let growth = window.close();
        // Other test threads may allocate meanwhile: at least these are counted.
        assert!(growth.bytes >= 8 * 4096, "{growth:?}");
        assert!(growth.blocks >= 9, "{growth:?}");
        drop(kept);
    }
}
