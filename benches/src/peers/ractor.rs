//! The scenarios on ractor: a `Counter` actor over a message enum, on the shared tokio runtime.
//! ractor's mailbox is unbounded (it has no bounded one): a tell (`cast`) never waits.

use std::sync::Arc;
use std::time::Instant;

use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::spawn_figures::{SpawnClock, SpawnFigures};
use crate::stop_order::Stop;
use crate::tally::{Tally, slots};

/// ractor's setup, for the notes under the table.
pub(crate) const SETUP: &str = "default features (`tokio_runtime`, \
    `message_span_propogation`); the shared tokio multi-thread runtime; mailbox unbounded \
    (tokio unbounded mpsc: ractor has no bounded mailbox, so no capacity is set); tell \
    `actor.cast(Add(1))` (synchronous, never waits); ask `actor.call(|port| Incr(x, port), \
    None).await`; spawn `Actor::spawn(None, Counter, ()).await` (unnamed, returns after \
    `pre_start`, which counts starts; one spawn after the other); stop one by one \
    `actor.stop(None)` then await its `JoinHandle`; stop all `actor.stop(None)` on each, then \
    await each `JoinHandle`.";

/// Counters whose `pre_start` has run.
static STARTED: Tally = Tally::new();

/// The counter; its state is the count.
#[derive(Debug)]
pub(crate) struct Counter;

/// The counter's messages.
#[derive(Debug)]
pub(crate) enum CounterMsg {
    /// A tell: adds `n`.
    Add(u64),
    /// An ask: the count so far.
    Get(RpcReplyPort<u64>),
    /// An ask: `x + 1`.
    Incr(u64, RpcReplyPort<u64>),
}

impl Actor for Counter {
    type Msg = CounterMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<CounterMsg>, _: ()) -> Result<u64, ActorProcessingErr> {
        STARTED.bump();
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<CounterMsg>,
        msg: CounterMsg,
        count: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CounterMsg::Add(n) => *count += n,
            CounterMsg::Get(reply) => {
                let _ = reply.send(*count);
            }
            CounterMsg::Incr(x, reply) => {
                let _ = reply.send(x + 1);
            }
        }
        Ok(())
    }
}

async fn spawn_counter() -> (ActorRef<CounterMsg>, JoinHandle<()>) {
    Actor::spawn(None, Counter, ())
        .await
        .expect("the counter starts")
}

async fn call(
    counter: &ActorRef<CounterMsg>,
    msg: impl FnOnce(RpcReplyPort<u64>) -> CounterMsg,
) -> u64 {
    match counter.call(msg, None).await.expect("the counter runs") {
        CallResult::Success(answer) => answer,
        other => panic!("the counter did not reply: {other:?}"),
    }
}

async fn stop(counter: ActorRef<CounterMsg>, handle: JoinHandle<()>) {
    counter.stop(None);
    handle.await.expect("the counter ends cleanly");
}

/// `n` tells, then a `Get`. Returns messages per second.
pub(crate) async fn tell(n: u64) -> f64 {
    let (counter, handle) = spawn_counter().await;
    let started = Instant::now();
    for _ in 0..n {
        counter.cast(CounterMsg::Add(1)).expect("the counter runs");
    }
    let count = call(&counter, CounterMsg::Get).await;
    let elapsed = started.elapsed();
    assert_eq!(count, n, "ractor lost tells");
    stop(counter, handle).await;
    n as f64 / elapsed.as_secs_f64()
}

/// `senders` tasks of `per_sender` tells each, then a `Get`. Returns messages per second.
pub(crate) async fn fan_in(senders: usize, per_sender: u64) -> f64 {
    let (counter, handle) = spawn_counter().await;
    let started = Instant::now();
    let tasks: Vec<JoinHandle<()>> = (0..senders)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    counter.cast(CounterMsg::Add(1)).expect("the counter runs");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a sender ends cleanly");
    }
    let count = call(&counter, CounterMsg::Get).await;
    let elapsed = started.elapsed();
    let total = senders as u64 * per_sender;
    assert_eq!(count, total, "ractor lost tells");
    stop(counter, handle).await;
    total as f64 / elapsed.as_secs_f64()
}

/// `n` sequential asks. Returns the mean round trip in nanoseconds.
pub(crate) async fn ask(n: u64) -> f64 {
    let (counter, handle) = spawn_counter().await;
    let started = Instant::now();
    for i in 0..n {
        let answer = call(&counter, |port| CounterMsg::Incr(i, port)).await;
        assert_eq!(answer, i + 1);
    }
    let elapsed = started.elapsed();
    stop(counter, handle).await;
    elapsed.as_nanos() as f64 / n as f64
}

