//! Stopping actors one by one (`--only stops`): `n` idle actors spawned, then each stopped and
//! awaited before the next, oldest first, youngest first, and in a shuffled order; aplay's
//! `ActorRef::stop` beside the baseline's tasks (each ended by dropping its sender and
//! awaiting it). What it shows: whether the cost per actor stays the same however many
//! siblings are left (a parent finding its child in a list by searching made oldest-first
//! quadratic: about 10 s for 100,000).

use std::time::{Duration, Instant};

use aplay::prelude::*;

use crate::scenarios::{Counter, raw_counter};
use crate::stats;
use crate::table;

/// The orders the actors are stopped in.
#[derive(Clone, Copy)]
enum Order {
    OldestFirst,
    YoungestFirst,
    Shuffled,
}

impl Order {
    const ALL: [Order; 3] = [Order::OldestFirst, Order::YoungestFirst, Order::Shuffled];

    fn name(self) -> &'static str {
        match self {
            Order::OldestFirst => "oldest first",
            Order::YoungestFirst => "youngest first",
            Order::Shuffled => "shuffled",
        }
    }

    /// The indexes `0..n` in this order (shuffled: a fixed permutation, the same every run).
    fn indexes(self, n: usize) -> Vec<usize> {
        match self {
            Order::OldestFirst => (0..n).collect(),
            Order::YoungestFirst => (0..n).rev().collect(),
            Order::Shuffled => {
                let mut order: Vec<usize> = (0..n).collect();
                let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
                for i in (1..n).rev() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    order.swap(i, (state % (i as u64 + 1)) as usize);
                }
                order
            }
        }
    }
}

/// aplay: `n` counters spawned, then stopped one by one in `order`.
async fn aplay(n: usize, order: Order) -> Duration {
    let system = System::new();
    let mut refs = Vec::with_capacity(n);
    for i in 0..n {
        refs.push(
            system
                .spawn(&format!("idle-{i}"), Counter::default())
                .await
                .expect("an idle actor starts"),
        );
    }
    let started = Instant::now();
    for i in order.indexes(n) {
        refs[i].stop().await;
    }
    let stopped = started.elapsed();
    assert_eq!(system.actor_count(), 1, "only the kernel is left");
    system.shutdown().await;
    stopped
}

/// The baseline: `n` tasks, then each ended (its sender dropped) and awaited in `order`.
async fn raw(n: usize, order: Order) -> Duration {
    let mut tasks: Vec<_> = (0..n).map(|_| Some(raw_counter())).collect();
    let started = Instant::now();
    for i in order.indexes(n) {
        let (sender, handle) = tasks[i].take().expect("each task once");
        drop(sender);
        handle.await.expect("an idle task ends cleanly");
    }
    started.elapsed()
}

/// Runs the scenario `runs` times and prints its table (medians, actors stopped per second).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let n = if quick { 10_000 } else { 100_000 };
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    let mut rows: Vec<(Order, Vec<f64>, Vec<f64>)> = Order::ALL
        .iter()
        .map(|&o| (o, Vec::new(), Vec::new()))
        .collect();
    for run in 1..=runs {
        for (order, aplay_rates, raw_rates) in &mut rows {
            let order = *order;
            let a = runtime.block_on(async move { tokio::spawn(aplay(n, order)).await });
            let r = runtime.block_on(async move { tokio::spawn(raw(n, order)).await });
            let (a, r) = (a.expect("the aplay side"), r.expect("the raw side"));
            aplay_rates.push(rate(a));
            raw_rates.push(rate(r));
            eprintln!(
                "run {run}/{runs} stops {}: aplay {} /s, raw {} /s",
                order.name(),
                table::count(rate(a)),
                table::count(rate(r))
            );
        }
    }
    let median = |values: &[f64]| stats::median(values).unwrap_or(f64::NAN);
    println!(
        "\n### Stopping one by one\n\n{} idle actors, each stopped and awaited before the next; \
         {runs} run{} each, medians, actors stopped per second\n",
        table::count(n as f64),
        if runs == 1 { "" } else { "s" },
    );
    println!("| order | aplay | raw tokio | aplay / raw |");
    println!("|---|--:|--:|--:|");
    for (order, aplay_rates, raw_rates) in &rows {
        let (a, r) = (median(aplay_rates), median(raw_rates));
        println!(
            "| {} | {} /s | {} /s | {:.2}x |",
            order.name(),
            table::count(a),
            table::count(r),
            a / r
        );
    }
}
