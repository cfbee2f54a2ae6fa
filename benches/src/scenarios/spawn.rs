//! Spawn and stop: `n` idle actors spawned, kept alive by their handles, then stopped (all at
//! once, or one by one in some order, see [`Stop`]).
//!
//! Every side counts its starts on a [`Tally`] bumped when the actor really starts (aplay: its
//! `on_start`; raw: its task's first poll), and the spawn clock stops once the tally reaches
//! `n`. The resident memory and the live heap are read before the first spawn and once every
//! actor has started and is idle (see [`SpawnClock`]).
//!
//! aplay's spawn is `system.spawn(name, actor).await`: it claims the address, joins the
//! kernel's children and returns once `on_start` has run. [`aplay`] spawns the counter with
//! `#[actor]` on the struct (every hook the default's): nothing to wait for, and no task until
//! its first message. [`aplay_hook`] spawns one with an `on_start` hook: a round trip to the
//! new task per actor, so the spawns are issued concurrently, [`SPAWNS_IN_FLIGHT`] at a time,
//! as the peers whose spawn returns at once start all their actors and then wait for them (a
//! bound keeps the futures' own memory out of the reading). The baseline spawns a task per
//! actor owning a bounded receiver.

use std::time::Instant;

use aplay::prelude::*;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Counter, RawMsg, raw_counter_loop};
use crate::CAPACITY;
use crate::spawn_figures::{SpawnClock, SpawnFigures};
use crate::stop_order::Stop;
use crate::tally::{Tally, slots};

/// aplay's spawns in flight at once: each waits for its actor's `on_start`.
pub(crate) const SPAWNS_IN_FLIGHT: usize = 1_024;

/// Actors (or raw tasks) that have started, on aplay and on the baseline (one runs at a time).
static STARTED: Tally = Tally::new();

/// aplay's idle actor for spawn and stop: the counter, with an `on_start` hook that counts its
/// start (a hand-written `impl Actor`, so its spawn waits for the hook).
#[derive(Debug, Default)]
pub(crate) struct Starter {
    count: u64,
}

impl Actor for Starter {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        STARTED.bump();
        Ok(())
    }
}

#[actor(vis = pub(crate))]
impl Starter {
    /// A tell: adds `n`.
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// An ask: the count so far.
    fn get(&self) -> u64 {
        self.count
    }
}

/// On aplay with a hook: `n` idle [`Starter`]s at `/idle-{i}`, spawned concurrently
/// ([`SPAWNS_IN_FLIGHT`] at a time), then stopped as `stop` says.
pub(crate) async fn aplay_hook(n: usize, stop: Stop) -> SpawnFigures {
    let system = System::new();
    let mut refs = slots::<ActorRef<Starter>>(n);
    let names: Vec<String> = (0..n).map(|i| format!("idle-{i}")).collect();
    STARTED.reset();

    let clock = SpawnClock::start();
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0;
    loop {
        while in_flight.len() < SPAWNS_IN_FLIGHT && next < n {
            in_flight.push(spawn_starter(&system, &names[next], next));
            next += 1;
        }
        let Some((i, spawned)) = in_flight.next().await else {
            break;
        };
        refs[i] = Some(spawned.expect("an idle actor starts"));
    }
    drop(in_flight);
    STARTED.reach(n).await;
    let spawned = clock.all_started();
    assert_eq!(STARTED.get(), n, "every actor started once");
    assert_eq!(
        system.actor_count(),
        n + 1,
        "every actor (and the kernel) runs"
    );

    let stopped = aplay_stop(&system, &refs, stop).await;
    drop(refs);
    spawned.figures(n, stopped)
}

