//! Scaling (`--only scaling`): spawn and stop at 10,000, 100,000 and 1,000,000 actors, and
//! fan-in with 1, 8 and 64 senders, on every side selected; the peers stay at 100,000 actors
//! and below unless `--big` is given (kameo and ractor take about 8 KB per actor: 8 GB at a
//! million). The same measurements as the main table's (see [`crate::dispatch`]).

use std::collections::BTreeMap;

use crate::args::Args;
use crate::dispatch;
use crate::side::Side;
use crate::stats;
use crate::stop_order::{Order, Stop};
use crate::table;
use crate::units::{self, Unit};

/// Runs of the scaling scenario unless `--runs` is given.
pub(crate) const RUNS: usize = 3;

/// Actors spawned and stopped.
const ACTORS: [usize; 3] = [10_000, 100_000, 1_000_000];

/// The most actors a peer is measured with unless `--big` is given.
const PEER_LIMIT: usize = 100_000;

/// Concurrent senders in fan-in, sharing [`TELLS`] between them.
const SENDERS: [usize; 3] = [1, 8, 64];

/// Tells of each fan-in run, in all.
const TELLS: u64 = 1_000_000;

/// The order of the one-by-one stops.
const ORDER: Order = Order::Shuffled;

/// One row of the scaling table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Row {
    /// Spawn rate of `n` actors, all started.
    Spawn(usize),
    /// Live heap per actor, `n` actors.
    Heap(usize),
    /// Resident memory per actor, `n` actors.
    Rss(usize),
    /// Stop rate of `n` actors, all at once.
    StopAll(usize),
    /// Stop rate of `n` actors, one by one in [`ORDER`].
    StopOneByOne(usize),
    /// Fan-in throughput with this many senders.
    FanIn(usize),
}

impl Row {
    fn work(self) -> String {
        let count = |n: usize| units::count(n as f64);
        match self {
            Row::Spawn(n) | Row::Heap(n) | Row::Rss(n) => format!("spawn: {} actors", count(n)),
            Row::StopAll(n) => format!("stop: {} actors, all at once", count(n)),
            Row::StopOneByOne(n) => {
                format!("stop: {} actors, one by one, {}", count(n), ORDER.name())
            }
            Row::FanIn(senders) => format!(
                "fan-in: {senders} x {} tells + 1 ask",
                count((TELLS / senders as u64) as usize)
            ),
        }
    }

    fn metric(self) -> &'static str {
        match self {
            Row::Spawn(_) => "spawn rate, all started",
            Row::Heap(_) => "live heap per actor",
            Row::Rss(_) => "RSS per actor",
            Row::StopAll(_) | Row::StopOneByOne(_) => "stop rate",
            Row::FanIn(_) => "throughput",
        }
    }

    fn unit(self) -> Unit {
        match self {
            Row::Spawn(_) | Row::StopAll(_) | Row::StopOneByOne(_) => Unit::Rate("actors/s"),
            Row::Heap(_) | Row::Rss(_) => Unit::Bytes,
            Row::FanIn(_) => Unit::Rate("msg/s"),
        }
    }
}

/// Runs the scaling scenario `runs` times on the sides of `args` and prints its table.
pub(crate) fn run(runtime: &tokio::runtime::Runtime, args: &Args, runs: usize) {
    let scale = if args.quick { 10 } else { 1 };
    let sides = args.side.list();
    let mut samples: BTreeMap<(Row, Side), Vec<f64>> = BTreeMap::new();
    let mut add = |row: Row, side: Side, value: f64| {
        eprint!("  {}: {}", side.name(), row.unit().format(value));
        samples.entry((row, side)).or_default().push(value);
    };
    for run in 0..runs {
        for n in ACTORS.map(|n| n / scale) {
            eprint!(
                "run {}/{runs} scaling {} actors",
                run + 1,
                units::count(n as f64)
            );
            for i in 0..sides.len() {
                let side = sides[(run + i) % sides.len()];
                if side.is_peer() && n > PEER_LIMIT / scale && !args.big {
                    continue;
                }
                let all = dispatch::spawn_stop(runtime, side, n, Stop::All);
                add(Row::Spawn(n), side, all.spawn_rate);
                add(Row::Heap(n), side, all.heap_per_actor);
                add(Row::Rss(n), side, all.rss_per_actor);
                add(Row::StopAll(n), side, all.stop_rate);
                let one = dispatch::spawn_stop(runtime, side, n, Stop::OneByOne(ORDER));
                add(Row::StopOneByOne(n), side, one.stop_rate);
            }
            eprintln!();
        }
        for senders in SENDERS {
            eprint!("run {}/{runs} scaling fan-in {senders}", run + 1);
            let each = TELLS / scale as u64 / senders as u64;
            for i in 0..sides.len() {
                let side = sides[(run + i) % sides.len()];
                if !crate::args::runs(side, crate::args::Scenario::FanIn) {
                    continue;
                }
                let rate = dispatch::fan_in(runtime, side, senders, each);
                add(Row::FanIn(senders), side, rate);
            }
            eprintln!();
        }
    }

    let titles: Vec<String> = ["scenario", "figure"]
        .into_iter()
        .map(str::to_owned)
        .chain(sides.iter().map(|s| s.name().to_owned()))
        .collect();
    let rows: Vec<Row> = {
        let mut rows: Vec<Row> = samples.keys().map(|&(row, _)| row).collect();
        rows.dedup();
        rows
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|&row| {
            let values = sides.iter().map(|&side| {
                samples
                    .get(&(row, side))
                    .and_then(|values| stats::median(values))
                    .map_or_else(|| "-".to_owned(), |v| row.unit().format(v))
            });
            [row.work(), row.metric().to_owned()]
                .into_iter()
                .chain(values)
                .collect()
        })
        .collect();
    println!(
        "\n### Scaling\n\n{runs} run{} each, medians{}; the peers at 1,000,000 actors only with \
         `--big` (-: not measured); the setups are the main table's\n",
        if runs == 1 { "" } else { "s" },
        if args.quick {
            ", quick mode (a tenth of the actors and tells)"
        } else {
            ""
        },
    );
    print!("{}", table::markdown(&titles, 2, &cells));
}
