//! Supervision: a service that keeps going while its parts fail.
//!
//! `/service` supervises two children, one-for-one, with at most 4 restarts within 30 seconds:
//!
//! - `/service/worker`, a permanent `Worker`, panics on poisoned jobs (3 and 7 of the ten it
//!   gets). Each panic ends that instance; the service starts a fresh one (its count of jobs
//!   starts again at zero) at the same address, behind the same ref, and the jobs still waiting
//!   in the mailbox carry on with it.
//! - `/service/batch`, a permanent `Batch`, supervises `/service/batch/importer` (permanent)
//!   one-for-one but allows it only 1 restart a minute. The importer fails on corrupt files
//!   (1 and 2): the first failure is restarted, the second is past the limit, so the batch
//!   supervisor gives up, stops the importer for good and fails itself with
//!   `FailureKind::RestartLimit` (escalation). Its own parent, the service, is within its
//!   limit and restarts it: a fresh `Batch`, whose `on_start` spawns a fresh importer, which
//!   imports file 3.
//!
//! The run is deterministic: which jobs and files fail depends only on their numbers, and
//! every step waits for the actors' own reports (no sleeps). It prints the tree before and
//! after, what the supervisors saw, and the restarts, then shuts down. The panics of the worker
//! are printed to stderr by Rust's panic hook, as panics always are.
//!
//! Run it with `cargo run --example supervisor`.

use std::time::Duration;

use aplay::prelude::*;
use aplay::{
    ActorState, Directive, FailureKind, HandlerError, Restart, Strategy, Supervision, TreeNode,
};
use tokio::sync::{mpsc, oneshot};

/// Jobs sent to the worker.
const JOBS: u32 = 10;

/// The jobs the worker panics on: 3 and 7.
fn poisoned(job: u32) -> bool {
    job % 4 == 3
}

/// The files the importer cannot read: 1 and 2.
fn corrupt(file: u32) -> bool {
    file < 3
}

/// A job the worker finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobDone {
    /// The job's number.
    pub job: u32,
    /// Which instance of the worker did it (its restarts so far).
    pub instance: u32,
    /// How many jobs that instance had done, this one included: its state is fresh after
    /// each restart.
    pub nth: u32,
}

/// A child's stop, as its supervisor's `on_child_stopped` heard of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildStop {
    /// The supervisor's path.
    pub supervisor: String,
    /// The child's path.
    pub child: String,
    /// Why that instance ended.
    pub reason: StopReason,
}

/// An actor at the end of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Final {
    /// Its path.
    pub path: String,
    /// Its state after the shutdown.
    pub state: ActorState,
    /// Why it stopped.
    pub reason: Option<StopReason>,
}

/// What the run did (printed by `main`, checked by `tests/actors/supervisor_example.rs`).
#[derive(Debug)]
pub struct Summary {
    /// The tree once the service has started.
    pub tree_before: TreeNode,
    /// The tree once every job and file has been dealt with.
    pub tree_after: TreeNode,
    /// How many jobs waited in the worker's mailbox when it was let go.
    pub queued: Option<usize>,
    /// The jobs the worker finished, in order.
    pub jobs: Vec<JobDone>,
    /// The files imported: (file, the importer's restarts when it imported it).
    pub imported: Vec<(u32, u32)>,
    /// Every child stop the supervisors heard of, in order.
    pub stops: Vec<ChildStop>,
    /// The actors that gave up on their children (`FailureKind::RestartLimit`).
    pub escalated: Vec<String>,
    /// `AnyRef::restarts()` of the service, the worker and the batch supervisor.
    pub service_restarts: u32,
    /// As above, for `/service/worker`.
    pub worker_restarts: u32,
    /// As above, for `/service/batch`.
    pub batch_restarts: u32,
    /// `AnyRef::restarts()` of the first importer, the one its supervisor gave up on.
    pub first_importer_restarts: u32,
    /// Why the first importer stopped for good.
    pub first_importer_end: Option<StopReason>,
    /// `AnyRef::restarts()` of the importer that the restarted batch spawned.
    pub importer_restarts: u32,
    /// What `System::shutdown` returned.
    pub shutdown: StopReason,
    /// Every actor of the final tree, after the shutdown.
    pub finals: Vec<Final>,
    /// `System::actor_count()` after the shutdown.
    pub left_running: usize,
}

/// What the actors report to `run`, in the order it happens.
#[derive(Debug)]
enum Event {
    Job(JobDone),
    Imported { file: u32, instance: u32 },
    ChildStopped(ChildStop),
    BatchReady { restarts: u32 },
}

type Events = mpsc::UnboundedSender<Event>;

/// Tells `run` that a supervisor heard of a child's stop.
fn report(events: &Events, supervisor: &ActorPath, child: &AnyRef, reason: &StopReason) {
    let _ = events.send(Event::ChildStopped(ChildStop {
        supervisor: supervisor.to_string(),
        child: child.path().to_string(),
        reason: reason.clone(),
    }));
}

/// The service at `/service`.
struct Service {
    events: Events,
}

