//! Tells through an in-process pool (`--only pool`): 1,000,000 tells to one actor, beside the
//! same tells through a pool of [`WORKERS`] workers (round robin, then least loaded), each
//! followed by asks that must see every tell; and the routing alone (`pool.pick()` without a
//! send). What it shows: what a call through a pool costs per message over a call to one
//! actor.

use std::time::{Duration, Instant};

use aplay::prelude::*;

use crate::stats;
use crate::table;

/// The scenarios' `Counter`, with its two handlers visible here.
#[actor]
#[derive(Debug, Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// A tell: adds `n`.
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// An ask: the count so far.
    fn get(&self) -> u64 {
        self.count
    }
}

/// The pool's size.
const WORKERS: usize = 4;

/// The ways the tells are sent.
#[derive(Clone, Copy)]
enum Target {
    One,
    RoundRobin,
    LeastLoaded,
}

impl Target {
    const ALL: [Target; 3] = [Target::One, Target::RoundRobin, Target::LeastLoaded];

    fn name(self) -> String {
        match self {
            Target::One => "one actor".to_owned(),
            Target::RoundRobin => format!("pool of {WORKERS}, round robin"),
            Target::LeastLoaded => format!("pool of {WORKERS}, least loaded"),
        }
    }
}

/// `n` tells to `target`, then the counts asked; returns the time.
async fn tells(n: u64, target: Target) -> Duration {
    let system = System::new();
    let elapsed = match target {
        Target::One => {
            let counter = system
                .spawn("counter", Counter::default())
                .await
                .expect("the counter starts");
            let started = Instant::now();
            for _ in 0..n {
                counter.add(1).await.expect("the counter runs");
            }
            let count = counter.get().await.expect("the counter replies");
            let elapsed = started.elapsed();
            assert_eq!(count, n, "one actor lost tells");
            elapsed
        }
        Target::RoundRobin | Target::LeastLoaded => {
            let routing = if matches!(target, Target::RoundRobin) {
                Routing::RoundRobin
            } else {
                Routing::LeastLoaded
            };
            let pool = system
                .spawn_pool("counters", WORKERS, Counter::default)
                .await
                .expect("the pool starts")
                .with_routing(routing);
            let started = Instant::now();
            for _ in 0..n {
                pool.add(1).await.expect("the pool runs");
            }
            let mut count = 0;
            for c in pool.broadcast(|w| w.get()).await {
                count += c.expect("a worker replies");
            }
            let elapsed = started.elapsed();
            assert_eq!(count, n, "the pool lost tells");
            elapsed
        }
    };
    system.shutdown().await;
    elapsed
}

/// `n` routing decisions without a send; returns the time.
async fn picks(n: u64, routing: Routing) -> Duration {
    let system = System::new();
    let pool = system
        .spawn_pool("counters", WORKERS, Counter::default)
        .await
        .expect("the pool starts")
        .with_routing(routing);
    let started = Instant::now();
    let mut chosen = 0usize;
    for _ in 0..n {
        chosen = chosen.wrapping_add(std::hint::black_box(pool.pick()).path().as_str().len());
    }
    let elapsed = started.elapsed();
    std::hint::black_box(chosen);
    system.shutdown().await;
    elapsed
}

/// Runs the scenario `runs` times and prints its table (medians).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let n: u64 = if quick { 100_000 } else { 1_000_000 };
    let ns = |d: Duration| d.as_secs_f64() * 1e9 / n as f64;
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); Target::ALL.len()];
    let mut per_message: Vec<Vec<f64>> = vec![Vec::new(); Target::ALL.len()];
    let mut pick_ns: Vec<Vec<f64>> = vec![Vec::new(); 2];
    for run in 1..=runs {
        eprint!("run {run}/{runs} pool");
        for (i, &target) in Target::ALL.iter().enumerate() {
            let d = runtime
                .block_on(async move { tokio::spawn(tells(n, target)).await })
                .expect("the pool scenario");
            rates[i].push(n as f64 / d.as_secs_f64());
            per_message[i].push(ns(d));
            eprint!(
                "  {}: {} /s",
                target.name(),
                table::count(n as f64 / d.as_secs_f64())
            );
        }
        for (i, routing) in [Routing::RoundRobin, Routing::LeastLoaded]
            .into_iter()
            .enumerate()
        {
            let d = runtime
                .block_on(async move { tokio::spawn(picks(n, routing)).await })
                .expect("the pick scenario");
            pick_ns[i].push(ns(d));
        }
        eprintln!();
    }
    let median = |values: &[f64]| stats::median(values).unwrap_or(f64::NAN);
    let one = median(&per_message[0]);
    println!(
        "\n### Pools\n\n{} tells then asks that see them all, to one actor and through a pool of \
         {WORKERS}; {runs} run{} each, medians\n",
        table::count(n as f64),
        if runs == 1 { "" } else { "s" },
    );
    println!("| target | tells/s | ns per tell | per tell vs one actor |");
    println!("|---|--:|--:|--:|");
    for (i, target) in Target::ALL.iter().enumerate() {
        let t = median(&per_message[i]);
        println!(
            "| {} | {} /s | {:.0} | {:.2}x ({:+.0} ns) |",
            target.name(),
            table::count(median(&rates[i])),
            t,
            t / one,
            t - one
        );
    }
    println!(
        "\nThe routing alone (`pool.pick()`, no send), per call: round robin {:.1} ns, least \
         loaded {:.1} ns.",
        median(&pick_ns[0]),
        median(&pick_ns[1])
    );
}
