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
pub(crate) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    {
        unsafe extern "C" {
            /// glibc: releases free memory at the top of the heap and every free whole page
            /// inside all arenas (`madvise(MADV_DONTNEED)`).
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: `malloc_trim` takes no pointer and is thread-safe (it locks each arena).
        unsafe {
            malloc_trim(0);
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
