//! Supervision, rule by rule against Erlang/OTP's supervisor: restart types, strategies, the
//! restart limit and escalation, human stops, the mailbox across a restart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aplay::prelude::*;
use aplay::{ActorState, FailureKind, Restart, StartState, Strategy, Supervision, TaskHandle};
use tokio::sync::oneshot;

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A supervised worker: logs its starts and stops, counts, and fails on demand.
struct Worker {
    name: &'static str,
    count: u64,
    log: Log,
    veto_restarts: bool,
}

impl Actor for Worker {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.push(format!("start {}", self.name));
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        self.log.push(format!("stop {}", self.name));
    }

    fn decide_to_start(&self, state: &StartState) -> bool {
        !(state.stopped_by_person || (self.veto_restarts && state.restarts > 0))
    }
}

#[actor]
impl Worker {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn get(&self) -> u64 {
        self.count
    }

    fn boom(&mut self) {
        panic!("{} fails", self.name);
    }

    fn finish(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    /// Holds this worker until `go` fires, then fails.
    async fn fail_later(&mut self, entered: oneshot::Sender<()>, go: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = go.await;
        panic!("{} fails later", self.name);
    }

    fn tick_later(&mut self, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.send_after(Duration::from_secs(1), WorkerMsg::add(100))
    }
}

/// A parent with a given supervision; spawns supervised workers on request.
struct Sup {
    supervision: Supervision,
    log: Log,
}

impl Actor for Sup {
    fn supervision(&self) -> Supervision {
        self.supervision
    }

    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        self.log
            .push(format!("exit {} {}", child.name(), short(reason)));
    }
}

#[actor]
impl Sup {
    async fn supervise(
        &mut self,
        name: &'static str,
        restart: Restart,
        veto_restarts: bool,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Worker>, Error> {
        let log = self.log.clone();
        ctx.spawn_supervised(name, restart, move || Worker {
            name,
            count: 0,
            log: log.clone(),
            veto_restarts,
        })
        .await
    }
}

fn short(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::Failed(_) => "failed",
        StopReason::Normal => "normal",
        StopReason::StoppedByPerson => "by-person",
        StopReason::Shutdown => "shutdown",
        StopReason::Killed => "killed",
        _ => "other",
    }
}

async fn sup(system: &System, name: &str, supervision: Supervision, log: &Log) -> ActorRef<Sup> {
    let sup = Sup {
        supervision,
        log: log.clone(),
    };
    system.spawn(name, sup).await.unwrap()
}

/// A system with a default supervisor at `/sup` and one worker at `/sup/w`.
async fn one_child(restart: Restart, veto_restarts: bool) -> (System, Log, ActorRef<Worker>) {
    let system = System::new();
    let log = Log::default();
    let sup = sup(&system, "sup", Supervision::default(), &log).await;
    let w = sup
        .supervise("w", restart, veto_restarts)
        .await
        .unwrap()
        .unwrap();
    (system, log, w)
}

