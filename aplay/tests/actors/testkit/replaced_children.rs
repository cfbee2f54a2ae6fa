//! Children replaced by probes.

use super::*;

/// A kernel in the seed's manner: spawns `/worker` in `on_start` and hands it jobs; hears of
/// its children's ends.
struct Kernel {
    stops: Recipient<(String, StopReason)>,
}

impl Actor for Kernel {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("worker", Worker::default()).await?;
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        let _ = self
            .stops
            .tell((child.path().to_string(), reason.clone()))
            .await;
    }
}

#[actor]
impl Kernel {
    async fn start(&mut self, jobs: u32, ctx: &mut Context<Self>) -> Result<(), Error> {
        let worker = ctx.system().address::<Worker>("/worker")?;
        for n in 0..jobs {
            worker.job(n).await?;
        }
        Ok(())
    }

    fn children(&self, ctx: &mut Context<Self>) -> Vec<String> {
        ctx.children()
            .iter()
            .map(|c| c.path().to_string())
            .collect()
    }
}

#[tokio::test]
async fn a_replaced_child_is_a_child_found_by_address() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/worker");
    assert!(worker.actor_ref().is_none(), "nothing spawned yet");
    let (stops, _stops_probe) = testkit::recipient_probe();
    let kernel = kit.start_kernel(Kernel { stops }).await.unwrap();
    let system = kit.system();

    kernel.start(3).await.unwrap().unwrap();
    for n in 0..3 {
        assert!(matches!(worker.expect().await, WorkerMsg::Job { n: m, .. } if m == n));
    }
    // Found by address and by type, the same actor as the probe's ref and the parent's child.
    let found = system.address::<Worker>("/worker").unwrap();
    assert_eq!(Some(found.clone()), worker.actor_ref());
    assert_eq!(worker.expect_spawned().await, found);
    assert!(
        system.lookup::<Kernel>("/worker").is_none(),
        "it is a Worker"
    );
    assert_eq!(kernel.children().await.unwrap(), ["/worker"]);
    assert!(system.tree().find("/worker").is_some());
    assert_eq!(system.actor_count(), 2);
    // Sending by address reaches the probe.
    found.job(9).await.unwrap();
    assert!(matches!(worker.expect().await, WorkerMsg::Job { n: 9, .. }));

    system.shutdown().await;
    assert_eq!(worker.expect_stopped().await, StopReason::Shutdown);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn a_shutdown_ends_a_replaced_child_the_test_never_reads() {
    let kit = TestKit::new();
    let probe = kit.replace::<Worker>("/worker");
    let (stops, _stops_probe) = testkit::recipient_probe();
    let kernel = kit.start_kernel(Kernel { stops }).await.unwrap();
    kernel.start(50).await.unwrap().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(kit.system().shutdown().await, StopReason::Shutdown);
    // Well within the stand-in's five-second stop limit: it ended at once, not by a kill.
    assert!(started.elapsed() < Duration::from_secs(4));
    let worker = probe.actor_ref().unwrap();
    assert_eq!(worker.wait_stopped().await, StopReason::Shutdown);
}

/// A parent spawning its worker when told, supervised or not.
#[actor]
struct Boss;

#[actor]
impl Boss {
    async fn hire(&mut self, ctx: &mut Context<Self>) -> Result<ActorRef<Worker>, Error> {
        ctx.spawn("worker", Worker::default()).await
    }

    async fn hire_supervised(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Worker>, Error> {
        ctx.spawn_supervised("worker", Restart::Permanent, || -> Worker {
            panic!("the factory of a replaced child is not called")
        })
        .await
    }

    async fn hire_adder(&mut self, ctx: &mut Context<Self>) -> Result<ActorRef<Adder>, Error> {
        ctx.spawn("worker", Adder).await
    }
}

#[tokio::test]
async fn the_parent_gets_the_stand_in_and_a_parent_stop_ends_it() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let hired = boss.hire().await.unwrap().unwrap();
    assert_eq!(Some(hired.clone()), worker.actor_ref());
    assert_eq!(hired.path(), "/boss/worker");
    assert_eq!(
        ActorRef::to_any(&boss).children(),
        [ActorRef::to_any(&hired)]
    );
    boss.stop().await;
    assert_eq!(worker.expect_stopped().await, StopReason::Shutdown);
    assert!(
        kit.system().lookup_any("/boss/worker").is_none(),
        "its address is free"
    );
}

