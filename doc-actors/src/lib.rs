//! The actors of aplay-core's doc examples, written as a user writes them: with `#[actor]`,
//! through the `aplay` facade. A dev-dependency of aplay-core, never published.
//!
//! An example that teaches how an actor is defined shows its definition. One that teaches
//! something else (a ref's `stop`, an error, a probe) takes a ready actor from here with one
//! hidden line, `# use aplay_doc_actors::Counter;`, and calls it as users do:
//! `counter.add(5).await?`, `let n = counter.get().await?;`.
//!
//! aplay-core's features `serde` and `testkit` turn on this crate's (see its `Cargo.toml`): with
//! `serde`, [`Counter`] is `#[actor(serde)]`, a `wire::Wire` actor that Redis can serve.

use std::sync::Arc;

use aplay::{Actor, BoxError, Context, Mailbox, Recipient};
use tokio::sync::Notify;

/// A counter: [`add`](Counter::add) is a tell, [`get`](Counter::get) an ask. The `Counter` of
/// aplay-core's examples, defined as its crate docs show.
#[aplay::actor]
#[derive(Debug, Default)]
pub struct Counter {
    /// The sum of what was added.
    pub count: u64,
}

#[cfg_attr(feature = "serde", aplay::actor(serde))]
#[cfg_attr(not(feature = "serde"), aplay::actor)]
impl Counter {
    /// Adds `n`. A tell: awaiting `counter.add(n)` waits for room in the mailbox, not for
    /// the handler.
    pub fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// The count. An ask: awaiting `counter.get()` returns it.
    pub fn get(&self) -> u64 {
        self.count
    }
}

/// A worker that takes numbered jobs (and does nothing with them): a child to spawn,
/// supervise or replace by a probe.
#[aplay::actor]
#[derive(Debug, Default, Clone, Copy)]
pub struct Worker;

#[aplay::actor]
impl Worker {
    /// Takes job number `n`.
    pub fn job(&mut self, n: u32) {
        let _ = n;
    }
}

/// Room for one message in its mailbox, and a handler that waits until it is let through:
/// a way to fill a mailbox on purpose.
#[derive(Debug)]
pub struct Gate;

impl Actor for Gate {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(1)
    }
}

#[aplay::actor]
impl Gate {
    /// Waits until `open` is notified.
    pub async fn wait(&self, open: Arc<Notify>) {
        open.notified().await;
    }
}

/// Says on `starts` how many times it was restarted, each time it starts (0 the first time),
/// and fails when told to [`crash`](Flaky::crash): a child to supervise or link to.
#[derive(Debug)]
pub struct Flaky {
    /// Where each instance reports its restart count when it starts.
    pub starts: Recipient<u32>,
}

impl Actor for Flaky {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.starts.tell(ctx.myself_any().restarts()).await?;
        Ok(())
    }
}

#[aplay::actor]
impl Flaky {
    /// Fails: the instance stops with the failure "told to".
    pub fn crash(&mut self, ctx: &mut Context<Self>) {
        ctx.fail("told to");
    }
}
