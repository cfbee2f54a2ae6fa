//! The scenarios on kameo: a `Counter` actor with a `Message` impl per message, on the shared
//! tokio runtime, spawned with a bounded mailbox of [`CAPACITY`] (kameo's default is bounded,
//! 64).

use std::sync::Arc;
use std::time::Instant;

use kameo::actor::{Actor, ActorRef, Spawn};
use kameo::error::Infallible;
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::CAPACITY;
use crate::spawn_figures::{SpawnClock, SpawnFigures};
use crate::stop_order::Stop;
use crate::tally::{Tally, slots};

/// kameo's setup, for the notes under the table.
pub(crate) const SETUP: &str = "default features (`macros`, `tracing`); the shared tokio \
    multi-thread runtime; mailbox `mailbox::bounded(1024)` (tokio mpsc; kameo's default is \
    bounded, 64); tell `actor_ref.tell(Add(1)).send().await` (the direct path: `.await` on \
    the request itself boxes the `send` future; waits for room only); ask \
    `actor_ref.ask(Incr(x)).send().await`; spawn `Counter::spawn_with_mailbox(..)` (unnamed; \
    returns before `on_start`, the clock waits for every `on_start`); stop one by one \
    `stop_gracefully().await` then `wait_for_shutdown().await`; stop all \
    `stop_gracefully().await` on each, then `wait_for_shutdown().await` on each.";

/// Counters whose `on_start` has run.
static STARTED: Tally = Tally::new();

/// The counter.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

impl Actor for Counter {
    type Args = Self;
    type Error = Infallible;

    async fn on_start(state: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        STARTED.bump();
        Ok(state)
    }
}

/// A tell: adds `n`.
#[derive(Debug)]
pub(crate) struct Add(u64);

/// An ask: the count so far.
#[derive(Debug)]
pub(crate) struct Get;

/// An ask: `x + 1`.
#[derive(Debug)]
pub(crate) struct Incr(u64);

impl Message<Add> for Counter {
    type Reply = ();

    async fn handle(&mut self, Add(n): Add, _: &mut Context<Self, ()>) {
        self.count += n;
    }
}

impl Message<Get> for Counter {
    type Reply = u64;

    async fn handle(&mut self, _: Get, _: &mut Context<Self, u64>) -> u64 {
        self.count
    }
}

impl Message<Incr> for Counter {
    type Reply = u64;

    async fn handle(&mut self, Incr(x): Incr, _: &mut Context<Self, u64>) -> u64 {
        x + 1
    }
}

fn spawn_counter() -> ActorRef<Counter> {
    Counter::spawn_with_mailbox(Counter::default(), mailbox::bounded(CAPACITY))
}

async fn stop(counter: ActorRef<Counter>) {
    counter.stop_gracefully().await.expect("the counter runs");
    counter.wait_for_shutdown().await;
}

/// `n` tells, then a `Get`. Returns messages per second.
pub(crate) async fn tell(n: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    for _ in 0..n {
        counter.tell(Add(1)).send().await.expect("the counter runs");
    }
    let count = counter.ask(Get).send().await.expect("the counter replies");
    let elapsed = started.elapsed();
    assert_eq!(count, n, "kameo lost tells");
    stop(counter).await;
    n as f64 / elapsed.as_secs_f64()
}

/// `senders` tasks of `per_sender` tells each, then a `Get`. Returns messages per second.
pub(crate) async fn fan_in(senders: usize, per_sender: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    let tasks: Vec<JoinHandle<()>> = (0..senders)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    counter.tell(Add(1)).send().await.expect("the counter runs");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a sender ends cleanly");
    }
    let count = counter.ask(Get).send().await.expect("the counter replies");
    let elapsed = started.elapsed();
    let total = senders as u64 * per_sender;
    assert_eq!(count, total, "kameo lost tells");
    stop(counter).await;
    total as f64 / elapsed.as_secs_f64()
}

/// `n` sequential asks. Returns the mean round trip in nanoseconds.
pub(crate) async fn ask(n: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    for i in 0..n {
        let answer = counter
            .ask(Incr(i))
            .send()
            .await
            .expect("the counter replies");
        assert_eq!(answer, i + 1);
    }
    let elapsed = started.elapsed();
    stop(counter).await;
    elapsed.as_nanos() as f64 / n as f64
}

