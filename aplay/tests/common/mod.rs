//! Actors shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aplay::prelude::*;
use aplay::{Restart, Supervision, TaskHandle};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// A shared, ordered log of what actors did, to assert orderings.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A counter that logs its lifecycle, can be held up inside a handler, and can fail on demand.
pub struct Probe {
    pub count: u64,
    pub log: Log,
    pub mailbox: Mailbox,
    pub shutdown_timeout: Duration,
    pub stop_delay: Option<Duration>,
}

impl Probe {
    pub fn new(log: &Log) -> Self {
        Probe {
            count: 0,
            log: log.clone(),
            mailbox: Mailbox::default(),
            shutdown_timeout: Duration::from_secs(5),
            stop_delay: None,
        }
    }

    pub fn with_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailbox = mailbox;
        self
    }
}

impl Actor for Probe {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.push(format!("start {}", ctx.path()));
        Ok(())
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        if let Some(delay) = self.stop_delay {
            tokio::time::sleep(delay).await;
        }
        self.log.push(format!(
            "stop {} count={} ({reason})",
            ctx.path(),
            self.count
        ));
    }

    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        self.log.push(format!("child {} {reason}", child.path()));
    }

    fn mailbox(&self) -> Mailbox {
        self.mailbox
    }

    fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }
}

#[actor]
impl Probe {
    pub fn add(&mut self, n: u64) {
        self.count += n;
    }

    pub fn get(&self) -> u64 {
        self.count
    }

    /// Holds the actor inside this handler until `release` fires; says when it is inside.
    pub async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }

    pub fn boom(&mut self, text: String) -> u64 {
        panic!("{text}");
    }

    pub fn stop_after(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    pub async fn spawn_child(
        &mut self,
        name: String,
        ctx: &mut Context<Self>,
    ) -> Result<ActorPath, Error> {
        let child = ctx.spawn(&name, Probe::new(&self.log)).await?;
        Ok(child.path().clone())
    }
}

/// Holds `actor` inside a handler; returns the trigger that lets it go on.
pub async fn hold(actor: &ActorRef<Probe>) -> oneshot::Sender<()> {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    actor.hold(entered_tx, release_rx).await.unwrap();
    entered_rx.await.unwrap();
    release_tx
}

/// Records when each of its timers' ticks came (on tokio's paused clock in the timer tests).
pub struct Clock {
    pub ticks: Vec<Duration>,
    pub started: Instant,
}

impl Actor for Clock {}

#[actor]
impl Clock {
    pub fn after(&mut self, delay: Duration, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.send_after(delay, ClockMsg::tick())
    }

    pub fn every(&mut self, period: Duration, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.send_interval(period, ClockMsg::tick)
    }

    pub fn tick(&mut self) {
        self.ticks.push(self.started.elapsed());
    }

    pub fn ticks(&self) -> Vec<Duration> {
        self.ticks.clone()
    }
}

/// A [`Clock`] at `/{name}`, started now.
pub async fn clock(system: &System, name: &str) -> ActorRef<Clock> {
    let clock = Clock {
        ticks: vec![],
        started: Instant::now(),
    };
    system.spawn(name, clock).await.unwrap()
}

/// Lets every task run until all are idle (on tokio's paused clock, which does not move
/// meanwhile; the tests run on one thread, so each yield lets the others take a step).
pub async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

/// A parent that hires one supervised [`Flaky`] at `flaky` under it, restarted whenever it
/// fails, within its restart limit: the default one, or [`Boss::supervising`]'s.
#[derive(Default)]
pub struct Boss {
    supervision: Supervision,
    started: Option<mpsc::UnboundedSender<()>>,
}

impl Boss {
    /// With `supervision`'s strategy and restart limit.
    pub fn supervising(supervision: Supervision) -> Self {
        Boss {
            supervision,
            started: None,
        }
    }

    /// Each instance of the `Flaky` it hires says on `started` that it has started.
    pub fn reporting_starts(started: mpsc::UnboundedSender<()>) -> Self {
        Boss {
            supervision: Supervision::default(),
            started: Some(started),
        }
    }
}

impl Actor for Boss {
    fn supervision(&self) -> Supervision {
        self.supervision
    }
}

#[actor]
impl Boss {
    /// Spawns its `Flaky`, restarted after any stop but a deliberate one.
    pub async fn hire(&mut self, ctx: &mut Context<Self>) -> Result<ActorRef<Flaky>, Error> {
        let started = self.started.clone();
        ctx.spawn_supervised("flaky", Restart::Permanent, move || Flaky {
            started: started.clone(),
        })
        .await
    }
}

/// Fails on demand: `boom` panics ("flaky fails"); `ping` does nothing. Each instance says
/// on its `started` channel, if its `Boss` gave it one, that it has started.
pub struct Flaky {
    started: Option<mpsc::UnboundedSender<()>>,
}

impl Actor for Flaky {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if let Some(started) = &self.started {
            let _ = started.send(());
        }
        Ok(())
    }
}

#[actor]
impl Flaky {
    pub fn boom(&mut self) {
        panic!("flaky fails");
    }

    pub fn ping(&self) {}
}
