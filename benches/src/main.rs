//! aplay's benchmark: each scenario run on aplay, on the same work written on raw tokio
//! channels (the baseline), and on the peer frameworks kameo, ractor, actix and xtra, in one
//! process.
//!
//! ```text
//! cargo aplay-bench                  # 5 runs, medians
//! cargo aplay-bench -- --runs 9      # more runs
//! cargo aplay-bench -- --quick       # smoke: 1 run, a tenth of the work
//! cargo aplay-bench -- --side aplay,raw       # some sides only
//! cargo aplay-bench -- --only tell --side aplay   # one side, for a profiler
//! cargo aplay-bench -- --only redis  # Redis: durable tells, remote asks
//! cargo aplay-bench -- --only stops,shutdown  # the stop rows of the table only
//! cargo aplay-bench -- --only scaling  # spawn and stop at 10k/100k/1M, fan-in 1/8/64
//! cargo aplay-bench -- --only scaling,shutdown --big  # the peers at 1,000,000 actors too
//! cargo aplay-bench -- --only pool   # 1,000,000 tells to one actor and through a pool of 4
//! cargo aplay-bench -- --only pubsub # a topic's fan-out to 1, 100 and 10,000 subscribers
//! cargo aplay-bench -- --only priority # what the high lane costs a normal tell
//! cargo aplay-bench -- --only queue  # a task queue: aplay's jobs and tells vs BullMQ (node)
//! ```
//!
//! Scenarios (see `docs/performance.md`):
//!
//! - **tell**: 1,000,000 tells to one actor, then one ask that must see them all;
//! - **fan-in**: [`FAN_IN_SENDERS`] concurrent senders of 125,000 tells each to one actor, then
//!   one ask that must see them all;
//! - **ask**: 100,000 sequential asks, mean round trip;
//! - **spawn**: 100,000 idle actors, spawn rate until every actor has started, resident memory
//!   and live heap per actor, then all stopped at once;
//! - **stops**: 100,000 idle actors stopped one by one, oldest first, youngest first and
//!   shuffled;
//! - **shutdown**: 1,000,000 idle actors stopped all at once (the peers only with `--big`);
//! - **ring**: [`RING_ACTORS`] actors in a ring pass one token 1,000,000 hops, mean time per
//!   hop.
//!
//! aplay, the baseline, kameo, ractor and xtra run on one multi-thread tokio runtime with
//! [`WORKER_THREADS`] workers, each scenario's driver as a task on it; actix runs its own
//! `actix_rt::System` on a thread of its own (see [`peers::actix`]). Mailboxes and baseline
//! channels are bounded to [`CAPACITY`] wherever the framework allows. Every framework is built
//! with its default features (aplay: `tracing` on, no subscriber installed), as an application
//! would get it. The tables go to stdout (Markdown); progress goes to stderr.

mod args;
mod dispatch;
mod figures;
mod heap;
mod peers;
mod pool;
mod priority;
mod pubsub;
mod queue;
mod redis;
mod rss;
mod scaling;
mod scenarios;
mod side;
mod spawn_figures;
mod stats;
mod stop_order;
mod table;
mod tally;
mod units;

use args::{Args, Scenario};
use figures::{Figure, Samples};
use side::Side;
use stop_order::{Order, Stop};

/// Worker threads of the runtime every scenario runs on (`--workers` changes it, for
/// experiments only).
pub(crate) const WORKER_THREADS: usize = 2;

/// Capacity of aplay's default mailbox, of every baseline channel, and of the peers' mailboxes
/// where they can be bounded.
pub(crate) const CAPACITY: usize = aplay::Mailbox::DEFAULT_CAPACITY;

/// Concurrent senders in the fan-in scenario; between them they send as many tells as the tell
/// scenario.
pub(crate) const FAN_IN_SENDERS: usize = 8;

/// Actors in the ring scenario (the same in every mode: only the hops are scaled).
pub(crate) const RING_ACTORS: usize = 1_000;

/// How much work one run of each scenario does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    /// Tells in the tell scenario.
    pub(crate) tells: u64,
    /// Sequential asks in the ask scenario.
    pub(crate) asks: u64,
    /// Idle actors (or tasks) in the spawn and stops scenarios.
    pub(crate) actors: usize,
    /// Idle actors (or tasks) in the shutdown scenario.
    pub(crate) big_actors: usize,
    /// Actors in the ring scenario.
    pub(crate) ring_actors: usize,
    /// Hops of the token in the ring scenario.
    pub(crate) ring_hops: u64,
}

impl Sizes {
    /// Tells per sender in the fan-in scenario.
    pub(crate) fn fan_in_per_sender(self) -> u64 {
        self.tells / FAN_IN_SENDERS as u64
    }

    const FULL: Sizes = Sizes {
        tells: 1_000_000,
        asks: 100_000,
        actors: 100_000,
        big_actors: 1_000_000,
        ring_actors: RING_ACTORS,
        ring_hops: 1_000_000,
    };