/// `n` idle counters (each spawn waits for its `pre_start`), then stopped as `stop` says.
pub(crate) async fn spawn_stop(n: usize, stop: Stop) -> SpawnFigures {
    let mut actors = slots::<(ActorRef<CounterMsg>, JoinHandle<()>)>(n);
    STARTED.reset();

    let clock = SpawnClock::start();
    for slot in actors.iter_mut() {
        *slot = Some(spawn_counter().await);
    }
    STARTED.reach(n).await;
    let spawned = clock.all_started();
    assert_eq!(STARTED.get(), n, "every actor started once");

    let mut ended = 0;
    let stopped = match stop.indexes(n) {
        None => {
            let (refs, handles): (Vec<_>, Vec<_>) = actors.into_iter().flatten().unzip();
            let stopping = Instant::now();
            for counter in &refs {
                counter.stop(None);
            }
            for handle in handles {
                handle.await.expect("an idle actor ends cleanly");
                ended += 1;
            }
            stopping.elapsed()
        }
        Some(indexes) => {
            let stopping = Instant::now();
            for i in indexes {
                let (counter, handle) = actors[i].take().expect("each actor once");
                counter.stop(None);
                handle.await.expect("an idle actor ends cleanly");
                ended += 1;
            }
            stopping.elapsed()
        }
    };
    assert_eq!(ended, n, "every actor stopped");

    spawned.figures(n, stopped)
}

/// A node of the ring (see [`crate::scenarios::ring`]); its state is [`RingState`].
#[derive(Debug)]
pub(crate) struct RingNode;

/// A ring node's state.
#[derive(Debug)]
pub(crate) struct RingState {
    next: Option<ActorRef<RingMsg>>,
    handled: u64,
    done: Arc<Notify>,
}

/// A ring node's messages.
#[derive(Debug)]
pub(crate) enum RingMsg {
    /// Sets the next node; an ask, answered once it is set.
    Link(ActorRef<RingMsg>, RpcReplyPort<()>),
    /// The token, with the hops still to go after this one.
    Token(u64),
    /// An ask: how many tokens the node has handled.
    Handled(RpcReplyPort<u64>),
}

impl Actor for RingNode {
    type Msg = RingMsg;
    type State = RingState;
    type Arguments = Arc<Notify>;

    async fn pre_start(
        &self,
        _: ActorRef<RingMsg>,
        done: Arc<Notify>,
    ) -> Result<RingState, ActorProcessingErr> {
        Ok(RingState {
            next: None,
            handled: 0,
            done,
        })
    }

    async fn handle(
        &self,
        _: ActorRef<RingMsg>,
        msg: RingMsg,
        state: &mut RingState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RingMsg::Link(next, reply) => {
                state.next = Some(next);
                let _ = reply.send(());
            }
            RingMsg::Token(remaining) => {
                state.handled += 1;
                if remaining == 0 {
                    state.done.notify_one();
                } else {
                    let next = state.next.as_ref().expect("the ring is linked");
                    next.cast(RingMsg::Token(remaining - 1))
                        .expect("the next node runs");
                }
            }
            RingMsg::Handled(reply) => {
                let _ = reply.send(state.handled);
            }
        }
        Ok(())
    }
}

/// `actors` nodes in a ring (unbounded mailboxes), one token passed `hops` times. Returns
/// nanoseconds per hop.
pub(crate) async fn ring(actors: usize, hops: u64) -> f64 {
    let done = Arc::new(Notify::new());
    let mut nodes = Vec::with_capacity(actors);
    for _ in 0..actors {
        let (node, handle) = Actor::spawn(None, RingNode, Arc::clone(&done))
            .await
            .expect("a node starts");
        nodes.push((node, handle));
    }
    for (i, (node, _)) in nodes.iter().enumerate() {
        let next = nodes[(i + 1) % actors].0.clone();
        let linked = node
            .call(|reply| RingMsg::Link(next, reply), None)
            .await
            .expect("a node runs");
        assert!(linked.is_success(), "a node links");
    }

    let started = Instant::now();
    nodes[0]
        .0
        .cast(RingMsg::Token(hops - 1))
        .expect("the first node runs");
    done.notified().await;
    let elapsed = started.elapsed();

    let mut handled = 0;
    for (node, _) in &nodes {
        handled += match node
            .call(RingMsg::Handled, None)
            .await
            .expect("a node runs")
        {
            CallResult::Success(n) => n,
            other => panic!("a node did not reply: {other:?}"),
        };
    }
    assert_eq!(handled, hops, "ractor's ring lost or doubled the token");
    for (node, handle) in nodes {
        node.stop(None);
        handle.await.expect("a node ends cleanly");
    }
    elapsed.as_nanos() as f64 / hops as f64
}