/// Stops the actors in `refs` as `stop` says, and then the system; returns the time the
/// actors took.
async fn aplay_stop<A: aplay::Dispatch>(
    system: &System,
    refs: &[Option<ActorRef<A>>],
    stop: Stop,
) -> std::time::Duration {
    let stopping = Instant::now();
    match stop.indexes(refs.len()) {
        None => {
            system.shutdown().await;
        }
        Some(indexes) => {
            for i in indexes {
                refs[i].as_ref().expect("every slot filled").stop().await;
            }
        }
    }
    let stopped = stopping.elapsed();
    assert_eq!(system.actor_count(), usize::from(stop != Stop::All));
    system.shutdown().await;
    assert_eq!(system.actor_count(), 0, "every actor stopped");
    assert!(
        refs.iter().flatten().all(|actor| !actor.is_alive()),
        "every actor stopped"
    );
    stopped
}

/// Spawns the `i`th [`Starter`] at `/{name}`; returns `i` with the outcome once its `on_start`
/// has run.
async fn spawn_starter(
    system: &System,
    name: &str,
    i: usize,
) -> (usize, Result<ActorRef<Starter>, Error>) {
    (i, system.spawn(name, Starter::default()).await)
}

/// On aplay: `n` idle [`Counter`]s (`#[actor]` on the struct: every hook the default's) at
/// `/idle-{i}`, spawned one after the other, then stopped as `stop` says. Such an actor has
/// nothing to run before its first message: it is running (and accepts messages) once its
/// spawn returns, and its task starts with its first message, so "all started" is when the
/// spawn calls have returned.
pub(crate) async fn aplay(n: usize, stop: Stop) -> SpawnFigures {
    let system = System::new();
    let mut refs = slots::<ActorRef<Counter>>(n);
    let names: Vec<String> = (0..n).map(|i| format!("idle-{i}")).collect();

    let mut clock = SpawnClock::start();
    for (slot, name) in refs.iter_mut().zip(&names) {
        *slot = Some(
            system
                .spawn(name, Counter::default())
                .await
                .expect("an idle actor starts"),
        );
    }
    clock.returned();
    let spawned = clock.all_started();
    assert_eq!(
        system.actor_count(),
        n + 1,
        "every actor (and the kernel) runs"
    );
    assert!(
        refs.iter()
            .flatten()
            .all(|actor| ActorRef::state(actor) == aplay::ActorState::Running),
        "every actor is running"
    );
    let stopped = aplay_stop(&system, &refs, stop).await;
    drop(refs);
    spawned.figures(n, stopped)
}

/// On the baseline: `n` tasks, each owning a bounded receiver of the same capacity and counting
/// its first poll; then stopped as `stop` says (a task ends when its sender is dropped).
pub(crate) async fn raw(n: usize, stop: Stop) -> SpawnFigures {
    let mut tasks = slots::<(mpsc::Sender<RawMsg>, JoinHandle<()>)>(n);
    STARTED.reset();

    let mut clock = SpawnClock::start();
    for slot in tasks.iter_mut() {
        let (tx, rx) = mpsc::channel(CAPACITY);
        *slot = Some((tx, tokio::spawn(raw_counter_loop(rx, Some(&STARTED)))));
    }
    clock.returned();
    STARTED.reach(n).await;
    let spawned = clock.all_started();
    assert_eq!(STARTED.get(), n, "every task started once");

    let mut ended = 0;
    let stopped = match stop.indexes(n) {
        None => {
            let (senders, handles): (Vec<_>, Vec<_>) = tasks.into_iter().flatten().unzip();
            let stopping = Instant::now();
            drop(senders);
            for handle in handles {
                handle.await.expect("an idle task ends cleanly");
                ended += 1;
            }
            stopping.elapsed()
        }
        Some(indexes) => {
            let stopping = Instant::now();
            for i in indexes {
                let (sender, handle) = tasks[i].take().expect("each task once");
                drop(sender);
                handle.await.expect("an idle task ends cleanly");
                ended += 1;
            }
            stopping.elapsed()
        }
    };
    assert_eq!(ended, n, "every task ended");
    spawned.figures(n, stopped)
}
