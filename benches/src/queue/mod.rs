//! A task queue on one private `redis-server` (`--only queue`): aplay's jobs
//! ([`RemoteRef::enqueue`](aplay::redis::RemoteRef::enqueue): an id and a record per job,
//! its state, attempts and result) and plain durable tells, beside BullMQ (node, from the npm
//! registry; `benches/bullmq/`), and `redis-benchmark` appending to a stream with one
//! pipelined connection.
//!
//! Each measurement starts on an emptied server (`FLUSHALL`): N no-op jobs are enqueued
//! (timed: until the last is stored), then processed (timed: from the start of the workers
//! until every job is handled, its end recorded and acknowledged), with 1 handler and with
//! many. Around each phase the server's statistics are read (`INFO commandstats` and `cpu`),
//! and a last pass under `MONITOR` tells the commands clients sent from those scripts ran:
//! what each feature costs per job.
//!
//! - **aplay**, handlers: that many servings of `/jobs`, each on a station of its own (its
//!   own consumer name and connections), in this process, on the bench's runtime; jobs are
//!   enqueued by one more station, [`aplay_side::IN_FLIGHT`] at a time.
//! - **BullMQ**, handlers: one `Worker` of that concurrency, in one node process; jobs added
//!   with `addBulk` (1,000 per call), or with `add`, 256 at a time.
//! - **redis-benchmark**: `XADD` with one connection, 100 commands per pipeline: the enqueue
//!   target.
//!
//! The sides of one size and number of handlers run back to back, the first rotating from
//! run to run.

mod aplay_side;
mod bullmq;
mod costs;

use std::collections::BTreeMap;

use self::aplay_side::Kind;
use self::bullmq::{Enqueue, Node, Versions};
use self::costs::{PerJob, Probe, Times, Usage, by_command, list};
use crate::redis::Server;
use crate::stats;
use crate::table;

/// Runs of the smaller size when `--runs` is not given.
pub(crate) const RUNS: usize = 3;

/// Runs of the larger size: the first `BIG_RUNS` of the runs only (BullMQ takes about a
/// minute for 200,000 jobs with one handler).
const BIG_RUNS: usize = 1;

/// aplay's servings in the rows with many handlers.
const APLAY_MANY: usize = 8;

/// BullMQ's Worker concurrency in the rows with many handlers.
const BULLMQ_MANY: usize = 50;

/// Jobs per measurement of the cost pass (under `MONITOR`).
const COST_JOBS: u64 = 5_000;

/// Commands per pipeline of the `redis-benchmark` row.
const PIPELINE: u32 = 100;

/// What one measurement found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Measured {
    /// Jobs stored per second.
    pub(crate) enqueue_rate: f64,
    /// Jobs handled per second, from the workers' start.
    pub(crate) process_rate: f64,
    pub(crate) enqueue: Usage,
    pub(crate) process: Usage,
}

/// Who runs the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Aplay(Kind),
    Bullmq(Enqueue),
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Aplay(Kind::Job) => "aplay job (id, record, result)",
            Side::Aplay(Kind::JobBulk) => "aplay job, enqueue_all (1,000 a call)",
            Side::Aplay(Kind::KeyedJob) => "aplay job + unique key",
            Side::Aplay(Kind::DelayedJob) => "aplay job delayed 1 ms",
            Side::Aplay(Kind::Tell) => "aplay plain tell (no id, no record)",
            Side::Bullmq(Enqueue::Bulk) => "BullMQ (addBulk)",
            Side::Bullmq(Enqueue::Add) => "BullMQ (add, 256 at a time)",
        }
    }

    fn is_aplay_job(self) -> bool {
        matches!(self, Side::Aplay(Kind::Job | Kind::JobBulk))
    }

    fn is_bullmq(self) -> bool {
        matches!(self, Side::Bullmq(_))
    }
}

/// One measurement's setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    jobs: u64,
    side: Side,
    handlers: usize,
}

