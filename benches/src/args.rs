//! Command-line options.

pub(crate) const USAGE: &str = "\
usage: cargo aplay-bench [-- OPTIONS]

options:
  --runs N        runs of each scenario; medians are reported (default 5, 1 with --quick)
  --quick         smoke mode: a tenth of the work, 1 run unless --runs is given
  --only LIST     scenarios to run, comma-separated: tell,fanin,ask,spawn,stops,shutdown,ring
                  (default all; `stops`: 100,000 actors stopped one by one in three orders;
                  `shutdown`: 1,000,000 stopped at once, aplay and raw unless --big);
                  `scaling` (never by default) spawns and stops 10,000, 100,000 and
                  1,000,000 actors (the peers at 1,000,000 only with --big) and runs fan-in
                  with 1, 8 and 64 senders (3 runs unless --runs is given); `redis` (never
                  by default: it starts a redis-server) runs the Redis scenarios on aplay
                  alone, beside redis-benchmark; `pool` (never by default) sends 1,000,000
                  tells to one actor and through a pool of 4; `pubsub` (never by default) publishes
                  1,000,000 deliveries to 1, 100 and 10,000 subscribers; `priority`
                  (never by default) sends 1,000,000 tells with and without a high lane;
                  `queue` (never by default: it starts a redis-server and runs node)
                  enqueues and processes 20,000 and 200,000 no-op jobs on aplay and on
                  BullMQ, beside redis-benchmark (3 runs unless --runs is given)
  --side LIST     implementations to run, comma-separated: aplay,aplay-hook,raw,kameo,
                  ractor,actix,xtra (aplay-hook: spawn and stops only, an on_start hook);
                  `all` (the default), `both` (aplay,aplay-hook,raw) or `peers`
                  (kameo,ractor,actix,xtra);
                  one side is for profiling
  --big           the peers too at 1,000,000 actors (shutdown, scaling): kameo and ractor
                  take about 8 GB there, so by default only aplay and raw do
  --workers N     worker threads of the runtime (default 2); other values are for experiments
  --metered       aplay's systems measure handler time and mailbox high-water marks
                  (`System::builder().metered(true)`), to see what that costs
  -h, --help      this text";

use crate::side::Side;

/// The most runs that measure the shutdown of 1,000,000 actors.
const SHUTDOWN_RUNS: usize = 3;

/// A scenario of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scenario {
    Tell,
    FanIn,
    Ask,
    Spawn,
    Stops,
    Shutdown,
    Ring,
}

impl Scenario {
    /// Every scenario, in the order they run.
    pub(crate) const ALL: [Scenario; 7] = [
        Scenario::Tell,
        Scenario::FanIn,
        Scenario::Ask,
        Scenario::Spawn,
        Scenario::Stops,
        Scenario::Shutdown,
        Scenario::Ring,
    ];

    /// How many of `runs` measure it: the shutdown of 1,000,000 actors, the longest by far
    /// (about 8 s a run for aplay and raw), at most [`SHUTDOWN_RUNS`].
    pub(crate) fn runs(self, runs: usize) -> usize {
        match self {
            Scenario::Shutdown => runs.min(SHUTDOWN_RUNS),
            _ => runs,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Tell => "tell",
            Scenario::FanIn => "fanin",
            Scenario::Ask => "ask",
            Scenario::Spawn => "spawn",
            Scenario::Stops => "stops",
            Scenario::Shutdown => "shutdown",
            Scenario::Ring => "ring",
        }
    }
}

/// The scenarios selected with `--only`.
#[derive(Clone, Debug)]
pub(crate) struct Only(Vec<Scenario>);