#[tokio::test]
async fn a_supervised_spawn_is_replaced_without_calling_the_factory() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let hired = boss.hire_supervised().await.unwrap().unwrap();
    hired.job(1).await.unwrap();
    assert!(matches!(worker.expect().await, WorkerMsg::Job { n: 1, .. }));
    // A probe is never restarted: its stop is final.
    hired.kill();
    assert_eq!(worker.expect_stopped().await, StopReason::Killed);
    assert!(
        boss.hire().await.unwrap().is_ok(),
        "the address is free for a real worker"
    );
    kit.system().shutdown().await;
}

#[tokio::test]
async fn a_replacement_is_used_by_the_first_spawn_only() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let first = boss.hire().await.unwrap().unwrap();
    assert!(matches!(
        boss.hire().await.unwrap(),
        Err(Error::NameTaken { .. })
    ));
    first.stop().await;
    assert_eq!(worker.expect_stopped().await, StopReason::StoppedByPerson);
    // The next spawn is a real worker, which handles its messages.
    let second = boss.hire().await.unwrap().unwrap();
    second.job(4).await.unwrap();
    assert_eq!(second.load().await.unwrap(), 1);
    kit.system().shutdown().await;
}

#[tokio::test]
async fn the_parent_hears_how_a_probe_ends() {
    let kit = TestKit::new();
    let worker = kit.replace::<Worker>("/worker");
    let (stops, mut heard) = testkit::recipient_probe();
    kit.start_kernel(Kernel { stops }).await.unwrap();
    let failure = StopReason::Failed(Failure::new(FailureKind::HandlerPanic, "disk full"));
    worker.stop_with(failure.clone());
    assert_eq!(heard.expect().await, ("/worker".to_owned(), failure));
    kit.system().shutdown().await;
}

#[tokio::test]
async fn a_spawn_of_another_type_at_a_replaced_address_fails_and_the_probe_says_so() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    match boss.hire_adder().await.unwrap() {
        Err(Error::WrongType {
            path,
            expected,
            actual,
        }) => {
            assert_eq!(path, "/boss/worker");
            assert!(expected.ends_with("Adder") && actual.ends_with("Worker"));
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    let panic = tokio::spawn(async move { worker.expect().await })
        .await
        .expect_err("the probe panics");
    let text = panic.into_panic();
    let text = text.downcast_ref::<String>().unwrap();
    assert!(
        text.contains("/boss spawned a `actors::testkit::Adder` at /boss/worker, where this probe stands in for a `actors::testkit::Worker`"),
        "{text}"
    );
    kit.system().shutdown().await;
}

#[test]
#[should_panic(
    expected = "probe /boss/worker: expected a message within 3s, none came (nothing was spawned at /boss/worker yet)"
)]
fn a_probe_whose_child_is_never_spawned_says_so() {
    testkit::paused(async {
        let kit = TestKit::new();
        let mut worker = kit.replace::<Worker>("/boss/worker");
        kit.system().spawn("boss", Boss).await.unwrap();
        worker.expect().await;
    });
}

#[tokio::test]
#[should_panic(expected = "TestKit::replace: /worker is replaced already")]
async fn an_address_is_replaced_once_at_a_time() {
    let kit = TestKit::new();
    let _first = kit.replace::<Worker>("/worker");
    let _second = kit.replace::<Worker>("/worker");
}

#[tokio::test]
async fn an_ordinary_system_spawns_real_actors() {
    let kit = TestKit::new();
    let _probe = kit.replace::<Worker>("/kit/worker");
    // Replacements belong to the kit's system, not to others.
    let system = System::new();
    let boss = system.spawn("kit", Boss).await.unwrap();
    let worker = boss.hire().await.unwrap().unwrap();
    worker.job(1).await.unwrap();
    assert_eq!(worker.load().await.unwrap(), 1);
    system.shutdown().await;
}
