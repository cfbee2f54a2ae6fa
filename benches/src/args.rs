//! Command-line options.

pub(crate) const USAGE: &str = "\
usage: cargo run --release -p aplay-bench [-- OPTIONS]

options:
  --runs N        runs of each scenario; medians are reported (default 5, 1 with --quick)
  --quick         smoke mode: a tenth of the work, 1 run unless --runs is given
  --only LIST     scenarios to run, comma-separated: tell,ask,spawn (default all)
  --side SIDE     aplay, raw or both (default both); one side is for profiling
  --workers N     worker threads of the runtime (default 2); other values are for experiments
  -h, --help      this text";

/// A scenario of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scenario {
    Tell,
    Ask,
    Spawn,
}

/// Which implementation a measurement runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Aplay,
    Raw,
}

impl Scenario {
    /// Every scenario, in the order they run.
    pub(crate) const ALL: [Scenario; 3] = [Scenario::Tell, Scenario::Ask, Scenario::Spawn];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Tell => "tell",
            Scenario::Ask => "ask",
            Scenario::Spawn => "spawn",
        }
    }
}

impl Side {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Side::Aplay => "aplay",
            Side::Raw => "raw",
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
}

/// The sides selected with `--side`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sides {
    aplay: bool,
    raw: bool,
}

impl Sides {
    pub(crate) fn includes(self, side: Side) -> bool {
        match side {
            Side::Aplay => self.aplay,
            Side::Raw => self.raw,
        }
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
    pub(crate) help: bool,
}

impl Args {
    pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut runs = None;
        let mut workers = crate::WORKER_THREADS;
        let mut quick = false;
        let mut help = false;
        let mut only = Only(Scenario::ALL.to_vec());
        let mut side = Sides {
            aplay: true,
            raw: true,
        };
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
                "--only" => {
                    let value = args.next().ok_or("--only needs a list")?;
                    let mut list = Vec::new();
                    for name in value.split(',') {
                        list.push(match name.trim() {
                            "tell" => Scenario::Tell,
                            "ask" => Scenario::Ask,
                            "spawn" => Scenario::Spawn,
                            other => return Err(format!("--only: unknown scenario `{other}`")),
                        });
                    }
                    only = Only(list);
                }
                "--side" => {
                    let value = args.next().ok_or("--side needs aplay, raw or both")?;
                    side = match value.as_str() {
                        "aplay" => Sides {
                            aplay: true,
                            raw: false,
                        },
                        "raw" => Sides {
                            aplay: false,
                            raw: true,
                        },
                        "both" => Sides {
                            aplay: true,
                            raw: true,
                        },
                        other => return Err(format!("--side: unknown side `{other}`")),
                    };
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
            help,
        })
    }
}
