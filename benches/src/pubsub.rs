//! Publish/subscribe fan-out (`--only pubsub`): a topic with 1, 100 and 10,000 subscriber
//! actors, messages published until [`DELIVERIES`] deliveries in all, then an ask to each
//! subscriber that must see every message. What it shows: deliveries per second as the
//! number of subscribers grows (each publish is one tell per subscriber).

use std::time::{Duration, Instant};

use aplay::prelude::*;

use crate::stats;
use crate::table;

/// Counts what it hears.
#[actor]
#[derive(Debug, Default)]
struct Subscriber {
    heard: u64,
}

#[actor]
impl Subscriber {
    /// What the topic delivers.
    fn hear(&mut self, n: u64) {
        self.heard += n;
    }

    /// What it heard.
    fn heard(&self) -> u64 {
        self.heard
    }
}

/// Deliveries per run, whatever the number of subscribers.
const DELIVERIES: u64 = 1_000_000;

/// The numbers of subscribers.
const FAN_OUT: [usize; 3] = [1, 100, 10_000];

/// Publishes to `subscribers` until `deliveries` in all; returns the time.
async fn fan_out(subscribers: usize, deliveries: u64) -> Duration {
    let system = System::new();
    let topic: Topic<u64> = Topic::new();
    let mut refs = Vec::with_capacity(subscribers);
    for i in 0..subscribers {
        let s = system
            .spawn(&format!("s{i}"), Subscriber::default())
            .await
            .expect("a subscriber starts");
        topic.subscribe(ActorRef::recipient(&s, SubscriberMsg::hear));
        refs.push(s);
    }
    let messages = (deliveries / subscribers as u64).max(1);
    let started = Instant::now();
    for _ in 0..messages {
        let delivered = topic.publish(1).await;
        assert_eq!(delivered, subscribers, "a subscriber was missed");
    }
    for s in &refs {
        assert_eq!(
            s.heard().await.expect("it replies"),
            messages,
            "lost deliveries"
        );
    }
    let elapsed = started.elapsed();
    system.shutdown().await;
    elapsed
}

/// Runs the scenario `runs` times and prints its table (medians).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let deliveries = if quick { DELIVERIES / 10 } else { DELIVERIES };
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); FAN_OUT.len()];
    for run in 1..=runs {
        eprint!("run {run}/{runs} pubsub");
        for (i, &subscribers) in FAN_OUT.iter().enumerate() {
            let d = runtime
                .block_on(async move { tokio::spawn(fan_out(subscribers, deliveries)).await })
                .expect("the pubsub scenario");
            let delivered = (deliveries / subscribers as u64).max(1) * subscribers as u64;
            let rate = delivered as f64 / d.as_secs_f64();
            rates[i].push(rate);
            eprint!("  {subscribers}: {} /s", table::count(rate));
        }
        eprintln!();
    }
    let median = |values: &[f64]| stats::median(values).unwrap_or(f64::NAN);
    println!(
        "\n### Publish/subscribe\n\n{} deliveries per run, to 1, 100 and 10,000 subscriber \
         actors (each publish one tell per subscriber), then an ask to each; {runs} run{} \
         each, medians\n",
        table::count(deliveries as f64),
        if runs == 1 { "" } else { "s" },
    );
    println!("| subscribers | deliveries/s | ns per delivery |");
    println!("|--:|--:|--:|");
    for (i, subscribers) in FAN_OUT.iter().enumerate() {
        let rate = median(&rates[i]);
        println!(
            "| {} | {} /s | {:.0} |",
            table::count(*subscribers as f64),
            table::count(rate),
            1e9 / rate
        );
    }
}
