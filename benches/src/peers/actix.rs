//! The scenarios on actix: a `Counter` actor with a `Handler` impl per message.
//!
//! actix runs its actors on its own runtime: an `actix_rt::System`, whose arbiter is a tokio
//! current-thread runtime. Each scenario run starts a fresh `System` on a thread of its own
//! and runs its driver there too, so the driver and the actor share that one thread (the
//! shared multi-thread runtime and `--workers` play no part). The mailbox capacity is set to
//! [`CAPACITY`] (actix's default is 16); it bounds `send` (an ask), while `do_send`, actix's
//! tell, queues regardless of it.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use actix::{Actor, ActorContext, Addr, Context, Handler, Message};
use tokio::sync::Notify;

use crate::CAPACITY;
use crate::spawn_figures::{SpawnClock, SpawnFigures};
use crate::stop_order;
use crate::tally::{Tally, slots};

/// actix's setup, for the notes under the table.
pub(crate) const SETUP: &str = "default features; its own `actix_rt::System` (a tokio \
    current-thread runtime) started for each run on a dedicated thread, the driver running in \
    that System too (one thread for driver, senders and actors; `--workers` does not apply); \
    mailbox capacity `ctx.set_mailbox_capacity(1024)` (default 16), which bounds `send` only; \
    tell `addr.do_send(Add(1))` (synchronous, queues past the capacity: unbounded in effect); \
    ask `addr.send(Incr(x)).await`; spawn `Counter::create(..)` (returns before `started`, \
    the clock waits for every `started`); stop (actix has no stop from outside: an actor \
    stops once no address is left) one by one: drop its `Addr`, wait for its `stopped`; \
    all: drop every `Addr`, wait for every `stopped`.";

/// Counters whose `started` has run.
static STARTED: Tally = Tally::new();

/// Counters whose `stopped` has run.
static STOPPED: Tally = Tally::new();

/// The counter.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn started(&mut self, _: &mut Context<Self>) {
        STARTED.bump();
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        STOPPED.bump();
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

impl Message for Add {
    type Result = ();
}

impl Message for Get {
    type Result = u64;
}

impl Message for Incr {
    type Result = u64;
}

impl Handler<Add> for Counter {
    type Result = ();

    fn handle(&mut self, Add(n): Add, _: &mut Context<Self>) {
        self.count += n;
    }
}

impl Handler<Get> for Counter {
    type Result = u64;

    fn handle(&mut self, _: Get, _: &mut Context<Self>) -> u64 {
        self.count
    }
}

impl Handler<Incr> for Counter {
    type Result = u64;

    fn handle(&mut self, Incr(x): Incr, _: &mut Context<Self>) -> u64 {
        x + 1
    }
}

