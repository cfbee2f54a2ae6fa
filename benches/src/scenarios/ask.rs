//! Ask round trip: `n` sequential asks (`x` in, `x + 1` out), each awaited before the next.

use std::time::Instant;

use super::{RawMsg, aplay_counter, raw_ask, raw_counter};

/// On aplay: `counter.incr(i).await` `n` times. Returns the mean round trip in nanoseconds.
pub(crate) async fn aplay(n: u64) -> f64 {
    let (system, counter) = aplay_counter().await;
    let started = Instant::now();
    for i in 0..n {
        let answer = counter.incr(i).await.expect("the counter replies");
        assert_eq!(answer, i + 1);
    }
    let elapsed = started.elapsed();
    system.shutdown().await;
    elapsed.as_nanos() as f64 / n as f64
}

/// On the baseline: a fresh oneshot per ask, sent in `RawMsg::Incr`, awaited. Returns the mean
/// round trip in nanoseconds.
pub(crate) async fn raw(n: u64) -> f64 {
    let (tx, task) = raw_counter();
    let started = Instant::now();
    for i in 0..n {
        let answer = raw_ask(&tx, |reply| RawMsg::Incr(i, reply)).await;
        assert_eq!(answer, i + 1);
    }
    let elapsed = started.elapsed();
    drop(tx);
    task.await.expect("the raw counter ends cleanly");
    elapsed.as_nanos() as f64 / n as f64
}
