//! A small system to look at in a browser: a supervisor whose worker crashes now and then,
//! a pool of counters kept busy, mail to a stopped actor. Runs until ctrl-c.
//!
//! ```sh
//! cargo run -p aplay-dashboard --example dashboard      # then open http://127.0.0.1:9188
//! ```

use std::time::Duration;

use aplay::Restart;
use aplay::prelude::*;
use aplay_dashboard::{Dashboard, Metrics};

/// Supervises `flaky` and spawns the counters.
struct Shop;

impl Actor for Shop {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn_supervised("flaky", Restart::Permanent, || Flaky)
            .await?;
        for name in ["orders", "billing", "emails"] {
            ctx.spawn(name, Counter::default()).await?;
        }
        Ok(())
    }
}

#[actor]
impl Shop {}

/// Crashes when asked.
struct Flaky;

impl Actor for Flaky {}

#[actor]
impl Flaky {
    fn work(&self, n: u64) {
        if n % 10 == 9 {
            panic!("order {n}: the payment service timed out");
        }
    }
}

/// Counts.
#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    async fn add(&mut self, n: u64) {
        tokio::time::sleep(Duration::from_micros(200)).await;
        self.count += n;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let metrics = Metrics::new();
    let system = System::builder().metrics(metrics.clone()).build();
    system.spawn("shop", Shop).await?;
    let dashboard = Dashboard::new(&system)
        .bind(([127, 0, 0, 1], 9188))
        .metrics(metrics)
        .serve()
        .await?;
    println!("open {} (ctrl-c to stop)", dashboard.url());

    let gone = system.spawn("gone", Counter::default()).await?;
    gone.stop().await;
    let _ = gone.add(1).await; // undelivered: it stopped

    let busy = system.clone();
    tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            for name in ["/shop/orders", "/shop/billing", "/shop/emails"] {
                if let Some(counter) = busy.lookup::<Counter>(name) {
                    let _ = counter.add(n).await;
                }
            }
            if n.is_multiple_of(50)
                && let Some(flaky) = busy.lookup::<Flaky>("/shop/flaky")
            {
                let _ = flaky.work(n / 50).await;
            }
            n += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    tokio::signal::ctrl_c().await?;
    system.shutdown().await;
    Ok(())
}
