//! Deadlines that never overflow. Every `Duration` a user passes goes through here: one too
//! long for the clock to count (`Duration::MAX`, say) means never, where `Instant + Duration`
//! would panic; a zero one means now, and a wait with a deadline already passed still takes
//! what is ready at once.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use tokio::time::Instant;

/// tokio rounds a timer's deadline up to its next millisecond, with an addition that panics
/// on overflow: a deadline needs that much room left on the clock.
const ROUNDING: Duration = Duration::from_millis(1);

/// The instant `after` from now; `None` (never) when the clock cannot count that far.
pub(crate) fn deadline_after(after: Duration) -> Option<Instant> {
    later(Instant::now(), after)
}

/// `from + after`; `None` (never) when the clock cannot count that far.
pub(crate) fn later(from: Instant, after: Duration) -> Option<Instant> {
    let at = from.checked_add(after)?;
    at.checked_add(ROUNDING)?;
    Some(at)
}

/// Sleeps until `deadline`: not at all when it has passed, forever when it is `None`.
pub(crate) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
        Some(_) => {}
        None => std::future::pending().await,
    }
}

/// Sleeps for `duration`: not at all for zero, forever for one the clock cannot count.
pub(crate) async fn sleep(duration: Duration) {
    sleep_until(deadline_after(duration)).await;
}

/// `fut`'s output if it is ready within `limit`, else `None`. A zero limit polls `fut` once;
/// a limit the clock cannot count is no limit.
pub(crate) async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
    until(deadline_after(limit), fut).await
}

/// `fut`'s output if it is ready by `deadline` (`None`: no deadline), else `None`. `fut` is
/// polled before the deadline is looked at, so a deadline already passed still takes what is
/// ready at once (outside tokio's cooperative budget, which could otherwise hold back a
/// ready output on that single poll).
pub(crate) async fn until<F: Future>(deadline: Option<Instant>, fut: F) -> Option<F::Output> {
    let Some(deadline) = deadline else {
        return Some(fut.await);
    };
    let mut fut = pin!(tokio::task::unconstrained(fut));
    let mut timer = pin!(tokio::time::sleep_until(deadline));
    poll_fn(|cx| {
        if let Poll::Ready(output) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if Instant::now() >= deadline {
            return Poll::Ready(None);
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_duration_too_long_for_the_clock_is_never() {
        assert_eq!(deadline_after(Duration::MAX), None);
        assert_eq!(later(Instant::now(), Duration::MAX), None);
        let zero = deadline_after(Duration::ZERO).expect("now is on the clock");
        assert!(zero <= Instant::now());
    }

    #[tokio::test(start_paused = true)]
    async fn the_longest_duration_the_clock_counts_leaves_room_for_tokio_s_rounding() {
        // The largest `d` with `now + d` on the clock, found by halving: its deadline would
        // make tokio's timer panic when it rounds it up, so it is never too.
        let now = Instant::now();
        let (mut fits, mut overflows) = (Duration::ZERO, Duration::MAX);
        while overflows - fits > Duration::from_nanos(1) {
            let mid = fits + (overflows - fits) / 2;
            if now.checked_add(mid).is_some() {
                fits = mid;
            } else {
                overflows = mid;
            }
        }
        assert_eq!(later(now, fits), None);
        assert_eq!(within(fits, std::future::ready(7)).await, Some(7));
        let long = Duration::from_secs(100 * 365 * 24 * 3600);
        assert_eq!(later(now, long), now.checked_add(long));
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_limit_takes_what_is_ready_and_waits_for_nothing() {
        let start = Instant::now();
        assert_eq!(within(Duration::ZERO, std::future::ready(1)).await, Some(1));
        assert_eq!(
            within(Duration::ZERO, std::future::pending::<()>()).await,
            None
        );
        sleep(Duration::ZERO).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn no_limit_waits_as_long_as_it_takes() {
        let start = Instant::now();
        let late = async {
            tokio::time::sleep(Duration::from_secs(1_000_000)).await;
            3
        };
        assert_eq!(within(Duration::MAX, late).await, Some(3));
        assert_eq!(start.elapsed(), Duration::from_secs(1_000_000));
        assert_eq!(
            within(Duration::from_secs(5), std::future::pending::<()>()).await,
            None
        );
        assert_eq!(start.elapsed(), Duration::from_secs(1_000_005));
    }

    #[tokio::test(start_paused = true)]
    async fn a_sleep_past_the_clock_never_ends() {
        let never = tokio::time::timeout(Duration::from_secs(100 * 365 * 24 * 3600), async {
            sleep(Duration::MAX).await;
        });
        assert!(never.await.is_err());
    }
}
