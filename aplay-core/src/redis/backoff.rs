//! Waiting longer after each failure: exponential back-off with jitter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// A fresh random number (from the standard library's per-map random keys; no extra crate).
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

/// The waits between attempts: `initial`, doubled after each failure up to `max`, each drawn
/// at random from its upper half so that many processes do not retry in step.
#[derive(Clone, Debug)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max: max.max(initial),
            next: initial,
        }
    }

    /// The wait before the next attempt.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let ceiling = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_micros()).unwrap_or(u64::MAX);
        let jitter = if spread == 0 {
            0
        } else {
            random_u64() % (spread + 1)
        };
        half + Duration::from_micros(jitter)
    }

    /// Sleeps for [`next_delay`](Self::next_delay).
    pub(crate) async fn wait(&mut self) {
        tokio::time::sleep(self.next_delay()).await;
    }

    /// Back to the first wait, after a success.
    pub(crate) fn reset(&mut self) {
        self.next = self.initial;
    }
}

/// The wait before delivery number `deliveries + 1` of an entry that failed `deliveries`
/// times: `first`, doubled per failure, at most `max`.
pub(crate) fn retry_delay(first: Duration, max: Duration, deliveries: u32) -> Duration {
    let doublings = deliveries.saturating_sub(1).min(16);
    first.saturating_mul(1 << doublings).min(max.max(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_maximum_and_stay_in_the_upper_half() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        let ceilings = [100, 200, 400, 400, 400];
        for ceiling in ceilings {
            let d = backoff.next_delay();
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                d >= ceiling / 2 && d <= ceiling,
                "{d:?} outside {ceiling:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn retries_wait_longer_after_each_failure() {
        let first = Duration::from_millis(200);
        let max = Duration::from_secs(1);
        assert_eq!(retry_delay(first, max, 1), first);
        assert_eq!(retry_delay(first, max, 2), first * 2);
        assert_eq!(retry_delay(first, max, 3), first * 4);
        assert_eq!(retry_delay(first, max, 9), max);
    }
}
