//! actorio's "actor spawning actors": a manager spawns a one-shot worker per request; each
//! worker does a slow computation, replies straight to the caller, and stops itself. The
//! caller is not an actor: it reads an `Inbox` (actorio's `Reference`) and passes its
//! `Recipient` along with each request (actorio's `message.sender`).
//!
//! Run it with `cargo run --example manager`.

use std::time::Duration;

use aplay::prelude::*;

/// The result of one computation, sent to the caller's inbox.
#[derive(Debug)]
pub struct Response {
    /// Which request it answers.
    pub request: u32,
    /// What the worker computed (here: how long it slept, in milliseconds).
    pub data: u64,
}

/// Where replies go: whoever asked (here the caller's inbox; an actor would do as well).
type ReplyTo = Recipient<Response>;

/// Spawns a worker per request.
#[derive(Default)]
struct Manager {
    spawned: u32,
    finished: u32,
}

impl Actor for Manager {
    /// actorio's `handle_child_stopped`: the manager hears of every worker that is done.
    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        self.finished += 1;
        println!("  {} {reason}", child.path());
    }
}

#[actor]
impl Manager {
    /// A request: spawn a worker for it and forward it, without waiting for the result.
    async fn request(
        &mut self,
        id: u32,
        sender: ReplyTo,
        ctx: &mut Context<Self>,
    ) -> Result<(), Error> {
        self.spawned += 1;
        let worker = ctx.spawn(&format!("worker-{id}"), Worker).await?;
        worker.work(id, sender).await
    }

    /// How many workers were spawned, and how many have stopped.
    fn progress(&self) -> (u32, u32) {
        (self.spawned, self.finished)
    }
}

/// Does one computation, replies to the caller, and stops.
#[actor]
struct Worker;

#[actor]
impl Worker {
    async fn work(&mut self, id: u32, sender: ReplyTo, ctx: &mut Context<Self>) {
        let data = blocking_operation(id).await;
        // The caller may have gone away; a worker does not fail for that.
        let _ = sender.tell(Response { request: id, data }).await;
        // actorio's `raise EndMainLoop()`: this actor deals with one message, then stops.
        ctx.stop();
    }
}

/// Stands for a slow call; here a sleep of a few milliseconds that differs per request.
async fn blocking_operation(id: u32) -> u64 {
    let millis = u64::from(id * 7 % 10);
    tokio::time::sleep(Duration::from_millis(millis)).await;
    millis
}

/// Sends `requests` requests through the manager, collects every response; returns them
/// with the manager's final progress.
pub async fn run(requests: u32) -> Result<(Vec<Response>, (u32, u32)), Error> {
    let system = System::new();
    // actorio's `Reference()`: somewhere actors can send to, outside any actor.
    let mut inbox = Inbox::new();
    let me = inbox.recipient();
    let manager = system.spawn("manager", Manager::default()).await?;
    for id in 0..requests {
        manager.request(id, me.clone()).tell().await?;
    }
    let mut responses = Vec::new();
    while responses.len() < requests as usize {
        let response = inbox.recv().await;
        println!(
            "Got a response to request {} with result {}",
            response.request, response.data
        );
        responses.push(response);
    }
    // Every worker stopped itself: wait until the manager has heard of all of them.
    let progress = loop {
        let (spawned, finished) = manager.progress().await?;
        if finished == spawned {
            break (spawned, finished);
        }
        tokio::task::yield_now().await;
    };
    system.shutdown().await;
    Ok((responses, progress))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (responses, (spawned, finished)) = run(10).await?;
    println!(
        "{} responses; {spawned} workers spawned, {finished} stopped",
        responses.len()
    );
    Ok(())
}