/// The groups of cases of one run, each group's sides back to back, its first side rotating
/// with `run`.
fn groups(sizes: [u64; 2], run: usize) -> Vec<Vec<Case>> {
    let mut groups = Vec::new();
    for (i, &jobs) in sizes.iter().enumerate() {
        if i == 1 && run >= BIG_RUNS {
            continue;
        }
        let case = |side, handlers| Case {
            jobs,
            side,
            handlers,
        };
        let job = Side::Aplay(Kind::Job);
        let tell = Side::Aplay(Kind::Tell);
        let bulk = Side::Bullmq(Enqueue::Bulk);
        groups.push(vec![
            case(job, 1),
            case(Side::Aplay(Kind::JobBulk), 1),
            case(tell, 1),
            case(bulk, 1),
        ]);
        groups.push(vec![
            case(job, APLAY_MANY),
            case(tell, APLAY_MANY),
            case(bulk, BULLMQ_MANY),
        ]);
        if i == 0 {
            groups.push(vec![
                case(Side::Aplay(Kind::KeyedJob), 1),
                case(Side::Aplay(Kind::DelayedJob), 1),
                case(Side::Bullmq(Enqueue::Add), BULLMQ_MANY),
            ]);
        }
    }
    for group in &mut groups {
        let len = group.len();
        group.rotate_left(run % len);
    }
    groups
}

/// The cases of the cost pass.
fn cost_cases(jobs: u64) -> Vec<Case> {
    let case = |side, handlers| Case {
        jobs,
        side,
        handlers,
    };
    vec![
        case(Side::Aplay(Kind::Tell), 1),
        case(Side::Aplay(Kind::Job), 1),
        case(Side::Aplay(Kind::JobBulk), 1),
        case(Side::Aplay(Kind::KeyedJob), 1),
        case(Side::Aplay(Kind::DelayedJob), 1),
        case(Side::Bullmq(Enqueue::Bulk), 1),
        case(Side::Bullmq(Enqueue::Bulk), BULLMQ_MANY),
    ]
}

/// The server and the sides, for one measurement at a time.
struct Bench<'a> {
    runtime: &'a tokio::runtime::Runtime,
    server: Server,
    node: Node,
    versions: Versions,
    measurements: u64,
}

impl Bench<'_> {
    fn measure(&mut self, case: Case, probe: &Probe) -> Measured {
        self.server.cli().run(&["FLUSHALL"]);
        self.measurements += 1;
        match case.side {
            Side::Aplay(kind) => {
                let namespace = format!("bench-queue-{}", self.measurements);
                let future = aplay_side::measure(
                    self.server.url(),
                    namespace,
                    kind,
                    case.jobs,
                    case.handlers,
                    probe.clone(),
                );
                self.runtime
                    .block_on(self.runtime.spawn(future))
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            }
            Side::Bullmq(enqueue) => {
                let port = self.server.port().expect("a TCP port");
                let (measured, versions) =
                    self.node
                        .measure(port, case.jobs, case.handlers, enqueue, probe);
                self.versions = versions;
                measured
            }
        }
    }
}

