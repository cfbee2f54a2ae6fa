//! aplay's benchmark: each scenario run on aplay and, beside it, the same work written on
//! raw tokio channels (the baseline), in one process, on one runtime.
//!
//! ```text
//! cargo run --release -p aplay-bench                  # 5 runs, medians
//! cargo run --release -p aplay-bench -- --runs 9      # more runs
//! cargo run --release -p aplay-bench -- --quick       # smoke: 1 run, a tenth of the work
//! cargo run --release -p aplay-bench -- --only tell --side aplay   # one side, for a profiler
//! ```
//!
//! Scenarios (see `docs/performance.md`):
//!
//! - **tell**: 1,000,000 tells to one actor, then one ask that must see them all;
//! - **ask**: 100,000 sequential asks, mean round trip;
//! - **spawn**: 100,000 idle actors, spawn rate and resident memory per actor, then all
//!   stopped.
//!
//! The runtime is a multi-thread tokio runtime with [`WORKER_THREADS`] workers; mailboxes and
//! baseline channels are bounded to [`CAPACITY`]. Each scenario's driver runs as a task on that
//! runtime. aplay is built with its default features (`tracing` on, no subscriber installed),
//! as an application would get it. The table goes to stdout (Markdown); progress goes to
//! stderr.

mod args;
mod rss;
mod scenarios;
mod stats;
mod table;

use std::future::Future;

use args::{Args, Scenario, Side};
use table::{Better, Row};

/// Worker threads of the runtime every scenario runs on (`--workers` changes it, for
/// experiments only).
pub(crate) const WORKER_THREADS: usize = 2;

/// Capacity of aplay's default mailbox, and of every baseline channel.
pub(crate) const CAPACITY: usize = aplay::Mailbox::DEFAULT_CAPACITY;

/// How much work one run of each scenario does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    /// Tells in the tell scenario.
    pub(crate) tells: u64,
    /// Sequential asks in the ask scenario.
    pub(crate) asks: u64,
    /// Idle actors (or tasks) in the spawn scenario.
    pub(crate) actors: usize,
}

impl Sizes {
    const FULL: Sizes = Sizes {
        tells: 1_000_000,
        asks: 100_000,
        actors: 100_000,
    };

    fn divided_by(self, d: u64) -> Sizes {
        Sizes {
            tells: self.tells / d,
            asks: self.asks / d,
            actors: self.actors / d as usize,
        }
    }
}

