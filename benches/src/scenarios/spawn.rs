//! Spawn: `n` idle actors, kept alive by their handles; then all stopped.
//!
//! Measured: the spawn rate, the growth of resident memory per actor (read before and after,
//! with every handle still held; the handles' own slots are allocated and touched before the
//! first reading, and the allocator's free memory is handed back to the kernel just before it,
//! so memory freed by earlier runs is not reused unseen), and the rate at which they all stop.
//!
//! aplay's spawn is `system.spawn(name, actor).await`: it claims the address, joins the
//! kernel's children and returns once `on_start` has run, one actor after the other (for
//! this counter at once: `#[actor]` on the struct keeps every hook's default, so there is no
//! `on_start` to wait for). Stopping is `system.shutdown().await`. The baseline spawns a task per actor owning a bounded receiver,
//! without waiting for it to start; stopping drops every sender and awaits every task.

use std::time::Instant;

use aplay::prelude::*;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Counter, RawMsg, raw_counter};
use crate::peers::slots;
use crate::rss;
use crate::spawn_figures::SpawnFigures;

/// On aplay: `n` idle [`Counter`]s at `/idle-{i}`.
pub(crate) async fn aplay(n: usize) -> SpawnFigures {
    let system = System::new();
    let mut refs = slots::<ActorRef<Counter>>(n);
    let names: Vec<String> = (0..n).map(|i| format!("idle-{i}")).collect();

    rss::trim_heap();
    let before = rss::resident_bytes();
    let started = Instant::now();
    for (slot, name) in refs.iter_mut().zip(&names) {
        *slot = Some(
            system
                .spawn(name, Counter::default())
                .await
                .expect("an idle actor starts"),
        );
    }
    let spawned = started.elapsed();
    let after = rss::resident_bytes();
    assert_eq!(
        system.actor_count(),
        n + 1,
        "every actor (and the kernel) runs"
    );

    let stopping = Instant::now();
    system.shutdown().await;
    drop(refs);
    let stopped = stopping.elapsed();
    assert_eq!(system.actor_count(), 0, "every actor stopped");

    SpawnFigures::measured(n, spawned, stopped, before, after)
}

/// On the baseline: `n` tasks, each owning a bounded receiver of the same capacity.
pub(crate) async fn raw(n: usize) -> SpawnFigures {
    let mut tasks = slots::<(mpsc::Sender<RawMsg>, JoinHandle<()>)>(n);

    rss::trim_heap();
    let before = rss::resident_bytes();
    let started = Instant::now();
    for slot in tasks.iter_mut() {
        *slot = Some(raw_counter());
    }
    let spawned = started.elapsed();
    let after = rss::resident_bytes();

    let stopping = Instant::now();
    let (senders, handles): (Vec<_>, Vec<_>) = tasks.into_iter().flatten().unzip();
    drop(senders);
    for handle in handles {
        handle.await.expect("an idle task ends cleanly");
    }
    let stopped = stopping.elapsed();

    SpawnFigures::measured(n, spawned, stopped, before, after)
}