/// Runs `scenario` in a fresh `actix_rt::System` on a thread of its own, and returns its output.
fn on_system<F, Fut>(scenario: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    std::thread::Builder::new()
        .name("actix-system".to_owned())
        .spawn(move || actix_rt::System::new().block_on(scenario()))
        .expect("a thread for the actix System")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn spawn_counter() -> Addr<Counter> {
    Counter::create(|ctx| {
        ctx.set_mailbox_capacity(CAPACITY);
        Counter::default()
    })
}

/// Drops the last address, which stops the actor, and waits for it to stop.
async fn stop(counter: Addr<Counter>) {
    STOPPED.reset();
    drop(counter);
    STOPPED.reach(1).await;
}

/// `n` tells, then a `Get`. Returns messages per second.
pub(crate) fn tell(n: u64) -> f64 {
    on_system(move || async move {
        let counter = spawn_counter();
        let started = Instant::now();
        for _ in 0..n {
            counter.do_send(Add(1));
        }
        let count = counter.send(Get).await.expect("the counter replies");
        let elapsed = started.elapsed();
        assert_eq!(count, n, "actix lost tells");
        stop(counter).await;
        n as f64 / elapsed.as_secs_f64()
    })
}

/// `senders` tasks of `per_sender` tells each (on the System's thread), then a `Get`. Returns
/// messages per second.
pub(crate) fn fan_in(senders: usize, per_sender: u64) -> f64 {
    on_system(move || async move {
        let counter = spawn_counter();
        let started = Instant::now();
        let tasks: Vec<_> = (0..senders)
            .map(|_| {
                let counter = counter.clone();
                actix_rt::spawn(async move {
                    for _ in 0..per_sender {
                        counter.do_send(Add(1));
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a sender ends cleanly");
        }
        let count = counter.send(Get).await.expect("the counter replies");
        let elapsed = started.elapsed();
        let total = senders as u64 * per_sender;
        assert_eq!(count, total, "actix lost tells");
        stop(counter).await;
        total as f64 / elapsed.as_secs_f64()
    })
}

/// `n` sequential asks. Returns the mean round trip in nanoseconds.
pub(crate) fn ask(n: u64) -> f64 {
    on_system(move || async move {
        let counter = spawn_counter();
        let started = Instant::now();
        for i in 0..n {
            let answer = counter.send(Incr(i)).await.expect("the counter replies");
            assert_eq!(answer, i + 1);
        }
        let elapsed = started.elapsed();
        stop(counter).await;
        elapsed.as_nanos() as f64 / n as f64
    })
}

/// `n` idle counters, then stopped as `stop` says (by dropping their addresses).
pub(crate) fn spawn_stop(n: usize, stop: stop_order::Stop) -> SpawnFigures {
    on_system(move || async move {
        let mut addresses = slots::<Addr<Counter>>(n);
        STARTED.reset();
        STOPPED.reset();

        let mut clock = SpawnClock::start();
        for slot in addresses.iter_mut() {
            *slot = Some(spawn_counter());
        }
        clock.returned();
        STARTED.reach(n).await;
        let spawned = clock.all_started();
        assert_eq!(STARTED.get(), n, "every actor started once");

        let indexes = stop.indexes(n);
        let stopping = Instant::now();
        match indexes {
            None => {
                drop(addresses);
                STOPPED.reach(n).await;
            }
            Some(indexes) => {
                // One at a time: the tally reaching `k + 1` is this actor's `stopped`.
                for (k, i) in indexes.into_iter().enumerate() {
                    drop(addresses[i].take());
                    STOPPED.reach(k + 1).await;
                }
            }
        }
        let stopped = stopping.elapsed();
        assert_eq!(STOPPED.get(), n, "every actor stopped once");

        spawned.figures(n, stopped)
    })
}

/// Ring nodes whose `stopped` has run.
static RING_STOPPED: Tally = Tally::new();

/// A node of the ring (see [`crate::scenarios::ring`]).
#[derive(Debug)]
pub(crate) struct RingNode {
    next: Option<Addr<RingNode>>,
    handled: u64,
    done: Arc<Notify>,
}

impl Actor for RingNode {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        RING_STOPPED.bump();
    }
}

/// Sets the next node.
#[derive(Debug)]
pub(crate) struct Link(Addr<RingNode>);

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

impl Message for Link {
    type Result = ();
}

impl Message for Token {
    type Result = ();
}

impl Message for Handled {
    type Result = u64;
}

impl Message for Stop {
    type Result = ();
}

impl Handler<Link> for RingNode {
    type Result = ();

    fn handle(&mut self, Link(next): Link, _: &mut Context<Self>) {
        self.next = Some(next);
    }
}

impl Handler<Token> for RingNode {
    type Result = ();

    fn handle(&mut self, Token(remaining): Token, _: &mut Context<Self>) {
        self.handled += 1;
        if remaining == 0 {
            self.done.notify_one();
            return;
        }
        let next = self.next.as_ref().expect("the ring is linked");
        next.do_send(Token(remaining - 1));
    }
}

impl Handler<Handled> for RingNode {
    type Result = u64;

    fn handle(&mut self, _: Handled, _: &mut Context<Self>) -> u64 {
        self.handled
    }
}

impl Handler<Stop> for RingNode {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// `actors` nodes in a ring (mailbox capacity [`CAPACITY`]), one token passed `hops` times.
/// Returns nanoseconds per hop.
pub(crate) fn ring(actors: usize, hops: u64) -> f64 {
    on_system(move || async move {
        let done = Arc::new(Notify::new());
        let nodes: Vec<Addr<RingNode>> = (0..actors)
            .map(|_| {
                let done = Arc::clone(&done);
                RingNode::create(move |ctx| {
                    ctx.set_mailbox_capacity(CAPACITY);
                    RingNode {
                        next: None,
                        handled: 0,
                        done,
                    }
                })
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % actors].clone();
            node.send(Link(next)).await.expect("a node links");
        }

        let started = Instant::now();
        nodes[0].do_send(Token(hops - 1));
        done.notified().await;
        let elapsed = started.elapsed();

        let mut handled = 0;
        for node in &nodes {
            handled += node.send(Handled).await.expect("a node replies");
        }
        assert_eq!(handled, hops, "actix's ring lost or doubled the token");
        RING_STOPPED.reset();
        for node in &nodes {
            node.do_send(Stop);
        }
        RING_STOPPED.reach(actors).await;
        elapsed.as_nanos() as f64 / hops as f64
    })
}