/// Every figure of one side (aplay or raw), one sample per run.
#[derive(Debug, Default)]
struct Samples {
    tell_rate: Vec<f64>,
    ask_ns: Vec<f64>,
    spawn_rate: Vec<f64>,
    bytes_per_actor: Vec<f64>,
    stop_rate: Vec<f64>,
}

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n\n{}", args::USAGE);
            std::process::exit(2);
        }
    };
    if args.help {
        println!("{}", args::USAGE);
        return;
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p aplay-bench`");
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let sizes = if args.quick {
        Sizes::FULL.divided_by(10)
    } else {
        Sizes::FULL
    };

    // One small pass of everything first: threads started, allocator and code warm.
    eprintln!("warming up");
    let warm = sizes.divided_by(20);
    for scenario in Scenario::ALL {
        for side in [Side::Aplay, Side::Raw] {
            if args.only.includes(scenario) && args.side.includes(side) {
                run_once(&runtime, scenario, side, warm, &mut Samples::default());
            }
        }
    }

    // Each run measures both sides of a scenario back to back, so that a change in the load
    // of the machine hits both alike; which side goes first alternates from run to run.
    let load_before = load_average();
    let mut aplay = Samples::default();
    let mut raw = Samples::default();
    for run in 0..args.runs {
        let order = if run % 2 == 0 {
            [Side::Aplay, Side::Raw]
        } else {
            [Side::Raw, Side::Aplay]
        };
        for scenario in Scenario::ALL {
            if !args.only.includes(scenario) {
                continue;
            }
            eprint!("run {}/{} {:<6}", run + 1, args.runs, scenario.name());
            for side in order {
                if args.side.includes(side) {
                    let samples = match side {
                        Side::Aplay => &mut aplay,
                        Side::Raw => &mut raw,
                    };
                    let figures = run_once(&runtime, scenario, side, sizes, samples);
                    eprint!("  {}: {figures}", side.name());
                }
            }
            eprintln!();
        }
    }

    let load = format!("{} before, {} after", load_before, load_average());
    let rows = rows(&args, sizes, &aplay, &raw);
    print!("{}", table::render(&header(&args, sizes, &load), &rows));
}

/// Runs `scenario` once on `side`, adding a sample to each of its figures; returns them
/// written out for the progress lines.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    scenario: Scenario,
    side: Side,
    sizes: Sizes,
    samples: &mut Samples,
) -> String {
    use scenarios::{ask, spawn, tell};

    match scenario {
        Scenario::Tell => {
            let rate = match side {
                Side::Aplay => on(runtime, tell::aplay(sizes.tells)),
                Side::Raw => on(runtime, tell::raw(sizes.tells)),
            };
            samples.tell_rate.push(rate);
            table::rate(rate, "msg/s")
        }
        Scenario::Ask => {
            let ns = match side {
                Side::Aplay => on(runtime, ask::aplay(sizes.asks)),
                Side::Raw => on(runtime, ask::raw(sizes.asks)),
            };
            samples.ask_ns.push(ns);
            table::nanos(ns)
        }
        Scenario::Spawn => {
            let figures = match side {
                Side::Aplay => on(runtime, spawn::aplay(sizes.actors)),
                Side::Raw => on(runtime, spawn::raw(sizes.actors)),
            };
            samples.spawn_rate.push(figures.spawn_rate);
            samples.bytes_per_actor.push(figures.bytes_per_actor);
            samples.stop_rate.push(figures.stop_rate);
            format!(
                "{}, {}, stop {}",
                table::rate(figures.spawn_rate, "actors/s"),
                table::bytes(figures.bytes_per_actor),
                table::rate(figures.stop_rate, "actors/s"),
            )
        }
    }
}

/// Runs `future` as a task on the runtime's workers (not on the main thread) and waits for it.
fn on<F>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime
        .block_on(runtime.spawn(future))
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

fn header(args: &Args, sizes: Sizes, load: &str) -> Vec<String> {
    let mode = if args.quick { ", quick mode" } else { "" };
    vec![
        format!(
            "aplay {} vs raw tokio (mpsc + oneshot), {} run{} each, medians{mode}",
            env!("CARGO_PKG_VERSION"),
            args.runs,
            if args.runs == 1 { "" } else { "s" },
        ),
        format!(
            "runtime: tokio multi-thread, {} worker thread{}; \
             mailbox / channel capacity {CAPACITY} (bounded)",
            args.workers,
            if args.workers == 1 { "" } else { "s" },
        ),
        format!(
            "work per run: {} tells, {} asks, {} actors",
            table::count(sizes.tells as f64),
            table::count(sizes.asks as f64),
            table::count(sizes.actors as f64),
        ),
        format!(
            "build: {}; aplay with default features (`tracing` on, no subscriber)",
            if cfg!(debug_assertions) {
                "debug (not meaningful)"
            } else {
                "release"
            },
        ),
        format!("machine: {}; load average (1 min): {load}", machine()),
    ]
}

/// The 1-minute load average of the machine, from `/proc/loadavg`: other processes share the
/// cores, and the figures are only comparable when it stays low.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available")
}

fn rows(args: &Args, sizes: Sizes, aplay: &Samples, raw: &Samples) -> Vec<Row> {
    let mut rows = Vec::new();
    let n = |v: f64| table::count(v);
    if args.only.includes(Scenario::Tell) {
        rows.push(Row::new(
            format!("tell: {} tells + 1 ask", n(sizes.tells as f64)),
            "throughput",
            Better::Higher,
            table::Unit::Rate("msg/s"),
            &aplay.tell_rate,
            &raw.tell_rate,
        ));
    }
    if args.only.includes(Scenario::Ask) {
        rows.push(Row::new(
            format!("ask: {} sequential asks", n(sizes.asks as f64)),
            "mean round trip",
            Better::Lower,
            table::Unit::Nanos,
            &aplay.ask_ns,
            &raw.ask_ns,
        ));
    }
    if args.only.includes(Scenario::Spawn) {
        let actors = n(sizes.actors as f64);
        rows.push(Row::new(
            format!("spawn: {actors} idle actors"),
            "spawn rate",
            Better::Higher,
            table::Unit::Rate("actors/s"),
            &aplay.spawn_rate,
            &raw.spawn_rate,
        ));
        rows.push(Row::new(
            format!("spawn: {actors} idle actors"),
            "RSS per actor",
            Better::Lower,
            table::Unit::Bytes,
            &aplay.bytes_per_actor,
            &raw.bytes_per_actor,
        ));
        rows.push(Row::new(
            format!("stop: {actors} idle actors"),
            "stop rate",
            Better::Higher,
            table::Unit::Rate("actors/s"),
            &aplay.stop_rate,
            &raw.stop_rate,
        ));
    }
    rows
}
