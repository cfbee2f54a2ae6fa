//! Fan-in: `senders` concurrent tasks each telling one actor `per_sender` times, then one ask
//! confirming the final count.
//!
//! The clock starts before the senders are spawned and covers the tells and the final ask
//! (made once every sender has finished), so every tell has been handled when it stops; the
//! count must equal `senders * per_sender`. Figure: messages per second.

use std::time::Instant;

use tokio::task::JoinHandle;

use super::{RawMsg, aplay_counter, raw_ask, raw_counter};

/// On aplay: each sender a task with its own clone of the `ActorRef`, `add(1).await` in a
/// loop. Returns messages per second.
pub(crate) async fn aplay(senders: usize, per_sender: u64) -> f64 {
    let (system, counter) = aplay_counter().await;
    let started = Instant::now();
    let tasks: Vec<JoinHandle<()>> = (0..senders)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    counter.add(1).await.expect("the counter runs");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a sender ends cleanly");
    }
    let count = counter.get().await.expect("the counter replies");
    let elapsed = started.elapsed();
    let total = senders as u64 * per_sender;
    assert_eq!(count, total, "aplay lost tells");
    system.shutdown().await;
    total as f64 / elapsed.as_secs_f64()
}

/// On the baseline: each sender a task with its own clone of the `mpsc::Sender`. Returns
/// messages per second.
pub(crate) async fn raw(senders: usize, per_sender: u64) -> f64 {
    let (tx, task) = raw_counter();
    let started = Instant::now();
    let tasks: Vec<JoinHandle<()>> = (0..senders)
        .map(|_| {
            let tx = tx.clone();
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    tx.send(RawMsg::Add(1)).await.expect("the raw counter runs");
                }
            })
        })
        .collect();
    for sender in tasks {
        sender.await.expect("a sender ends cleanly");
    }
    let count = raw_ask(&tx, RawMsg::Get).await;
    let elapsed = started.elapsed();
    let total = senders as u64 * per_sender;
    assert_eq!(count, total, "the baseline lost tells");
    drop(tx);
    task.await.expect("the raw counter ends cleanly");
    total as f64 / elapsed.as_secs_f64()
}