/// Waits until `actor` runs its instance number `n` (restarts counted from 0).
async fn running_instance(actor: &ActorRef<Worker>, n: u32) {
    let any = ActorRef::to_any(actor);
    tokio::time::timeout(Duration::from_secs(10), async {
        // The parent restarts it between two of its own messages: poll its state.
        while !(any.restarts() == n && any.state() == ActorState::Running) {
            assert!(any.is_alive(), "{} stopped for good", any.path());
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the restart did not come");
}

#[tokio::test]
async fn a_permanent_child_is_restarted_fresh_at_the_same_address_with_the_same_ref() {
    let (system, log, w) = one_child(Restart::Permanent, false).await;
    w.add(5).await.unwrap();
    assert!(matches!(w.boom().ask().await, Err(Error::NoReply { .. })));
    running_instance(&w, 1).await;
    // Fresh state, same ref, same address.
    assert_eq!(w.get().await.unwrap(), 0);
    assert_eq!(system.lookup::<Worker>("/sup/w").unwrap(), w);
    assert_eq!(
        log.take(),
        ["start w", "stop w", "exit w failed", "start w"]
    );
    // A normal stop restarts a permanent child too.
    w.finish().await.unwrap();
    running_instance(&w, 2).await;
}

#[tokio::test]
async fn a_transient_child_is_restarted_after_a_failure_only() {
    let (system, _log, w) = one_child(Restart::Transient, false).await;
    let _ = w.boom().ask().await;
    running_instance(&w, 1).await;
    w.finish().await.unwrap();
    assert_eq!(w.wait_stopped().await, StopReason::Normal);
    assert!(system.lookup_any("/sup/w").is_none());
}

#[tokio::test]
async fn a_temporary_child_is_never_restarted() {
    let (system, _log, w) = one_child(Restart::Temporary, false).await;
    let _ = w.boom().ask().await;
    assert!(w.wait_stopped().await.is_failure());
    assert!(system.lookup_any("/sup/w").is_none());
}

#[tokio::test]
async fn a_child_stopped_by_a_person_is_never_restarted() {
    let (system, _log, w) = one_child(Restart::Permanent, false).await;
    assert_eq!(w.stop().await, StopReason::StoppedByPerson);
    assert!(ActorRef::to_any(&w).stopped_by_person());
    assert!(system.lookup_any("/sup/w").is_none());
}

#[tokio::test]
async fn decide_to_start_can_veto_a_restart() {
    let (system, _log, w) = one_child(Restart::Permanent, true).await;
    let _ = w.boom().ask().await;
    assert!(
        !w.wait_stopped().await.is_failure(),
        "vetoed: ended without a new instance"
    );
    assert!(system.lookup_any("/sup/w").is_none());
}

async fn three(sup: &ActorRef<Sup>) -> [ActorRef<Worker>; 3] {
    let mut out = Vec::new();
    for name in ["a", "b", "c"] {
        out.push(
            sup.supervise(name, Restart::Permanent, false)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    out.try_into().unwrap()
}

#[tokio::test]
async fn one_for_all_stops_the_others_youngest_first_and_restarts_all_in_start_order() {
    let system = System::new();
    let log = Log::default();
    let sup = sup(&system, "sup", Supervision::new(Strategy::OneForAll), &log).await;
    let [a, b, c] = three(&sup).await;
    log.take();
    let _ = b.boom().ask().await;
    for w in [&a, &b, &c] {
        running_instance(w, 1).await;
    }
    assert_eq!(
        log.take(),
        [
            "stop b",
            "exit b failed",
            "stop c",
            "stop a",
            "start a",
            "start b",
            "start c"
        ]
    );
}

#[tokio::test]
async fn rest_for_one_restarts_the_failed_child_and_those_started_after_it() {
    let system = System::new();
    let log = Log::default();
    let sup = sup(&system, "sup", Supervision::new(Strategy::RestForOne), &log).await;
    let [a, b, c] = three(&sup).await;
    a.add(1).await.unwrap();
    log.take();
    let _ = b.boom().ask().await;
    for w in [&b, &c] {
        running_instance(w, 1).await;
    }
    assert_eq!(
        log.take(),
        ["stop b", "exit b failed", "stop c", "start b", "start c"]
    );
    assert_eq!(ActorRef::to_any(&a).restarts(), 0);
    assert_eq!(a.get().await.unwrap(), 1, "a was left alone");
}

#[tokio::test]
async fn one_for_one_leaves_the_siblings_alone() {
    let system = System::new();
    let log = Log::default();
    let sup = sup(&system, "sup", Supervision::default(), &log).await;
    let [a, b, c] = three(&sup).await;
    log.take();
    let _ = b.boom().ask().await;
    running_instance(&b, 1).await;
    assert_eq!(log.take(), ["stop b", "exit b failed", "start b"]);
    assert_eq!(
        ActorRef::to_any(&a).restarts() + ActorRef::to_any(&c).restarts(),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn the_restart_limit_is_a_sliding_window_and_past_it_the_parent_fails() {
    let system = System::new();
    let log = Log::default();
    let limit = Supervision::default().max_restarts(2, Duration::from_secs(10));
    let sup = sup(&system, "sup", limit, &log).await;
    let w = sup
        .supervise("w", Restart::Permanent, false)
        .await
        .unwrap()
        .unwrap();
    for n in 1..=2 {
        let _ = w.boom().ask().await;
        running_instance(&w, n).await;
    }
    // The window slides: older restarts no longer count.
    tokio::time::advance(Duration::from_secs(11)).await;
    for n in 3..=4 {
        let _ = w.boom().ask().await;
        running_instance(&w, n).await;
    }
    // A third within the window: the parent gives up, stops the child, and fails itself.
    let _ = w.boom().ask().await;
    let reason = sup.wait_stopped().await;
    let StopReason::Failed(failure) = &reason else {
        panic!("{reason:?}")
    };
    assert_eq!(failure.kind(), &FailureKind::RestartLimit);
    assert!(!w.is_alive());
    assert_eq!(
        system.actor_count(),
        1,
        "nothing left running but the kernel"
    );
}

/// Supervises a `Sup` (which supervises workers), to see failures escalate.
struct Top {
    log: Log,
}

impl Actor for Top {
    fn supervision(&self) -> Supervision {
        Supervision::default().max_restarts(1, Duration::from_secs(60))
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let log = self.log.clone();
        let strict = Supervision::default().max_restarts(0, Duration::from_secs(60));
        ctx.spawn_supervised("mid", Restart::Permanent, move || Sup {
            supervision: strict,
            log: log.clone(),
        })
        .await?;
        Ok(())
    }
}

#[actor]
impl Top {}

#[tokio::test]
async fn failures_escalate_two_levels_and_nothing_is_left_running() {
    let system = System::new();
    let log = Log::default();
    let top = system.spawn("top", Top { log: log.clone() }).await.unwrap();
    let mid = system.lookup::<Sup>("/top/mid").unwrap();
    let w = mid
        .supervise("w", Restart::Permanent, false)
        .await
        .unwrap()
        .unwrap();
    // mid allows no restart: it fails, and top restarts a fresh mid (without w).
    let _ = w.boom().ask().await;
    assert!(w.wait_stopped().await.is_failure());
    let mid_any = ActorRef::to_any(&mid);
    tokio::time::timeout(Duration::from_secs(10), async {
        while !(mid_any.restarts() == 1 && mid_any.state() == ActorState::Running) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    // Again: now top is past its own limit of one restart and fails in turn.
    let w = mid
        .supervise("w", Restart::Permanent, false)
        .await
        .unwrap()
        .unwrap();
    let _ = w.boom().ask().await;
    let reason = top.wait_stopped().await;
    let StopReason::Failed(failure) = &reason else {
        panic!("{reason:?}")
    };
    assert_eq!(failure.kind(), &FailureKind::RestartLimit);
    assert_eq!(
        system.actor_count(),
        1,
        "nothing left running but the kernel"
    );
}

#[tokio::test]
async fn queued_tells_survive_a_restart_and_queued_asks_get_an_error() {
    let (_system, _log, w) = one_child(Restart::Permanent, false).await;
    let (entered_tx, entered) = oneshot::channel();
    let (go, go_rx) = oneshot::channel();
    w.fail_later(entered_tx, go_rx).await.unwrap();
    entered.await.unwrap();
    w.add(1).await.unwrap();
    let ask = {
        let w = w.clone();
        tokio::spawn(async move { w.get().await })
    };
    while ActorRef::to_any(&w).mailbox_len() != Some(2) {
        tokio::task::yield_now().await;
    }
    w.add(2).await.unwrap();
    go.send(()).unwrap();
    assert!(matches!(ask.await.unwrap(), Err(Error::NoReply { .. })));
    running_instance(&w, 1).await;
    assert_eq!(
        w.get().await.unwrap(),
        3,
        "both tells reached the new instance"
    );
}

#[tokio::test(start_paused = true)]
async fn timers_of_the_old_instance_never_reach_the_new_one() {
    let (_system, _log, w) = one_child(Restart::Permanent, false).await;
    let timer = w.tick_later().await.unwrap();
    let _ = w.boom().ask().await;
    running_instance(&w, 1).await;
    tokio::time::advance(Duration::from_secs(2)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(timer.is_finished());
    assert_eq!(
        w.get().await.unwrap(),
        0,
        "the old instance's timer was not delivered"
    );
}

/// Fails in `on_start`, every time.
struct Broken;

impl Actor for Broken {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        Err("no config".into())
    }
}

#[actor]
impl Broken {}

/// Spawns supervised `Broken` children, within a given limit.
struct Spawner {
    supervision: Supervision,
}

impl Actor for Spawner {
    fn supervision(&self) -> Supervision {
        self.supervision
    }
}

#[actor]
impl Spawner {
    async fn try_spawn(&mut self, name: String, ctx: &mut Context<Self>) -> Result<(), Error> {
        ctx.spawn_supervised(&name, Restart::Permanent, || Broken)
            .await
            .map(drop)
    }
}

#[tokio::test]
async fn a_failed_first_start_is_the_spawners_error() {
    let system = System::new();
    let spawner = Spawner {
        supervision: Supervision::default(),
    };
    let parent = system.spawn("parent", spawner).await.unwrap();
    let err = parent
        .try_spawn("broken".into())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::StartFailed { .. }), "{err:?}");
    assert!(system.lookup_any("/parent/broken").is_none());
    assert!(parent.is_alive(), "one failed start is within the limit");
}

#[tokio::test]
async fn shutdown_ends_supervised_children_for_good() {
    let system = System::new();
    let log = Log::default();
    let sup = sup(&system, "sup", Supervision::new(Strategy::OneForAll), &log).await;
    let [a, _b, _c] = three(&sup).await;
    system.shutdown().await;
    assert_eq!(a.wait_stopped().await, StopReason::Shutdown);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn failed_first_starts_count_toward_the_restart_limit() {
    let system = System::new();
    // Allows one restart; a second failed start is past the limit.
    let spawner = Spawner {
        supervision: Supervision::default().max_restarts(1, Duration::from_secs(60)),
    };
    let strict = system.spawn("strict", spawner).await.unwrap();
    assert!(strict.try_spawn("one".into()).await.unwrap().is_err());
    assert!(strict.is_alive(), "one failed start is within the limit");
    assert!(strict.try_spawn("two".into()).await.unwrap().is_err());
    let reason = strict.wait_stopped().await;
    let StopReason::Failed(failure) = &reason else {
        panic!("{reason:?}")
    };
    assert_eq!(failure.kind(), &FailureKind::RestartLimit);
}
