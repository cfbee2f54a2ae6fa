//! Message priority (`--only priority`): what the high lane costs a normal tell. 1,000,000
//! tells then an ask that sees them all, to an actor without a high handler (the path every
//! actor takes), to one with a high handler (its messages' priority is looked up per send), to
//! one whose high lane is in use (a high tell sent first, so the lane is allocated), and with
//! one high tell in every hundred; beside a raw tokio channel in the same run.

use std::time::{Duration, Instant};

use aplay::prelude::*;

use crate::stats;
use crate::table;

/// An actor without a high handler: the normal path.
#[actor]
#[derive(Default)]
struct Plain {
    count: u64,
}

#[actor]
impl Plain {
    fn add(&mut self, n: u64) {
        self.count += n;
    }
    fn get(&self) -> u64 {
        self.count
    }
}

/// The same with a high handler: its `Dispatch::priority` is a match per send.
#[actor]
#[derive(Default)]
struct Urgent {
    count: u64,
}

#[actor]
impl Urgent {
    fn add(&mut self, n: u64) {
        self.count += n;
    }
    #[handler(priority = high)]
    fn add_first(&mut self, n: u64) {
        self.count += n;
    }
    fn get(&self) -> u64 {
        self.count
    }
}

/// The ways the tells are sent.
#[derive(Clone, Copy)]
enum Case {
    Raw,
    Plain,
    WithHighHandler,
    LaneInUse,
    OneInHundredHigh,
}

impl Case {
    const ALL: [Case; 5] = [
        Case::Raw,
        Case::Plain,
        Case::WithHighHandler,
        Case::LaneInUse,
        Case::OneInHundredHigh,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::Raw => "raw tokio mpsc (bounded 1024)",
            Case::Plain => "aplay, no high handler",
            Case::WithHighHandler => "aplay, a high handler, normal tells",
            Case::LaneInUse => "aplay, high lane allocated, normal tells",
            Case::OneInHundredHigh => "aplay, 1 tell in 100 high",
        }
    }
}

/// `n` tells in `case`, then the count asked; returns the time.
async fn tells(n: u64, case: Case) -> Duration {
    let system = System::new();
    let elapsed = match case {
        Case::Raw => {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(1024);
            let receiver = tokio::spawn(async move {
                let mut count = 0;
                while let Some(n) = rx.recv().await {
                    count += n;
                }
                count
            });
            let started = Instant::now();
            for _ in 0..n {
                tx.send(1).await.expect("the receiver runs");
            }
            drop(tx);
            let count = receiver.await.expect("the receiver does not panic");
            assert_eq!(count, n);
            started.elapsed()
        }
        Case::Plain => {
            let a = system
                .spawn("plain", Plain::default())
                .await
                .expect("starts");
            let started = Instant::now();
            for _ in 0..n {
                a.add(1).await.expect("runs");
            }
            assert_eq!(a.get().await.expect("replies"), n);
            started.elapsed()
        }
        Case::WithHighHandler | Case::LaneInUse | Case::OneInHundredHigh => {
            let a = system
                .spawn("urgent", Urgent::default())
                .await
                .expect("starts");
            let mut total = 0;
            if matches!(case, Case::LaneInUse) {
                a.add_first(0).ask().await.expect("runs");
            }
            let started = Instant::now();
            for i in 0..n {
                if matches!(case, Case::OneInHundredHigh) && i % 100 == 0 {
                    a.add_first(1).await.expect("runs");
                } else {
                    a.add(1).await.expect("runs");
                }
                total += 1;
            }
            assert_eq!(a.get().await.expect("replies"), total);
            started.elapsed()
        }
    };
    system.shutdown().await;
    elapsed
}

/// Runs the scenario `runs` times and prints its table (medians).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let n: u64 = if quick { 100_000 } else { 1_000_000 };
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); Case::ALL.len()];
    for run in 1..=runs {
        eprint!("run {run}/{runs} priority");
        for (i, &case) in Case::ALL.iter().enumerate() {
            let d = runtime
                .block_on(async move { tokio::spawn(tells(n, case)).await })
                .expect("the priority scenario");
            rates[i].push(n as f64 / d.as_secs_f64());
            eprint!(
                "  {}: {} /s",
                case.name(),
                table::count(n as f64 / d.as_secs_f64())
            );
        }
        eprintln!();
    }
    let median = |values: &[f64]| stats::median(values).unwrap_or(f64::NAN);
    let (raw, plain) = (median(&rates[0]), median(&rates[1]));
    println!(
        "\n### Priority\n\n{} tells then an ask that sees them all; {runs} run{} each, medians\n",
        table::count(n as f64),
        if runs == 1 { "" } else { "s" },
    );
    println!("| sent to | tells/s | vs raw | vs no high handler |");
    println!("|---|--:|--:|--:|");
    for (i, case) in Case::ALL.iter().enumerate() {
        let rate = median(&rates[i]);
        println!(
            "| {} | {} /s | {:.2}x | {:.3}x |",
            case.name(),
            table::count(rate),
            rate / raw,
            rate / plain
        );
    }
}
