//! Tell throughput: `n` tells to one actor, then one ask confirming the final count.
//!
//! The clock covers the tells and the final ask, so every tell has been handled when it
//! stops; the count must equal `n` (no message may be lost). A tell waits only for room in
//! the mailbox, so the sender runs ahead until the mailbox is full and then at the pace of the
//! actor.

use std::time::Instant;

use super::{RawMsg, aplay_counter, raw_ask, raw_counter};

/// On aplay: `counter.add(1).await` `n` times, then `counter.get().await`. Returns messages
/// per second.
pub(crate) async fn aplay(n: u64) -> f64 {
    let (system, counter) = aplay_counter().await;
    let started = Instant::now();
    for _ in 0..n {
        counter.add(1).await.expect("the counter runs");
    }
    let count = counter.get().await.expect("the counter replies");
    let elapsed = started.elapsed();
    assert_eq!(count, n, "aplay lost tells");
    system.shutdown().await;
    n as f64 / elapsed.as_secs_f64()
}

/// On the baseline: `tx.send(RawMsg::Add(1)).await` `n` times, then a `Get`. Returns messages
/// per second.
pub(crate) async fn raw(n: u64) -> f64 {
    let (tx, task) = raw_counter();
    let started = Instant::now();
    for _ in 0..n {
        tx.send(RawMsg::Add(1)).await.expect("the raw counter runs");
    }
    let count = raw_ask(&tx, RawMsg::Get).await;
    let elapsed = started.elapsed();
    assert_eq!(count, n, "the baseline lost tells");
    drop(tx);
    task.await.expect("the raw counter ends cleanly");
    n as f64 / elapsed.as_secs_f64()
}
