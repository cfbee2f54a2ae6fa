// An actor without messages: `#[actor] impl Kernel {}` still gives it its (empty) message enum
// and handle, so it can be a system's kernel, spawn children in `on_start` and be stopped.
// It must compile without warnings and run: every assert holds.

use aplay::prelude::*;

struct Kernel;

impl Actor for Kernel {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("echo", Echo).await?;
        Ok(())
    }
}

#[actor]
impl Kernel {}

#[actor]
struct Echo;

#[actor]
impl Echo {
    fn echo(&self, text: String) -> String {
        text
    }
}

/// Another actor without messages, spawned the ordinary way.
#[actor]
struct Idle;

#[actor]
impl Idle {}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (system, kernel) = System::with_kernel(Kernel).await.unwrap();
        assert_eq!(kernel.path(), "/");

        let echo: ActorRef<Echo> = system.lookup("/echo").unwrap();
        assert_eq!(echo.echo("hello".to_owned()).await.unwrap(), "hello");

        let idle = system.spawn("idle", Idle).await.unwrap();
        assert_eq!(idle.path(), "/idle");
        assert!(idle.is_alive());
        assert_eq!(idle.stop().await, StopReason::StoppedByPerson);

        system.shutdown().await;
        assert!(!kernel.is_alive());
    });
}
