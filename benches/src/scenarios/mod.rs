//! The scenarios on aplay and on raw tokio channels (the baseline). The peers' versions are
//! in [`crate::peers`].
//!
//! Both sides run the same actor: a counter that adds, reports its count, and answers
//! `x + 1`. On aplay it is `#[actor]`-generated; on the baseline it is a task looping on
//! `rx.recv()` over [`RawMsg`], with a bounded channel of the same capacity as aplay's
//! default mailbox and replies on a `oneshot`.

pub(crate) mod ask;
pub(crate) mod fan_in;
pub(crate) mod ring;
pub(crate) mod spawn;
pub(crate) mod tell;

use aplay::prelude::*;
use tokio::sync::{mpsc, oneshot};

use crate::CAPACITY;
use crate::tally::Tally;

/// aplay's setup, for the notes under the table.
pub(crate) const APLAY_SETUP: &str = "the shared tokio multi-thread runtime; mailbox bounded, \
    1024 (the default); an `#[actor]` counter (`#[actor]` on the struct too: every hook the \
    default's); tell `counter.add(1).await` (waits for room only); ask \
    `counter.incr(x).await`; spawn `system.spawn(\"idle-{i}\", ..).await` (named), one after \
    the other: with nothing to run before its first message, the actor is running when its \
    spawn returns, and its task starts with its first message (none here: the idle actors \
    hold no task); stop one by one `actor_ref.stop().await` (an actor that never got a \
    message is ended by the call, without a task); stop all `system.shutdown().await`; ring: \
    an async handler telling the next node `next.token(r - 1).await`.";

/// aplay-hook's setup, for the notes under the table.
pub(crate) const APLAY_HOOK_SETUP: &str = "aplay as above, spawn and stop only, of a counter \
    with an `on_start` hook that counts starts (a hand-written `impl Actor`): each spawn \
    returns after its `on_start`, a round trip to the actor's task, started at once, so the \
    spawns are issued concurrently, up to 1,024 in flight, and the clock stops when every \
    `on_start` has run; each idle actor holds its task; stops as aplay's, each a round trip \
    to the task (a shutdown stops such actors one at a time, youngest first, since an actor \
    with hooks may rely on its older siblings while it stops).";

/// The baseline's setup, for the notes under the table.
pub(crate) const RAW_SETUP: &str = "the shared tokio multi-thread runtime; a task looping on \
    `rx.recv()` over an enum; `mpsc::channel(1024)` (bounded); tell `tx.send(Add(1)).await`; \
    ask a fresh `oneshot` per request; spawn `tokio::spawn` of the loop, each task counting \
    its first poll, the clock stopped when all have run (calls returned: when the \
    `tokio::spawn` calls have); stop one by one: drop its sender, await its task; stop all: \
    drop every sender, await every task; ring: the loop sends to the next node's channel.";

/// The actor of every aplay scenario (default mailbox: bounded, [`CAPACITY`]).
#[actor]
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

#[actor(vis = pub(crate))]
impl Counter {
    /// A tell: adds `n`.
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// An ask: the count so far.
    fn get(&self) -> u64 {
        self.count
    }

    /// An ask: `x + 1`.
    fn incr(&self, x: u64) -> u64 {
        x + 1
    }
}

/// The baseline's messages: the same three as [`Counter`]'s.
#[derive(Debug)]
pub(crate) enum RawMsg {
    Add(u64),
    Get(oneshot::Sender<u64>),
    Incr(u64, oneshot::Sender<u64>),
}

/// The baseline's counter: a bounded channel of [`CAPACITY`] and the task that owns its
/// receiver. The task ends when every sender is dropped.
pub(crate) fn raw_counter() -> (mpsc::Sender<RawMsg>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CAPACITY);
    (tx, tokio::spawn(raw_counter_loop(rx, None)))
}

/// The baseline's counter loop; it bumps `started`, if given, when its task first runs.
pub(crate) async fn raw_counter_loop(mut rx: mpsc::Receiver<RawMsg>, started: Option<&Tally>) {
    if let Some(started) = started {
        started.bump();
    }
    let mut count = 0u64;
    while let Some(msg) = rx.recv().await {
        match msg {
            RawMsg::Add(n) => count += n,
            RawMsg::Get(reply) => {
                let _ = reply.send(count);
            }
            RawMsg::Incr(x, reply) => {
                let _ = reply.send(x + 1);
            }
        }
    }
}

/// An ask on the baseline: send `msg` built around a fresh oneshot, wait for the reply.
pub(crate) async fn raw_ask(
    tx: &mpsc::Sender<RawMsg>,
    msg: impl FnOnce(oneshot::Sender<u64>) -> RawMsg,
) -> u64 {
    let (reply, answer) = oneshot::channel();
    tx.send(msg(reply)).await.expect("the raw counter runs");
    answer.await.expect("the raw counter replies")
}

/// Whether aplay's systems are metered (`--metered`).
pub(crate) static METERED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// A fresh system with one counter at `/counter`.
pub(crate) async fn aplay_counter() -> (System, ActorRef<Counter>) {
    let system = System::builder()
        .metered(METERED.load(std::sync::atomic::Ordering::Relaxed))
        .build();
    let counter = system
        .spawn("counter", Counter::default())
        .await
        .expect("the counter starts");
    (system, counter)
}