/// Runs the scenario (`runs` runs of the smaller size, [`BIG_RUNS`] of the larger) and prints
/// its tables.
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let node = match Node::prepare() {
        Ok(node) => node,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    };
    let sizes: [u64; 2] = if quick {
        [2_000, 20_000]
    } else {
        [20_000, 200_000]
    };
    let cost_jobs = if quick { COST_JOBS / 5 } else { COST_JOBS };
    let load_before = crate::load_average();
    let mut bench = Bench {
        runtime,
        server: Server::start_tcp(),
        node,
        versions: Versions::default(),
        measurements: 0,
    };
    let probe = Probe::new(bench.server.cli());

    // Untimed: node's and aplay's code warm, BullMQ's scripts loaded.
    eprintln!("queue: warming up");
    for side in [Side::Aplay(Kind::Job), Side::Bullmq(Enqueue::Bulk)] {
        let case = Case {
            jobs: 1_000,
            side,
            handlers: 1,
        };
        bench.measure(case, &probe);
    }

    let mut results: BTreeMap<Case, Vec<Measured>> = BTreeMap::new();
    let mut baseline: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for run in 0..runs {
        for group in groups(sizes, run) {
            for case in group {
                eprint!(
                    "run {}/{runs} queue {} jobs, {}, {} handler{}: ",
                    run + 1,
                    table::count(case.jobs as f64),
                    case.side.name(),
                    case.handlers,
                    if case.handlers == 1 { "" } else { "s" },
                );
                let measured = bench.measure(case, &probe);
                eprintln!(
                    "enqueue {}, processing {}",
                    table::rate(measured.enqueue_rate, "jobs/s"),
                    table::rate(measured.process_rate, "jobs/s")
                );
                results.entry(case).or_default().push(measured);
            }
        }
        for (i, &jobs) in sizes.iter().enumerate() {
            if i == 1 && run >= BIG_RUNS {
                continue;
            }
            bench.server.cli().run(&["FLUSHALL"]);
            let rps = bench.server.benchmark_xadd(jobs, 1, PIPELINE, "x");
            eprintln!(
                "run {}/{runs} queue {} redis-benchmark XADD -P {PIPELINE} -c 1: {}",
                run + 1,
                table::count(jobs as f64),
                table::rate(rps, "req/s")
            );
            baseline.entry(jobs).or_default().push(rps);
        }
    }

    // The cost pass, under MONITOR (not timed).
    eprintln!(
        "cost pass: {} jobs of each kind under MONITOR",
        table::count(cost_jobs as f64)
    );
    let monitored = Probe::monitored(bench.server.cli());
    let mut splits = BTreeMap::new();
    for case in cost_cases(cost_jobs) {
        let measured = bench.measure(case, &monitored);
        splits.insert((case.side, case.handlers), measured);
    }
    monitored.finish();

    let report = Report {
        sizes,
        runs,
        cost_jobs,
        results,
        baseline,
        splits,
    };
    let header = format!(
        "redis-server {} on 127.0.0.1 (TCP), no persistence; BullMQ {} on node {}; {} jobs: \
         {runs} run{}, medians; {} jobs: {} run{}; aplay: {APLAY_MANY} handlers = \
         {APLAY_MANY} servings of `/jobs`, each on its own station, in this process (tokio \
         multi-thread, {} workers), jobs enqueued {} at a time by one more station; BullMQ: \
         one Worker of concurrency 1 or {BULLMQ_MANY}; machine: {}; load average (1 min): {} \
         before, {} after",
        bench.server.version(),
        bench.versions.bullmq,
        bench.versions.node,
        table::count(sizes[0] as f64),
        if runs == 1 { "" } else { "s" },
        table::count(sizes[1] as f64),
        runs.min(BIG_RUNS),
        if runs.min(BIG_RUNS) == 1 { "" } else { "s" },
        runtime.metrics().num_workers(),
        aplay_side::IN_FLIGHT,
        crate::machine(),
        load_before,
        crate::load_average(),
    );
    print!("{}", report.render(&header));
}

/// Everything measured, for the tables.
struct Report {
    sizes: [u64; 2],
    runs: usize,
    cost_jobs: u64,
    results: BTreeMap<Case, Vec<Measured>>,
    baseline: BTreeMap<u64, Vec<f64>>,
    /// The cost pass, by side and handlers.
    splits: BTreeMap<(Side, usize), Measured>,
}

