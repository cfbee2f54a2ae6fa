//! Resident memory of this process, from `/proc/self/statm` (Linux).

use std::sync::OnceLock;

/// Resident set size in bytes; `None` where `/proc/self/statm` cannot be read.
pub(crate) fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    // Fields, in pages: size resident shared text lib data dt.
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// Hands the allocator's free memory back to the kernel (glibc's `malloc_trim`), so that a
/// reading taken next counts only live memory, and memory freed by an earlier scenario is not
/// reused unseen by the next one. Does nothing on other platforms.
///
/// `malloc_trim` trims the free memory at the top of the main arena, and every free whole page
/// inside every arena, but not the top of the other threads' arenas. For the calling thread's
/// own arena, a block between the size that makes `free` consolidate (64 KiB) and the mmap
/// threshold (128 KiB, see [`pin_malloc_thresholds`]) is allocated and freed first: that free
/// trims the top of its arena.
pub(crate) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    {
        unsafe extern "C" {
            /// glibc: releases free memory at the top of the heap and every free whole page
            /// inside all arenas (`madvise(MADV_DONTNEED)`).
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        drop(std::hint::black_box(Vec::<u8>::with_capacity(96 * 1024)));
        // SAFETY: `malloc_trim` takes no pointer and is thread-safe (it locks each arena).
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Pins glibc's trim and mmap thresholds at their default values (128 KiB), which turns off
/// their dynamic adjustment; does nothing on other platforms.
///
/// By default, freeing a large block (a long queue, a vector of 100,000 handles) raises both
/// thresholds, up to 32 and 64 MiB; from then on the freed memory at the top of a thread's
/// arena stays resident, and [`trim_heap`] cannot hand it back (`malloc_trim` trims the top
/// of the main arena only). A later spawn scenario on that thread (actix's, on a thread that
/// inherits the arena of the previous actix thread; any side's, on a runtime worker) would
/// then reuse it unseen and read almost no growth. With the thresholds pinned, large blocks
/// are always mapped on their own and the top of every arena is trimmed on free.
pub(crate) fn pin_malloc_thresholds() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    {
        unsafe extern "C" {
            /// glibc: sets an allocator parameter; returns 1 on success.
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        const M_TRIM_THRESHOLD: std::ffi::c_int = -1;
        const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
        const DEFAULT: std::ffi::c_int = 128 * 1024;
        // SAFETY: `mallopt` takes no pointer; it is called once, before any other thread runs.
        unsafe {
            mallopt(M_TRIM_THRESHOLD, DEFAULT);
            mallopt(M_MMAP_THRESHOLD, DEFAULT);
        }
    }
}

/// The kernel's page size, read once from `/proc/self/smaps` (4 KiB when it cannot be read).
fn page_size() -> u64 {
    static PAGE: OnceLock<u64> = OnceLock::new();
    *PAGE.get_or_init(|| {
        std::fs::read_to_string("/proc/self/smaps")
            .ok()
            .and_then(|smaps| {
                let line = smaps.lines().find(|l| l.starts_with("KernelPageSize:"))?;
                let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(kib * 1024)
            })
            .unwrap_or(4096)
    })
}

/// Resident growth per item between two readings, in bytes (negative if memory was returned).
pub(crate) fn per_item(before: Option<u64>, after: Option<u64>, items: usize) -> f64 {
    match (before, after) {
        (Some(before), Some(after)) if items > 0 => (after as f64 - before as f64) / items as f64,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_statm() {
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().unwrap() > 0);
            assert!(page_size() >= 4096);
        }
    }
}
