//! The scenarios on xtra (its `tokio` feature): a `Counter` actor with a `Handler` impl per
//! message, spawned on the shared tokio runtime with a bounded mailbox of [`CAPACITY`].

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use xtra::{Actor, Address, Context, Handler, Mailbox, WeakAddress};

use crate::CAPACITY;
use crate::spawn_figures::{SpawnClock, SpawnFigures};
use crate::stop_order;
use crate::tally::{Tally, slots};

/// xtra's setup, for the notes under the table.
pub(crate) const SETUP: &str = "feature `tokio`; the shared tokio multi-thread runtime; \
    mailbox `Mailbox::bounded(1024)` (a `BinaryHeap` by priority: messages of one priority \
    are not handled in send order, so the final `Get` of tell and fan-in is repeated until \
    the count is complete); tell `address.send(Add(1)).detach().await` (waits for \
    room only); ask `address.send(Incr(x)).await`; spawn `xtra::spawn_tokio(..)` (returns \
    before `started`, the clock waits for every `started`); stop (xtra has no stop from \
    outside: dropping the last strong address stops the actor) one by one: drop its \
    `Address`, then `join().await` on a weak address of it; all: drop every `Address`, then \
    `join().await` on a weak address of each.";

/// Counters whose `started` has run.
static STARTED: Tally = Tally::new();

/// The counter.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

impl Actor for Counter {
    type Stop = ();

    async fn started(&mut self, _: &Mailbox<Self>) -> Result<(), ()> {
        STARTED.bump();
        Ok(())
    }

    async fn stopped(self) {}
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

impl Handler<Add> for Counter {
    type Return = ();

    async fn handle(&mut self, Add(n): Add, _: &mut Context<Self>) {
        self.count += n;
    }
}

impl Handler<Get> for Counter {
    type Return = u64;

    async fn handle(&mut self, _: Get, _: &mut Context<Self>) -> u64 {
        self.count
    }
}

impl Handler<Incr> for Counter {
    type Return = u64;