impl Actor for Service {
    fn supervision(&self) -> Supervision {
        Supervision::new(Strategy::OneForOne).max_restarts(4, Duration::from_secs(30))
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // Factories: each restart gets a fresh actor from them.
        let events = self.events.clone();
        ctx.spawn_supervised("worker", Restart::Permanent, move || Worker {
            events: events.clone(),
            done: 0,
        })
        .await?;
        let events = self.events.clone();
        ctx.spawn_supervised("batch", Restart::Permanent, move || Batch {
            events: events.clone(),
        })
        .await?;
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        report(&self.events, ctx.path(), child, reason);
    }
}

#[actor]
impl Service {}

/// The flaky worker at `/service/worker`.
struct Worker {
    events: Events,
    /// Jobs done by this instance.
    done: u32,
}

impl Actor for Worker {}

#[actor]
impl Worker {
    /// Holds the worker until `go` fires, so that the jobs sent meanwhile queue up.
    async fn hold(&self, entered: oneshot::Sender<()>, go: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = go.await;
    }

    /// One job; a poisoned one panics, which ends this instance.
    fn job(&mut self, job: u32, ctx: &mut Context<Self>) {
        assert!(!poisoned(job), "job {job} is poisoned");
        self.done += 1;
        let _ = self.events.send(Event::Job(JobDone {
            job,
            instance: ctx.myself_any().restarts(),
            nth: self.done,
        }));
    }
}

/// The batch supervisor at `/service/batch`: strict with its importer.
struct Batch {
    events: Events,
}

impl Actor for Batch {
    fn supervision(&self) -> Supervision {
        Supervision::new(Strategy::OneForOne).max_restarts(1, Duration::from_secs(60))
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let events = self.events.clone();
        ctx.spawn_supervised("importer", Restart::Permanent, move || Importer {
            events: events.clone(),
        })
        .await?;
        let restarts = ctx.myself_any().restarts();
        let _ = self.events.send(Event::BatchReady { restarts });
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        report(&self.events, ctx.path(), child, reason);
    }
}

#[actor]
impl Batch {}

/// The importer at `/service/batch/importer`.
struct Importer {
    events: Events,
}

impl Actor for Importer {
    /// A told `import` that returns an error fails the importer (rather than the default,
    /// which logs it and goes on).
    fn on_error(&mut self, _ctx: &mut Context<Self>, _error: HandlerError) -> Directive {
        Directive::Fail
    }
}

#[actor]
impl Importer {
    fn import(&mut self, file: u32, ctx: &mut Context<Self>) -> Result<(), String> {
        if corrupt(file) {
            return Err(format!("file {file} is corrupt"));
        }
        let instance = ctx.myself_any().restarts();
        let _ = self.events.send(Event::Imported { file, instance });
        Ok(())
    }
}

/// Files the actors' reports as they come.
struct Recorder {
    events: mpsc::UnboundedReceiver<Event>,
    jobs: Vec<JobDone>,
    imported: Vec<(u32, u32)>,
    stops: Vec<ChildStop>,
    batch_ready: Vec<u32>,
}

impl Recorder {
    /// Waits for the next report and files it.
    async fn next(&mut self) {
        let event = self
            .events
            .recv()
            .await
            .expect("the service holds a sender while it runs");
        match event {
            Event::Job(done) => self.jobs.push(done),
            Event::Imported { file, instance } => self.imported.push((file, instance)),
            Event::ChildStopped(stop) => self.stops.push(stop),
            Event::BatchReady { restarts } => self.batch_ready.push(restarts),
        }
    }
}

/// Every actor, the kernel included, sorted by path.
fn actors(system: &System) -> Vec<AnyRef> {
    let mut all = vec![system.root().clone()];
    let mut pending = system.root().children();
    while let Some(actor) = pending.pop() {
        pending.extend(actor.children());
        all.push(actor);
    }
    all.sort_by(|a, b| a.path().as_str().cmp(b.path().as_str()));
    all
}

/// Whether every actor of the tree is running, with nothing left in its mailbox.
fn settled(system: &System) -> bool {
    system
        .tree()
        .walk()
        .all(|actor| actor.state() == ActorState::Running && actor.mailbox_len() == Some(0))
}

/// Waits until `done` holds, letting the actors run meanwhile.
async fn until(done: impl Fn() -> bool) {
    while !done() {
        tokio::task::yield_now().await;
    }
}

