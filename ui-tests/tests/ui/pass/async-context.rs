// Async handlers that take `ctx: &mut Context<Self>` as their last parameter, and handlers
// returning a `Result`: an asker gets the whole `Result`; an `Err` nobody asked for goes to
// `on_error`, which here stops the actor.
// It must compile without warnings and run: every assert holds.

use std::fmt;
use std::time::Duration;

use aplay::prelude::*;
use aplay::{Directive, HandlerError};

#[derive(Debug, PartialEq)]
struct TooBig(u32);

impl fmt::Display for TooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is too big", self.0)
    }
}

#[derive(Default)]
struct Doubler {
    log: Vec<String>,
}

impl Actor for Doubler {
    fn on_error(&mut self, _ctx: &mut Context<Self>, error: HandlerError) -> Directive {
        self.log.push(error.to_string());
        Directive::Stop
    }
}

#[actor]
impl Doubler {
    /// Doubles `n`, after a pause, refusing numbers over 100.
    async fn double(&mut self, n: u32, ctx: &mut Context<Self>) -> Result<u32, TooBig> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.log.push(format!("{} doubles {n}", ctx.path()));
        if n > 100 { Err(TooBig(n)) } else { Ok(n * 2) }
    }

    /// Where the actor is, from its context.
    async fn whoami(&self, ctx: &mut Context<Self>) -> String {
        format!("{} ({})", ctx.name(), ctx.path())
    }

    /// A synchronous handler with the context, which stops the actor.
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    async fn log(&self) -> Vec<String> {
        self.log.clone()
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let doubler = system.spawn("doubler", Doubler::default()).await.unwrap();

        assert_eq!(doubler.double(21).await.unwrap(), Ok(42));
        // Asked: the `Err` is the asker's, and the actor goes on.
        assert_eq!(doubler.double(1000).await.unwrap(), Err(TooBig(1000)));
        assert_eq!(doubler.whoami().await.unwrap(), "doubler (/doubler)");
        assert_eq!(
            doubler.log().await.unwrap(),
            ["/doubler doubles 21", "/doubler doubles 1000"]
        );

        // Told: the `Err` goes to `on_error`, whose `Directive::Stop` stops the actor.
        doubler.double(500).tell().await.unwrap();
        assert_eq!(doubler.wait_stopped().await, StopReason::Normal);
        assert!(!doubler.is_alive());

        let again = system.spawn("doubler", Doubler::default()).await.unwrap();
        again.quit().await.unwrap();
        assert_eq!(again.wait_stopped().await, StopReason::Normal);

        system.shutdown().await;
    });
}