    async fn handle(&mut self, Incr(x): Incr, _: &mut Context<Self>) -> u64 {
        x + 1
    }
}

fn spawn_counter() -> Address<Counter> {
    xtra::spawn_tokio(Counter::default(), Mailbox::bounded(CAPACITY))
}

/// Drops the last strong address, which stops the actor, and waits for it to stop.
async fn stop(counter: Address<Counter>) {
    let weak = counter.downgrade();
    drop(counter);
    weak.join().await;
}

/// A tell: queued once there is room, without waiting for the handler.
async fn tell_one(counter: &Address<Counter>, n: u64) {
    let _receiver = counter
        .send(Add(n))
        .detach()
        .await
        .expect("the counter runs");
}

/// Asks for the count until it reaches `n`.
///
/// xtra's queue does not keep the order of messages of one priority (it is a `BinaryHeap` keyed
/// by priority only), so a `Get` sent after every tell may be handled before some of them; it
/// is asked again until every tell has been counted. A lost tell would keep the count short:
/// after [`CONFIRM_LIMIT`] asks it panics.
async fn confirm(counter: &Address<Counter>, n: u64) {
    for _ in 0..CONFIRM_LIMIT {
        let count = counter.send(Get).await.expect("the counter replies");
        assert!(count <= n, "xtra counted {count} of {n} tells");
        if count == n {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("xtra lost tells: the count stays short of {n}");
}

/// How many asks [`confirm`] makes before it concludes that tells were lost.
const CONFIRM_LIMIT: usize = 100_000;

/// `n` tells, then a `Get` (repeated until it sees them all). Returns messages per second.
pub(crate) async fn tell(n: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    for _ in 0..n {
        tell_one(&counter, 1).await;
    }
    confirm(&counter, n).await;
    let elapsed = started.elapsed();
    stop(counter).await;
    n as f64 / elapsed.as_secs_f64()
}

/// `senders` tasks of `per_sender` tells each, then a `Get` (repeated until it sees them all).
/// Returns messages per second.
pub(crate) async fn fan_in(senders: usize, per_sender: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    let tasks: Vec<JoinHandle<()>> = (0..senders)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    tell_one(&counter, 1).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a sender ends cleanly");
    }
    let total = senders as u64 * per_sender;
    confirm(&counter, total).await;
    let elapsed = started.elapsed();
    stop(counter).await;
    total as f64 / elapsed.as_secs_f64()
}

/// `n` sequential asks. Returns the mean round trip in nanoseconds.
pub(crate) async fn ask(n: u64) -> f64 {
    let counter = spawn_counter();
    let started = Instant::now();
    for i in 0..n {
        let answer = counter.send(Incr(i)).await.expect("the counter replies");
        assert_eq!(answer, i + 1);
    }
    let elapsed = started.elapsed();
    stop(counter).await;
    elapsed.as_nanos() as f64 / n as f64
}

/// `n` idle counters, then stopped as `stop` says (by dropping their addresses).
pub(crate) async fn spawn_stop(n: usize, stop: stop_order::Stop) -> SpawnFigures {
    let mut addresses = slots::<Address<Counter>>(n);
    STARTED.reset();

    let mut clock = SpawnClock::start();
    for slot in addresses.iter_mut() {
        *slot = Some(spawn_counter());
    }
    clock.returned();
    STARTED.reach(n).await;
    let spawned = clock.all_started();
    assert_eq!(STARTED.get(), n, "every actor started once");

    // Weak addresses to wait on, made before the clock starts.
    let weak: Vec<WeakAddress<Counter>> =
        addresses.iter().flatten().map(|a| a.downgrade()).collect();
    let indexes = stop.indexes(n);
    let stopping = Instant::now();
    match indexes {
        None => {
            drop(addresses);
            for address in &weak {
                address.join().await;
            }
        }
        Some(indexes) => {
            for i in indexes {
                drop(addresses[i].take());
                weak[i].join().await;
            }
        }
    }
    let stopped = stopping.elapsed();
    assert!(
        weak.iter().all(|a| !a.is_connected()),
        "every actor stopped"
    );

    spawned.figures(n, stopped)
}

/// A node of the ring (see [`crate::scenarios::ring`]).
#[derive(Debug)]
pub(crate) struct RingNode {
    next: Option<Address<RingNode>>,
    handled: u64,
    done: Arc<Notify>,
}

impl Actor for RingNode {
    type Stop = ();

    async fn stopped(self) {}
}

/// Sets the next node.
#[derive(Debug)]
pub(crate) struct Link(Address<RingNode>);

/// The token, with the hops still to go after this one.
#[derive(Debug)]
pub(crate) struct Token(u64);

/// An ask: how many tokens the node has handled.
#[derive(Debug)]
pub(crate) struct Handled;

/// Stops the node (the ring's addresses keep each other alive, so dropping the driver's is
/// not enough).
#[derive(Debug)]
pub(crate) struct Stop;

impl Handler<Link> for RingNode {
    type Return = ();

    async fn handle(&mut self, Link(next): Link, _: &mut Context<Self>) {
        self.next = Some(next);
    }
}

impl Handler<Token> for RingNode {
    type Return = ();

    async fn handle(&mut self, Token(remaining): Token, _: &mut Context<Self>) {
        self.handled += 1;
        if remaining == 0 {
            self.done.notify_one();
            return;
        }
        let next = self.next.as_ref().expect("the ring is linked");
        let _receiver = next
            .send(Token(remaining - 1))
            .detach()
            .await
            .expect("the next node runs");
    }
}

impl Handler<Handled> for RingNode {
    type Return = u64;

    async fn handle(&mut self, _: Handled, _: &mut Context<Self>) -> u64 {
        self.handled
    }
}

impl Handler<Stop> for RingNode {
    type Return = ();

    async fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop_self();
    }
}

/// `actors` nodes in a ring (bounded mailboxes of [`CAPACITY`]), one token passed `hops` times.
/// Returns nanoseconds per hop.
pub(crate) async fn ring(actors: usize, hops: u64) -> f64 {
    let done = Arc::new(Notify::new());
    let nodes: Vec<Address<RingNode>> = (0..actors)
        .map(|_| {
            let node = RingNode {
                next: None,
                handled: 0,
                done: Arc::clone(&done),
            };
            xtra::spawn_tokio(node, Mailbox::bounded(CAPACITY))
        })
        .collect();
    // Each link is awaited until handled: xtra's mailbox does not keep send order, so a link
    // still queued could otherwise come after the token.
    for (i, node) in nodes.iter().enumerate() {
        let next = nodes[(i + 1) % actors].clone();
        node.send(Link(next)).await.expect("a node links");
    }

    let started = Instant::now();
    let _receiver = nodes[0]
        .send(Token(hops - 1))
        .detach()
        .await
        .expect("the first node runs");
    done.notified().await;
    let elapsed = started.elapsed();

    let mut handled = 0;
    for node in &nodes {
        handled += node.send(Handled).await.expect("a node replies");
    }
    assert_eq!(handled, hops, "xtra's ring lost or doubled the token");
    let weak: Vec<WeakAddress<RingNode>> = nodes.iter().map(|a| a.downgrade()).collect();
    for node in &nodes {
        node.send(Stop).await.expect("a node runs");
    }
    drop(nodes);
    for node in &weak {
        node.join().await;
    }
    elapsed.as_nanos() as f64 / hops as f64
}