/// Runs the service through its failures, then shuts it down.
pub async fn run() -> Summary {
    let (sender, events) = mpsc::unbounded_channel();
    let mut rec = Recorder {
        events,
        jobs: Vec::new(),
        imported: Vec::new(),
        stops: Vec::new(),
        batch_ready: Vec::new(),
    };
    let system = System::new();
    let service = system
        .spawn("service", Service { events: sender })
        .await
        .expect("the service starts");
    // `System::new` does not wait for the built-in kernel's start: wait for it to run.
    until(|| settled(&system)).await;
    let tree_before = system.tree();

    // 1. The worker: hold it, queue ten jobs behind the hold, let it go. Jobs 3 and 7 panic;
    //    the others are done, by three instances in turn.
    let worker = system
        .address::<Worker>("/service/worker")
        .expect("spawned by the service");
    let (entered_tx, entered) = oneshot::channel();
    let (go, go_rx) = oneshot::channel();
    worker.hold(entered_tx, go_rx).await.expect("room to hold");
    entered.await.expect("the worker holds");
    for job in 1..=JOBS {
        worker.job(job).await.expect("room in the mailbox");
    }
    let queued = ActorRef::to_any(&worker).mailbox_len();
    go.send(()).expect("the worker waits for it");
    let good = (1..=JOBS).filter(|&job| !poisoned(job)).count();
    while rec.jobs.len() < good {
        rec.next().await;
    }

    // 2. The importer: files 1 and 2 are corrupt. The second failure is past the batch
    //    supervisor's limit: it gives up and fails, and the service restarts it.
    let importer = system
        .address::<Importer>("/service/batch/importer")
        .expect("spawned by the batch supervisor");
    let first_importer = ActorRef::to_any(&importer);
    for file in 1..=2 {
        importer
            .import(file)
            .tell()
            .await
            .expect("the importer takes files while restarting");
    }
    while !rec.batch_ready.contains(&1) {
        rec.next().await;
    }

    // 3. The restarted batch supervisor spawned a fresh importer at the same address.
    let importer = system
        .address::<Importer>("/service/batch/importer")
        .expect("spawned by the restarted batch supervisor");
    importer.import(3).tell().await.expect("a running importer");
    while rec.imported.is_empty() {
        rec.next().await;
    }

    // The reports come from inside the handlers and hooks; the runtime counts a message just
    // after its handler returns, marks a restarted actor running just after its `on_start`,
    // and a supervisor takes the wake-up that brought it a child's end out of its mailbox
    // only once it is done with it. Wait for all that, so that the snapshot is the same on
    // every run.
    let (worker_any, importer_any) = (ActorRef::to_any(&worker), ActorRef::to_any(&importer));
    let expected_handled = 1 + good as u64; // the hold and the good jobs
    until(|| {
        worker_any.messages_handled() == expected_handled
            && importer_any.messages_handled() == 1
            && settled(&system)
    })
    .await;
    let tree_after = system.tree();
    let restarts = |path: &str| system.lookup_any(path).map_or(0, |actor| actor.restarts());
    let (service_restarts, worker_restarts, batch_restarts, importer_restarts) = (
        ActorRef::to_any(&service).restarts(),
        restarts("/service/worker"),
        restarts("/service/batch"),
        restarts("/service/batch/importer"),
    );
    let escalated = rec
        .stops
        .iter()
        .filter(|stop| {
            matches!(&stop.reason, StopReason::Failed(failure)
                if *failure.kind() == FailureKind::RestartLimit)
        })
        .map(|stop| stop.child.clone())
        .collect();

    let everyone = actors(&system);
    let shutdown = system.shutdown().await;
    let finals = everyone
        .iter()
        .map(|actor| Final {
            path: actor.path().to_string(),
            state: actor.state(),
            reason: actor.stop_reason(),
        })
        .collect();
    Summary {
        tree_before,
        tree_after,
        queued,
        jobs: rec.jobs,
        imported: rec.imported,
        stops: rec.stops,
        escalated,
        service_restarts,
        worker_restarts,
        batch_restarts,
        first_importer_restarts: first_importer.restarts(),
        first_importer_end: first_importer.stop_reason(),
        importer_restarts,
        shutdown,
        finals,
        left_running: system.actor_count(),
    }
}

#[tokio::main]
async fn main() {
    let summary = run().await;
    println!("tree before");
    println!("{}", summary.tree_before);
    println!();
    println!("what the supervisors heard");
    for stop in &summary.stops {
        println!("  {} <- {} {}", stop.supervisor, stop.child, stop.reason);
    }
    println!();
    println!("jobs done by the worker (job: instance, nth job of that instance)");
    let jobs: Vec<String> = summary
        .jobs
        .iter()
        .map(|d| format!("{}: #{}, {}", d.job, d.instance, d.nth))
        .collect();
    println!("  {}", jobs.join(" | "));
    println!(
        "  {} jobs were queued behind the hold; the poisoned ones ended an instance each",
        summary.queued.unwrap_or_default()
    );
    println!();
    println!("tree after");
    println!("{}", summary.tree_after);
    println!();
    println!("summary");
    println!(
        "  /service/worker restarted {} times by /service",
        summary.worker_restarts
    );
    println!(
        "  the first /service/batch/importer restarted {} time, then {}",
        summary.first_importer_restarts,
        summary
            .first_importer_end
            .as_ref()
            .map_or("still running".to_owned(), ToString::to_string)
    );
    println!("  escalated (gave up on a child): {:?}", summary.escalated);
    println!(
        "  /service/batch restarted {} time by /service; its fresh importer ({} restarts) imported {:?}",
        summary.batch_restarts, summary.importer_restarts, summary.imported
    );
    println!(
        "  /service restarted {} times; shutdown: {}; actors left: {}",
        summary.service_restarts, summary.shutdown, summary.left_running
    );
}
