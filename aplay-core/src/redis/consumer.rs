//! A station's consumer name: the same for the same worker across restarts, never the same
//! for two processes running at once.
//!
//! In order: the name set with [`StationConfig::consumer`](super::StationConfig::consumer);
//! else the environment variable `APLAY_CONSUMER`; else `{host}-{program}-{n}`, where `n` is
//! the lowest number whose lock file this process can lock (in the temporary directory, one
//! per namespace). A lock is held as long as the station lives, and the system drops it when
//! the process ends, however it ends: a worker restarted after a crash gets its number back,
//! and with it the entries it had read and not acknowledged, at once.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use super::backoff::random_u64;

/// The environment variable that names the consumer of every station of a process.
pub(crate) const CONSUMER_ENV: &str = "APLAY_CONSUMER";

/// How many numbers are tried before falling back to a random name.
const MOST: u32 = 1024;

/// A consumer name, and the lock that keeps it this process's (for a generated name).
#[derive(Debug)]
pub(crate) struct ConsumerName {
    pub(crate) name: String,
    _lock: Option<File>,
}

impl ConsumerName {
    /// The name for a station of `namespace`, `explicit` if given.
    pub(crate) fn choose(explicit: Option<&str>, namespace: &str) -> Self {
        let named = explicit.map(str::to_owned).or_else(|| {
            std::env::var(CONSUMER_ENV)
                .ok()
                .filter(|name| !name.trim().is_empty())
        });
        if let Some(name) = named {
            return ConsumerName { name, _lock: None };
        }
        let base = format!("{}-{}", host(), program());
        match lock_lowest(&lock_dir(namespace), &base) {
            Ok((n, lock)) => ConsumerName {
                name: format!("{base}-{n}"),
                _lock: Some(lock),
            },
            Err(error) => {
                let name = format!("{base}-{}-{:08x}", std::process::id(), random_u64() as u32);
                tracing::warn!(%error, consumer = %name, "redis: cannot lock a consumer number; using a name of this process only (a restart will not take back its entries at once: set APLAY_CONSUMER)");
                ConsumerName { name, _lock: None }
            }
        }
    }
}

/// The lowest `n` whose lock file `{base}-{n}.lock` in `dir` is free, locked.
fn lock_lowest(dir: &std::path::Path, base: &str) -> std::io::Result<(u32, File)> {
    std::fs::create_dir_all(dir)?;
    for n in 0..MOST {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{base}-{n}.lock")))?;
        if file.try_lock().is_ok() {
            return Ok((n, file));
        }
    }
    Err(std::io::Error::other(format!(
        "all {MOST} consumer numbers are taken"
    )))
}

/// Where the lock files of `namespace` are.
fn lock_dir(namespace: &str) -> PathBuf {
    std::env::temp_dir()
        .join("aplay-consumers")
        .join(file_safe(namespace))
}

fn host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| file_safe(h.trim()))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned())
}

fn program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(file_safe(&exe.file_stem()?.to_string_lossy())))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "aplay".to_owned())
}

/// `text` with every character but letters, digits, `-`, `_` and `.` as `_`.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_taken_lowest_first_and_given_back_when_the_lock_goes() {
        let dir = std::env::temp_dir().join(format!(
            "aplay-consumer-test-{}-{:x}",
            std::process::id(),
            random_u64()
        ));
        let (first, lock) = lock_lowest(&dir, "h-p").unwrap();
        let (second, _other) = lock_lowest(&dir, "h-p").unwrap();
        assert_eq!((first, second), (0, 1));
        drop(lock); // the process holding 0 ended
        let (again, _lock) = lock_lowest(&dir, "h-p").unwrap();
        assert_eq!(again, 0, "a restart gets its number back");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_explicit_name_wins() {
        let name = ConsumerName::choose(Some("worker-7"), "ns");
        assert_eq!(name.name, "worker-7");
    }

    #[test]
    fn names_are_safe_as_file_names() {
        assert_eq!(file_safe("shop/jobs:1 x"), "shop_jobs_1_x");
    }
}