/// `n` idle counters, then stopped as `stop` says.
pub(crate) async fn spawn_stop(n: usize, stop: Stop) -> SpawnFigures {
    let mut refs = slots::<ActorRef<Counter>>(n);
    STARTED.reset();

    let mut clock = SpawnClock::start();
    for slot in refs.iter_mut() {
        *slot = Some(spawn_counter());
    }
    clock.returned();
    STARTED.reach(n).await;
    let spawned = clock.all_started();
    assert_eq!(STARTED.get(), n, "every actor started once");

    let refs: Vec<ActorRef<Counter>> = refs.into_iter().flatten().collect();
    let indexes = stop.indexes(n);
    let stopping = Instant::now();
    match indexes {
        None => {
            for counter in &refs {
                counter.stop_gracefully().await.expect("an idle actor runs");
            }
            for counter in &refs {
                counter.wait_for_shutdown().await;
            }
        }
        Some(indexes) => {
            for i in indexes {
                refs[i].stop_gracefully().await.expect("an idle actor runs");
                refs[i].wait_for_shutdown().await;
            }
        }
    }
    let stopped = stopping.elapsed();
    assert!(refs.iter().all(|r| !r.is_alive()), "every actor stopped");

    spawned.figures(n, stopped)
}

/// A node of the ring (see [`crate::scenarios::ring`]).
#[derive(Debug)]
pub(crate) struct RingNode {
    next: Option<ActorRef<RingNode>>,
    handled: u64,
    done: Arc<Notify>,
}

impl Actor for RingNode {
    type Args = Self;
    type Error = Infallible;

    async fn on_start(state: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(state)
    }
}

/// Sets the next node.
#[derive(Debug)]
pub(crate) struct Link(ActorRef<RingNode>);

/// The token, with the hops still to go after this one.
#[derive(Debug)]
pub(crate) struct Token(u64);

/// An ask: how many tokens the node has handled.
#[derive(Debug)]
pub(crate) struct Handled;

impl Message<Link> for RingNode {
    type Reply = ();

    async fn handle(&mut self, Link(next): Link, _: &mut Context<Self, ()>) {
        self.next = Some(next);
    }
}

impl Message<Token> for RingNode {
    type Reply = ();

    async fn handle(&mut self, Token(remaining): Token, _: &mut Context<Self, ()>) {
        self.handled += 1;
        if remaining == 0 {
            self.done.notify_one();
            return;
        }
        let next = self.next.as_ref().expect("the ring is linked");
        next.tell(Token(remaining - 1))
            .send()
            .await
            .expect("the next node runs");
    }
}

impl Message<Handled> for RingNode {
    type Reply = u64;

    async fn handle(&mut self, _: Handled, _: &mut Context<Self, u64>) -> u64 {
        self.handled
    }
}

/// `actors` nodes in a ring (bounded mailboxes of [`CAPACITY`]), one token passed `hops` times.
/// Returns nanoseconds per hop.
pub(crate) async fn ring(actors: usize, hops: u64) -> f64 {
    let done = Arc::new(Notify::new());
    let nodes: Vec<ActorRef<RingNode>> = (0..actors)
        .map(|_| {
            let node = RingNode {
                next: None,
                handled: 0,
                done: Arc::clone(&done),
            };
            RingNode::spawn_with_mailbox(node, mailbox::bounded(CAPACITY))
        })
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        let next = nodes[(i + 1) % actors].clone();
        node.ask(Link(next)).send().await.expect("a node links");
    }

    let started = Instant::now();
    nodes[0]
        .tell(Token(hops - 1))
        .send()
        .await
        .expect("the first node runs");
    done.notified().await;
    let elapsed = started.elapsed();

    let mut handled = 0;
    for node in &nodes {
        handled += node.ask(Handled).send().await.expect("a node replies");
    }
    assert_eq!(handled, hops, "kameo's ring lost or doubled the token");
    for node in &nodes {
        node.stop_gracefully().await.expect("a node runs");
    }
    for node in &nodes {
        node.wait_for_shutdown().await;
    }
    elapsed.as_nanos() as f64 / hops as f64
}