impl Only {
    pub(crate) fn includes(&self, scenario: Scenario) -> bool {
        self.0.contains(&scenario)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The sides selected with `--side`, in the order of [`Side::ALL`].
#[derive(Clone, Debug)]
pub(crate) struct Sides(Vec<Side>);

impl Sides {
    /// The selected sides, in the order of the table's columns.
    pub(crate) fn list(&self) -> &[Side] {
        &self.0
    }

    fn parse(value: &str) -> Result<Sides, String> {
        let mut sides = Vec::new();
        for name in value.split(',') {
            match name.trim() {
                "all" => sides.extend(Side::ALL),
                "both" => sides.extend([Side::Aplay, Side::AplayHook, Side::Raw]),
                "peers" => sides.extend([Side::Kameo, Side::Ractor, Side::Actix, Side::Xtra]),
                other => sides.push(Side::from_name(other).ok_or_else(|| {
                    format!(
                        "--side: unknown side `{other}` (aplay, aplay-hook, raw, kameo, \
                         ractor, actix, xtra, all, both or peers)"
                    )
                })?),
            }
        }
        sides.sort();
        sides.dedup();
        Ok(Sides(sides))
    }
}

/// The parsed command line.
#[derive(Clone, Debug)]
pub(crate) struct Args {
    pub(crate) runs: usize,
    pub(crate) quick: bool,
    pub(crate) only: Only,
    pub(crate) side: Sides,
    pub(crate) workers: usize,
    pub(crate) metered: bool,
    pub(crate) help: bool,
    /// `--only` named `redis`.
    pub(crate) redis: bool,
    /// `--only` named `scaling`.
    pub(crate) scaling: bool,
    /// `--big`: the peers at 1,000,000 actors too.
    pub(crate) big: bool,
    /// `--only` named `pool`.
    pub(crate) pool: bool,
    /// `--only` named `pubsub`.
    pub(crate) pubsub: bool,
    /// `--only` named `priority`.
    pub(crate) priority: bool,
    /// `--only` named `queue`.
    pub(crate) queue: bool,
    /// `--runs` was given (the queue scenario has a default of its own).
    pub(crate) runs_given: bool,
}

/// Whether `side` measures `scenario` at all: aplay with a hook differs from aplay only where
/// actors are spawned and stopped.
pub(crate) fn runs(side: Side, scenario: Scenario) -> bool {
    side != Side::AplayHook
        || matches!(
            scenario,
            Scenario::Spawn | Scenario::Stops | Scenario::Shutdown
        )
}

impl Args {
    /// Whether `scenario` is measured on `side`: the peers join the shutdown of 1,000,000
    /// actors only with `--big`.
    pub(crate) fn measures(&self, scenario: Scenario, side: Side) -> bool {
        runs(side, scenario) && (scenario != Scenario::Shutdown || !side.is_peer() || self.big)
    }

    pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut runs = None;
        let mut workers = crate::WORKER_THREADS;
        let mut quick = false;
        let mut metered = false;
        let mut help = false;
        let mut only = Only(Scenario::ALL.to_vec());
        let mut redis = false;
        let mut scaling = false;
        let mut big = false;
        let mut pool = false;
        let mut pubsub = false;
        let mut priority = false;
        let mut queue = false;
        let mut side = Sides(Side::ALL.to_vec());
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--runs" => {
                    let value = args.next().ok_or("--runs needs a number")?;
                    let n: usize = value
                        .parse()
                        .map_err(|_| format!("--runs: `{value}` is not a number"))?;
                    if n == 0 {
                        return Err("--runs must be at least 1".to_owned());
                    }
                    runs = Some(n);
                }
                "--workers" => {
                    let value = args.next().ok_or("--workers needs a number")?;
                    workers =
                        value.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                            format!("--workers: `{value}` is not a positive number")
                        })?;
                }
                "--quick" => quick = true,
                "--metered" => metered = true,
                "--big" => big = true,
                "--only" => {
                    let value = args.next().ok_or("--only needs a list")?;
                    let mut list = Vec::new();
                    for name in value.split(',') {
                        if name.trim() == "redis" {
                            redis = true;
                            continue;
                        }
                        if name.trim() == "scaling" {
                            scaling = true;
                            continue;
                        }
                        if name.trim() == "pool" {
                            pool = true;
                            continue;
                        }
                        if name.trim() == "pubsub" {
                            pubsub = true;
                            continue;
                        }
                        if name.trim() == "priority" {
                            priority = true;
                            continue;
                        }
                        if name.trim() == "queue" {
                            queue = true;
                            continue;
                        }
                        list.push(match name.trim() {
                            "tell" => Scenario::Tell,
                            "fanin" | "fan-in" => Scenario::FanIn,
                            "ask" => Scenario::Ask,
                            "spawn" => Scenario::Spawn,
                            "stops" | "stop" => Scenario::Stops,
                            "shutdown" => Scenario::Shutdown,
                            "ring" => Scenario::Ring,
                            other => return Err(format!("--only: unknown scenario `{other}`")),
                        });
                    }
                    only = Only(list);
                }
                "--side" => {
                    let value = args.next().ok_or("--side needs a list of sides")?;
                    side = Sides::parse(&value)?;
                }
                // `cargo bench`-style runners pass `--bench`: accepted and ignored.
                "--bench" => {}
                "-h" | "--help" => help = true,
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(Args {
            runs: runs.unwrap_or(if quick { 1 } else { 5 }),
            quick,
            only,
            side,
            workers,
            metered,
            help,
            redis,
            scaling,
            big,
            pool,
            pubsub,
            priority,
            queue,
            runs_given: runs.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn sides() {
        assert_eq!(parse(&[]).unwrap().side.list(), Side::ALL);
        let some = parse(&["--side", "xtra,raw,xtra"]).unwrap();
        assert_eq!(some.side.list(), [Side::Raw, Side::Xtra]);
        let both = parse(&["--side", "both"]).unwrap();
        assert_eq!(both.side.list(), [Side::Aplay, Side::AplayHook, Side::Raw]);
        let peers = parse(&["--side", "peers"]).unwrap();
        assert_eq!(
            peers.side.list(),
            [Side::Kameo, Side::Ractor, Side::Actix, Side::Xtra]
        );
        assert!(parse(&["--side", "akka"]).is_err());
    }

    #[test]
    fn scenarios() {
        let only = parse(&["--only", "fanin,ask"]).unwrap().only;
        assert!(only.includes(Scenario::FanIn) && only.includes(Scenario::Ask));
        assert!(!only.includes(Scenario::Tell));
        assert!(
            parse(&["--only", "fan-in"])
                .unwrap()
                .only
                .includes(Scenario::FanIn)
        );
        assert!(parse(&["--only", "bogus"]).is_err());
        let redis = parse(&["--only", "redis"]).unwrap();
        assert!(redis.redis && redis.only.is_empty());
        let pool = parse(&["--only", "pool"]).unwrap();
        assert!(pool.pool && !pool.scaling && pool.only.is_empty());
        let stops = parse(&["--only", "stops,redis"]).unwrap();
        assert!(stops.only.includes(Scenario::Stops) && stops.redis);
        assert!(!stops.only.includes(Scenario::Shutdown));
        let scaling = parse(&["--only", "scaling"]).unwrap();
        assert!(scaling.scaling && scaling.only.is_empty() && !scaling.big);
        assert!(parse(&["--big"]).unwrap().big);
        let default = parse(&[]).unwrap();
        assert!(default.measures(Scenario::Shutdown, Side::Raw));
        assert!(!default.measures(Scenario::Shutdown, Side::Kameo));
        assert!(default.measures(Scenario::Stops, Side::Kameo));
        assert!(
            parse(&["--big"])
                .unwrap()
                .measures(Scenario::Shutdown, Side::Kameo)
        );
        assert!(!parse(&[]).unwrap().redis);
        let queue = parse(&["--only", "queue"]).unwrap();
        assert!(queue.queue && !queue.redis && queue.only.is_empty() && !queue.runs_given);
        assert!(
            parse(&["--only", "queue", "--runs", "1"])
                .unwrap()
                .runs_given
        );
        assert!(!parse(&[]).unwrap().queue);
        assert!(parse(&["--metered"]).unwrap().metered);
        assert!(!parse(&[]).unwrap().metered);
    }
}