fn median(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

fn spread(values: &[f64]) -> String {
    stats::spread(values).map_or_else(|| "-".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

impl Report {
    fn rates(&self, case: &Case) -> (Vec<f64>, Vec<f64>) {
        let samples = self.results.get(case).map_or(&[][..], Vec::as_slice);
        (
            samples.iter().map(|m| m.enqueue_rate).collect(),
            samples.iter().map(|m| m.process_rate).collect(),
        )
    }

    /// The best median rate (processing when `process`) of the cases of `jobs` jobs that
    /// `which` picks.
    fn best(&self, jobs: u64, which: impl Fn(Side) -> bool, process: bool) -> f64 {
        self.results
            .keys()
            .filter(|c| c.jobs == jobs && which(c.side))
            .map(|c| {
                let (enqueue, processing) = self.rates(c);
                median(if process { &processing } else { &enqueue })
            })
            .fold(f64::NAN, f64::max)
    }

    /// Run by run, the best rate (processing when `process`) of the cases of `jobs` jobs
    /// that `which` picks.
    fn best_per_run(&self, jobs: u64, which: impl Fn(Side) -> bool, process: bool) -> Vec<f64> {
        let cases: Vec<&Vec<Measured>> = self
            .results
            .iter()
            .filter(|(c, _)| c.jobs == jobs && which(c.side))
            .map(|(_, samples)| samples)
            .collect();
        let runs = cases.iter().map(|s| s.len()).max().unwrap_or(0);
        (0..runs)
            .map(|run| {
                cases
                    .iter()
                    .filter_map(|samples| samples.get(run))
                    .map(|m| {
                        if process {
                            m.process_rate
                        } else {
                            m.enqueue_rate
                        }
                    })
                    .fold(f64::NAN, f64::max)
            })
            .collect()
    }

    fn render(&self, header: &str) -> String {
        let mut out = format!("\n### Task queue: aplay vs BullMQ\n\n{header}\n\n");

        // Rates.
        let titles: Vec<String> = [
            "jobs",
            "side",
            "handlers",
            "enqueue",
            "processing",
            "enqueue vs BullMQ's best",
            "processing vs BullMQ's best",
            "spread (enqueue / processing)",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut rows = Vec::new();
        for &jobs in &self.sizes {
            let bull_enqueue = self.best(jobs, Side::is_bullmq, false);
            let bull_process = self.best(jobs, Side::is_bullmq, true);
            for case in self.results.keys().filter(|c| c.jobs == jobs) {
                let (enqueue, processing) = self.rates(case);
                let (e, p) = (median(&enqueue), median(&processing));
                rows.push(vec![
                    table::count(jobs as f64),
                    case.side.name().to_owned(),
                    case.handlers.to_string(),
                    table::rate(e, "jobs/s"),
                    table::rate(p, "jobs/s"),
                    format!("{:.2}x", e / bull_enqueue),
                    format!("{:.2}x", p / bull_process),
                    format!("{} / {}", spread(&enqueue), spread(&processing)),
                ]);
            }
            if let Some(rps) = self.baseline.get(&jobs) {
                rows.push(vec![
                    table::count(jobs as f64),
                    format!("redis-benchmark XADD -P {PIPELINE} -c 1"),
                    "-".to_owned(),
                    table::rate(median(rps), "req/s"),
                    "-".to_owned(),
                    format!("{:.2}x", median(rps) / bull_enqueue),
                    "-".to_owned(),
                    format!("{} / -", spread(rps)),
                ]);
            }
        }
        out.push_str(&table::markdown(&titles, 2, &rows));

        // The targets, run by run.
        out.push_str(
            "\nThe targets, run by run (each run's best rate of each side; median, then each \
             run): aplay's jobs (ids, records, results) processed at >= 10x BullMQ's best \
             rate, and enqueued at >= `redis-benchmark XADD` with one pipelined connection.\n\n",
        );
        let titles: Vec<String> = [
            "jobs",
            "aplay job, best processing",
            "BullMQ, best processing",
            "ratio (target >= 10x)",
            "aplay job, best enqueue",
            "redis-benchmark XADD",
            "ratio (target >= 1x)",
        ]
        .map(str::to_owned)
        .to_vec();
        let rows: Vec<Vec<String>> = self
            .sizes
            .iter()
            .map(|&jobs| {
                let aplay = self.best_per_run(jobs, Side::is_aplay_job, true);
                let bull = self.best_per_run(jobs, Side::is_bullmq, true);
                let enqueue = self.best_per_run(jobs, Side::is_aplay_job, false);
                let xadd = self.baseline.get(&jobs).cloned().unwrap_or_default();
                vec![
                    table::count(jobs as f64),
                    table::rate(median(&aplay), "jobs/s"),
                    table::rate(median(&bull), "jobs/s"),
                    verdict(&aplay, &bull, 10.0),
                    table::rate(median(&enqueue), "jobs/s"),
                    table::rate(median(&xadd), "req/s"),
                    verdict(&enqueue, &xadd, 1.0),
                ]
            })
            .collect();
        out.push_str(&table::markdown(&titles, 1, &rows));

        // Costs.
        out.push_str(&format!(
            "\nWhat each costs the server per job, 1 handler (BullMQ also {BULLMQ_MANY}): \
             commands sent by the clients (scripts counted once) and run by scripts, from a \
             pass of {} jobs each under `MONITOR`; CPU of the server's process (`INFO cpu`), \
             time in commands (`INFO commandstats`: the scripts, with what they ran, and the \
             commands sent directly), of which the scripts' own (their time less that of the \
             commands they ran), and CPU of the client's process (aplay: this one; BullMQ: \
             node), medians of the timed runs of {} jobs.\n\n",
            table::count(self.cost_jobs as f64),
            table::count(self.sizes[0] as f64),
        ));
        let titles: Vec<String> = [
            "side",
            "phase",
            "sent",
            "of which scripts",
            "run by scripts",
            "commands sent",
            "commands scripts ran",
            "server CPU",
            "in commands",
            "of which script overhead",
            "client CPU",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut rows = Vec::new();
        for (&(side, handlers), pass) in &self.splits {
            let timed = self.results.get(&Case {
                jobs: self.sizes[0],
                side,
                handlers,
            });
            for (phase, usage) in [("enqueue", &pass.enqueue), ("process", &pass.process)] {
                let Some(split) = &usage.split else { continue };
                let per = PerJob::of(split, self.cost_jobs);
                let times: Vec<Times> = timed
                    .map(|runs| {
                        runs.iter()
                            .map(|m| {
                                let usage = if phase == "enqueue" {
                                    &m.enqueue
                                } else {
                                    &m.process
                                };
                                Times::of(usage, Some(split), self.sizes[0])
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let micros = |f: fn(&Times) -> f64| {
                    let values: Vec<f64> = times.iter().map(f).collect();
                    format!("{:.1} us", median(&values))
                };
                let name = if handlers == 1 {
                    side.name().to_owned()
                } else {
                    format!("{}, {handlers} handlers", side.name())
                };
                rows.push(vec![
                    name,
                    phase.to_owned(),
                    format!("{:.2}", per.sent),
                    format!("{:.2}", per.scripts),
                    format!("{:.2}", per.in_scripts),
                    list(&per.top, 6),
                    list(&per.inner, 6),
                    micros(|t| t.server_cpu),
                    micros(|t| t.in_commands),
                    micros(|t| t.script_overhead),
                    micros(|t| t.client_cpu),
                ]);
            }
        }
        out.push_str(&table::markdown(&titles, 2, &rows));

        // Where the server's time goes.
        out.push_str(&format!(
            "\nWhere the server's time goes: time per job in each command (`INFO \
             commandstats`, microseconds; a script's time includes that of the commands it \
             ran), over the timed runs of {} jobs.\n\n",
            table::count(self.sizes[0] as f64),
        ));
        let titles: Vec<String> = ["side", "phase", "time by command, per job (us)"]
            .map(str::to_owned)
            .to_vec();
        let mut rows = Vec::new();
        for (&(side, handlers), pass) in &self.splits {
            let Some(timed) = self.results.get(&Case {
                jobs: self.sizes[0],
                side,
                handlers,
            }) else {
                continue;
            };
            for (phase, usage) in [("enqueue", &pass.enqueue), ("process", &pass.process)] {
                let Some(split) = &usage.split else { continue };
                let usages: Vec<&Usage> = timed
                    .iter()
                    .map(|m| {
                        if phase == "enqueue" {
                            &m.enqueue
                        } else {
                            &m.process
                        }
                    })
                    .collect();
                let name = if handlers == 1 {
                    side.name().to_owned()
                } else {
                    format!("{}, {handlers} handlers", side.name())
                };
                rows.push(vec![
                    name,
                    phase.to_owned(),
                    by_command(&usages, split, self.sizes[0], 7),
                ]);
            }
        }
        out.push_str(&table::markdown(&titles, 3, &rows));
        if self.runs > 1 {
            out.push_str("\nSpread: (max - min) / median over the runs (`-`: one run).\n");
        }
        out
    }
}

/// `ours / theirs` run by run, against `target`: `6.91x, not met (5.20x, 6.91x, 7.30x)`.
fn verdict(ours: &[f64], theirs: &[f64], target: f64) -> String {
    let ratios: Vec<f64> = ours.iter().zip(theirs).map(|(o, t)| o / t).collect();
    let ratio = median(&ratios);
    let met = if ratio >= target { "met" } else { "not met" };
    if ratios.len() > 1 {
        let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}x")).collect();
        format!("{ratio:.2}x, {met} ({})", each.join(", "))
    } else {
        format!("{ratio:.2}x, {met}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_interleave() {
        let first = groups([20, 200], 0);
        let second = groups([20, 200], 1);
        // The larger size in the first run only; the keyed, delayed and add rows with the
        // smaller.
        assert_eq!(first.len(), 5);
        assert_eq!(second.len(), 3);
        assert!(second.iter().flatten().all(|c| c.jobs == 20));
        // The first side rotates.
        assert_eq!(first[0][0].side, Side::Aplay(Kind::Job));
        assert_eq!(second[0][0].side, Side::Aplay(Kind::JobBulk));
        assert_eq!(groups([20, 200], 2)[0][0].side, Side::Aplay(Kind::Tell));
        assert_eq!(groups([20, 200], 3)[0][0].side, Side::Bullmq(Enqueue::Bulk));
        // Many handlers: aplay's servings, BullMQ's concurrency.
        assert!(first[1].iter().all(|c| c.handlers
            == if c.side.is_bullmq() {
                BULLMQ_MANY
            } else {
                APLAY_MANY
            }));
    }

    #[test]
    fn best_of_medians() {
        let case = |side, handlers| Case {
            jobs: 10,
            side,
            handlers,
        };
        let measured = |rate: f64| Measured {
            enqueue_rate: rate,
            process_rate: rate * 2.0,
            ..Measured::default()
        };
        let mut results = BTreeMap::new();
        results.insert(
            case(Side::Bullmq(Enqueue::Bulk), 1),
            vec![measured(1.0), measured(3.0), measured(2.0)],
        );
        results.insert(case(Side::Bullmq(Enqueue::Bulk), 50), vec![measured(5.0)]);
        results.insert(case(Side::Aplay(Kind::Job), 1), vec![measured(100.0)]);
        let report = Report {
            sizes: [10, 100],
            runs: 3,
            cost_jobs: 10,
            results,
            baseline: BTreeMap::new(),
            splits: BTreeMap::new(),
        };
        assert_eq!(report.best(10, Side::is_bullmq, false), 5.0);
        assert_eq!(report.best(10, Side::is_bullmq, true), 10.0);
        assert_eq!(report.best(10, Side::is_aplay_job, true), 200.0);
        assert!(report.best(100, Side::is_bullmq, true).is_nan());
        // Run by run: the best of BullMQ's two rows where both ran.
        assert_eq!(
            report.best_per_run(10, Side::is_bullmq, false),
            [5.0, 3.0, 2.0]
        );
        assert_eq!(
            verdict(&[20.0, 60.0], &[5.0, 3.0], 10.0),
            "12.00x, met (4.00x, 20.00x)"
        );
        assert_eq!(verdict(&[20.0], &[5.0], 10.0), "4.00x, not met");
        assert!(report.render("header").contains("| 10   | aplay job"));
    }
}