    fn divided_by(self, d: u64) -> Sizes {
        Sizes {
            tells: self.tells / d,
            asks: self.asks / d,
            actors: self.actors / d as usize,
            big_actors: self.big_actors / d as usize,
            ring_actors: self.ring_actors,
            ring_hops: self.ring_hops / d,
        }
    }
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
        eprintln!("warning: a debug build; run with `cargo aplay-bench`");
    }

    rss::pin_malloc_thresholds();
    scenarios::METERED.store(args.metered, std::sync::atomic::Ordering::Relaxed);
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
        for &side in args.side.list() {
            if args.only.includes(scenario) && args.measures(scenario, side) {
                run_once(&runtime, scenario, side, warm);
            }
        }
    }

    // Each run measures every side of a scenario back to back, so that a change in the load
    // of the machine hits them alike; which side goes first rotates from run to run.
    let load_before = load_average();
    let mut samples = Samples::default();
    let sides = args.side.list();
    for run in 0..args.runs {
        for scenario in Scenario::ALL {
            if !args.only.includes(scenario) || run >= scenario.runs(args.runs) {
                continue;
            }
            eprint!("run {}/{} {:<6}", run + 1, args.runs, scenario.name());
            for i in 0..sides.len() {
                let side = sides[(run + i) % sides.len()];
                if !args.measures(scenario, side) {
                    continue;
                }
                let figures = run_once(&runtime, scenario, side, sizes);
                eprint!("  {}: {}", side.name(), figures::describe(&figures));
                samples.add(side, &figures);
            }
            eprintln!();
        }
    }

    let load = format!("{} before, {} after", load_before, load_average());
    let header = header(&args, sizes, &load);
    if !args.only.is_empty() {
        print!("{}", table::render(&header, sizes, sides, &samples));
    }
    if args.redis {
        redis::run(&runtime, args.quick, args.runs);
    }
    if args.scaling {
        let runs = if args.runs_given || args.quick {
            args.runs
        } else {
            scaling::RUNS
        };
        scaling::run(&runtime, &args, runs);
    }
    if args.pubsub {
        pubsub::run(&runtime, args.quick, args.runs);
    }
    if args.pool {
        pool::run(&runtime, args.quick, args.runs);
    }
    if args.priority {
        priority::run(&runtime, args.quick, args.runs);
    }
    if args.queue {
        let runs = if args.runs_given || args.quick {
            args.runs
        } else {
            queue::RUNS
        };
        queue::run(&runtime, args.quick, runs);
    }
}

/// Runs `scenario` once on `side`; returns the figures it measured.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    scenario: Scenario,
    side: Side,
    sizes: Sizes,
) -> Vec<(Figure, f64)> {
    let rt = runtime;
    match scenario {
        Scenario::Tell => vec![(Figure::TellRate, dispatch::tell(rt, side, sizes.tells))],
        Scenario::FanIn => {
            let (senders, each) = (FAN_IN_SENDERS, sizes.fan_in_per_sender());
            let rate = dispatch::fan_in(rt, side, senders, each);
            vec![(Figure::FanInRate, rate)]
        }
        Scenario::Ask => vec![(Figure::AskNanos, dispatch::ask(rt, side, sizes.asks))],
        Scenario::Spawn => dispatch::spawn_stop(rt, side, sizes.actors, Stop::All).figures(),
        Scenario::Stops => Order::ALL
            .into_iter()
            .map(|order| {
                let stop = Stop::OneByOne(order);
                let figures = dispatch::spawn_stop(rt, side, sizes.actors, stop);
                (Figure::StopRate(order), figures.stop_rate)
            })
            .collect(),
        Scenario::Shutdown => {
            let figures = dispatch::spawn_stop(rt, side, sizes.big_actors, Stop::All);
            vec![(Figure::ShutdownRate, figures.stop_rate)]
        }
        Scenario::Ring => {
            let ns = dispatch::ring(rt, side, sizes.ring_actors, sizes.ring_hops);
            vec![(Figure::RingHopNanos, ns)]
        }
    }
}

fn header(args: &Args, sizes: Sizes, load: &str) -> Vec<String> {
    let mode = if args.quick { ", quick mode" } else { "" };
    let sides: Vec<String> = args.side.list().iter().map(|s| s.version()).collect();
    vec![
        format!(
            "{}; {} run{} each, medians{mode}",
            sides.join(", "),
            args.runs,
            if args.runs == 1 { "" } else { "s" },
        ),
        format!(
            "runtime: tokio multi-thread, {} worker thread{} (actix: its own current-thread \
             System on a dedicated thread); mailbox / channel capacity {CAPACITY} (bounded) \
             where the framework allows",
            args.workers,
            if args.workers == 1 { "" } else { "s" },
        ),
        format!(
            "work per run: {} tells; {FAN_IN_SENDERS} x {} fan-in tells; {} asks; {} actors \
             (spawn, and stops in each order); {} actors (shutdown{}, in the first {} runs \
             only); a ring of {} actors, {} hops",
            table::count(sizes.tells as f64),
            table::count(sizes.fan_in_per_sender() as f64),
            table::count(sizes.asks as f64),
            table::count(sizes.actors as f64),
            table::count(sizes.big_actors as f64),
            if args.big {
                ", every side"
            } else {
                ", aplay and raw only: the peers with --big"
            },
            Scenario::Shutdown.runs(args.runs),
            table::count(sizes.ring_actors as f64),
            table::count(sizes.ring_hops as f64),
        ),
        format!(
            "build: {}; every framework with its default features (aplay: `tracing` on, no \
             subscriber{})",
            if cfg!(debug_assertions) {
                "debug (not meaningful)"
            } else {
                "release"
            },
            if args.metered {
                "; metered: handler time and mailbox high-water marks measured"
            } else {
                ""
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
