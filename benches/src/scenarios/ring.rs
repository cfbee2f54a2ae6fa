//! Ring: `actors` actors in a ring, each holding a handle to the next, pass one token around
//! until it has been handled `hops` times.
//!
//! The token carries the number of hops still to go: the driver hands it to the first actor
//! with `hops - 1`; an actor that gets `r > 0` counts it and passes `r - 1` to the next, with
//! that framework's tell; the one that gets `0` counts it and tells the driver (a `Notify`).
//! So `hops` messages are handled, all but the first sent from one actor to another, one at a
//! time: each hop is a wake-up of another actor, usually on another worker. The ring is built
//! (spawned and linked, each link confirmed) before the clock starts; the clock stops when the
//! driver is told. Afterwards every actor is asked how many tokens it handled: the counts must
//! add up to `hops` (no token lost, none doubled). Figure: the mean time per hop.

use std::sync::Arc;
use std::time::Instant;

use aplay::prelude::*;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::CAPACITY;

/// aplay's ring node (default mailbox: bounded, [`CAPACITY`]).
#[derive(Debug)]
pub(crate) struct RingNode {
    next: Option<ActorRef<RingNode>>,
    handled: u64,
    done: Arc<Notify>,
}

impl Actor for RingNode {}

#[actor(vis = pub(crate))]
impl RingNode {
    /// Sets the next actor of the ring.
    fn link(&mut self, next: ActorRef<RingNode>) {
        self.next = Some(next);
    }

    /// The token, with `remaining` hops to go after this one.
    async fn token(&mut self, remaining: u64) {
        self.handled += 1;
        if remaining == 0 {
            self.done.notify_one();
            return;
        }
        let next = self.next.as_ref().expect("the ring is linked");
        next.token(remaining - 1).await.expect("the next node runs");
    }

    /// How many tokens it has handled.
    fn handled(&self) -> u64 {
        self.handled
    }
}

/// On aplay: `actors` [`RingNode`]s at `/ring-{i}`, linked in a ring. Returns nanoseconds per
/// hop.
pub(crate) async fn aplay(actors: usize, hops: u64) -> f64 {
    let system = System::new();
    let done = Arc::new(Notify::new());
    let mut nodes = Vec::with_capacity(actors);
    for i in 0..actors {
        let node = RingNode {
            next: None,
            handled: 0,
            done: Arc::clone(&done),
        };
        nodes.push(
            system
                .spawn(&format!("ring-{i}"), node)
                .await
                .expect("a ring node starts"),
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let next = nodes[(i + 1) % actors].clone();
        node.link(next).ask().await.expect("a ring node links");
    }

    let started = Instant::now();
    nodes[0].token(hops - 1).await.expect("the first node runs");
    done.notified().await;
    let elapsed = started.elapsed();

    let mut handled = 0;
    for node in &nodes {
        handled += node.handled().await.expect("a ring node replies");
    }
    assert_eq!(handled, hops, "aplay's ring lost or doubled the token");
    system.shutdown().await;
    elapsed.as_nanos() as f64 / hops as f64
}

/// The baseline's ring messages.
#[derive(Debug)]
enum RawRingMsg {
    Link(mpsc::Sender<RawRingMsg>),
    Token(u64),
    /// Ends the task, which returns how many tokens it handled.
    Stop,
}

async fn raw_node(mut rx: mpsc::Receiver<RawRingMsg>, done: Arc<Notify>) -> u64 {
    let mut next = None;
    let mut handled = 0;
    while let Some(msg) = rx.recv().await {
        match msg {
            RawRingMsg::Link(tx) => next = Some(tx),
            RawRingMsg::Token(remaining) => {
                handled += 1;
                if remaining == 0 {
                    done.notify_one();
                    continue;
                }
                let next: &mpsc::Sender<RawRingMsg> = next.as_ref().expect("the ring is linked");
                next.send(RawRingMsg::Token(remaining - 1))
                    .await
                    .expect("the next node runs");
            }
            RawRingMsg::Stop => break,
        }
    }
    handled
}

/// On the baseline: `actors` tasks, each owning a bounded receiver of [`CAPACITY`] and a
/// sender to the next. Returns nanoseconds per hop.
pub(crate) async fn raw(actors: usize, hops: u64) -> f64 {
    let done = Arc::new(Notify::new());
    let (senders, tasks): (Vec<mpsc::Sender<RawRingMsg>>, Vec<JoinHandle<u64>>) = (0..actors)
        .map(|_| {
            let (tx, rx) = mpsc::channel(CAPACITY);
            (tx, tokio::spawn(raw_node(rx, Arc::clone(&done))))
        })
        .unzip();
    for (i, tx) in senders.iter().enumerate() {
        let next = senders[(i + 1) % actors].clone();
        tx.send(RawRingMsg::Link(next)).await.expect("a node runs");
    }

    let started = Instant::now();
    senders[0]
        .send(RawRingMsg::Token(hops - 1))
        .await
        .expect("the first node runs");
    done.notified().await;
    let elapsed = started.elapsed();

    for tx in &senders {
        tx.send(RawRingMsg::Stop).await.expect("a node runs");
    }
    let mut handled = 0;
    for task in tasks {
        handled += task.await.expect("a node ends cleanly");
    }
    assert_eq!(
        handled, hops,
        "the baseline's ring lost or doubled the token"
    );
    elapsed.as_nanos() as f64 / hops as f64
}
