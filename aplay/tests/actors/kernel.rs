//! A user kernel at `/` (aplay's `KernelActor`), and running until it ends.

use crate::common::{Log, Probe};
use aplay::prelude::*;

struct MyKernel {
    log: Log,
}

impl Actor for MyKernel {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("test", Probe::new(&self.log)).await?;
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        self.log
            .push(format!("kernel saw {} {reason}", child.path()));
        if child.name() == "test" {
            ctx.stop();
        }
    }
}

#[actor]
impl MyKernel {
    fn children(&self, ctx: &mut Context<Self>) -> Vec<String> {
        ctx.children()
            .iter()
            .map(|c| c.path().to_string())
            .collect()
    }
}

#[tokio::test]
async fn the_kernels_children_are_top_level_and_run_returns_when_it_stops() {
    let log = Log::default();
    let (system, kernel) = System::with_kernel(MyKernel { log: log.clone() })
        .await
        .unwrap();
    assert_eq!(kernel.path(), "/");
    assert_eq!(system.lookup::<MyKernel>("/").unwrap(), kernel);
    // Spawning through the system puts the actor under the same kernel.
    system.spawn("other", Probe::new(&log)).await.unwrap();
    assert_eq!(kernel.children().await.unwrap(), ["/test", "/other"]);

    let test = system.lookup::<Probe>("/test").unwrap();
    let runner = {
        let system = system.clone();
        tokio::spawn(async move { system.run().await })
    };
    test.stop_after().await.unwrap();
    assert_eq!(runner.await.unwrap(), StopReason::Normal);
    assert!(
        log.entries()
            .contains(&"kernel saw /test stopped itself".to_string())
    );
    // The kernel stopped its remaining child before itself.
    assert!(
        log.entries()
            .contains(&"stop /other count=0 (shut down with its parent)".to_string())
    );
    assert_eq!(system.actor_count(), 0);
}

struct BrokenKernel;

impl Actor for BrokenKernel {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        Err("missing configuration".into())
    }
}

#[actor]
impl BrokenKernel {}

#[tokio::test]
async fn a_kernel_that_fails_to_start_is_an_error() {
    let err = System::with_kernel(BrokenKernel).await.unwrap_err();
    assert!(
        matches!(err, Error::StartFailed { ref path, .. } if path == "/"),
        "{err:?}"
    );
    assert!(err.to_string().contains("missing configuration"));
}

#[tokio::test]
async fn shutdown_ends_run() {
    let system = System::new();
    system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    let runner = {
        let system = system.clone();
        tokio::spawn(async move { system.run().await })
    };
    assert_eq!(system.shutdown().await, StopReason::Shutdown);
    assert_eq!(runner.await.unwrap(), StopReason::Shutdown);
}

/// An actor with every hook the default's: spawned without a round trip to its task.
#[actor]
#[derive(Default)]
struct Idle;

#[actor]
impl Idle {
    fn poke(&mut self) {}
}

#[tokio::test]
async fn a_new_systems_kernel_and_its_plain_children_read_as_running_at_once() {
    let system = System::new();
    // Nothing has yielded to the kernel's task yet: it runs all the same (its hooks do
    // nothing), and so does a child whose hooks do nothing.
    assert_eq!(system.root().state(), aplay::ActorState::Running);
    let idle = system.spawn("idle", Idle).await.unwrap();
    let tree = system.tree().to_string();
    assert!(tree.starts_with("/ (Kernel) running"), "{tree}");
    assert!(tree.contains("idle (Idle) running"), "{tree}");
    idle.poke().await.unwrap();
    system.shutdown().await;
}
