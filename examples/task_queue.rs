//! A task queue on Redis: worker processes serve `/jobs` from its durable mailbox, a producer
//! sends them jobs and prints progress as the replies come back. All are this same binary.
//!
//! ```text
//! # a Redis server on APLAY_REDIS_URL (default redis://127.0.0.1:6379), then, in terminals:
//! cargo run --features redis --example task_queue -- worker --consumer w1
//! cargo run --features redis --example task_queue -- worker --consumer w2 --fail-every 100
//! cargo run --features redis --example task_queue -- producer --jobs 1000
//! cargo run --features redis --example task_queue -- dead --replay
//!
//! # or all of it at once: three worker processes, 1000 jobs, a summary at the end
//! cargo run --features redis --example task_queue -- demo --workers 3 --jobs 1000
//!
//! # jobs with ids: status and results, a delayed job, priorities, a periodic job, in one process
//! cargo run --features redis --example task_queue -- jobs
//! ```
//!
//! Each process logs on stderr what the station does (`RUST_LOG`, `info` by default): one
//! line per retry, claim, dead letter and Redis fault. Stop a worker with ctrl-c: it finishes
//! the jobs it holds first. Kill one with `kill -9` in the middle of a run and start it again
//! with the same `--consumer`: it takes back the jobs it held at once (the others would take
//! them over after `claim_idle`), and the producer still gets every reply.
//! `--fail-every N` makes a worker fail every job whose number is a multiple of N: those are
//! delivered again, then go to the dead letters, which `dead` lists and `dead --replay` puts
//! back.

use std::collections::{BTreeMap, BTreeSet};
use std::future::IntoFuture;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aplay::prelude::*;
use aplay::redis::{JobPriority, JobState, RedisStation, Schedule, StationConfig};
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};

/// A job: some text whose words are to be counted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    /// Its number, from 0.
    pub id: u64,
    /// The text to count the words of.
    pub text: String,
}

/// What a worker sends back for a job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Done {
    /// The job's number.
    pub id: u64,
    /// The worker that did it.
    pub worker: String,
    /// The words in its text.
    pub words: usize,
    /// How many jobs its worker instance had done before it: the order it ran them in.
    pub order: u64,
}

/// The actor each worker process serves at `/jobs`.
#[actor]
#[derive(Debug)]
pub struct Worker {
    /// Its name, in the replies and reports.
    name: String,
    /// Print a `did {id} {name}` line per job (for the demo, which checks them).
    report: bool,
    /// Fail the jobs whose number is a multiple of this (but 0).
    fail_every: Option<u64>,
    /// The jobs it did.
    done: u64,
}

#[actor(serde)]
impl Worker {
    /// Does one job (and takes a moment, as real work would).
    async fn process(&mut self, job: Job) -> Result<Done, String> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if self
            .fail_every
            .is_some_and(|n| job.id != 0 && job.id.is_multiple_of(n))
        {
            return Err(format!("job {} fails on purpose (--fail-every)", job.id));
        }
        if self.report {
            println!("did {} {}", job.id, self.name);
        }
        self.done += 1;
        Ok(Done {
            id: job.id,
            worker: self.name.clone(),
            words: job.text.split_whitespace().count(),
            order: self.done - 1,
        })
    }
}

/// Where the queue lives.
#[derive(Clone, Debug)]
pub struct Queue {
    /// The Redis URL.
    pub url: String,
    /// The namespace of its keys.
    pub namespace: String,
}

impl Queue {
    fn from_args(args: &Args) -> Self {
        Queue {
            url: std::env::var("APLAY_REDIS_URL")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned()),
            namespace: args.value("--namespace").unwrap_or("task_queue").to_owned(),
        }
    }

    async fn station(&self, consumer: Option<&str>) -> Result<RedisStation, Error> {
        let mut config = StationConfig::default()
            .namespace(&self.namespace)
            .block(Duration::from_millis(500))
            .claim_idle(Duration::from_secs(5));
        if let Some(consumer) = consumer {
            config = config.consumer(consumer);
        }
        RedisStation::connect_with(&self.url, config).await
    }
}

/// How a worker runs.
#[derive(Clone, Debug, Default)]
pub struct WorkerArgs {
    /// Its consumer name (`--consumer`); chosen by the station when `None` (the same for
    /// this program on this host across restarts).
    pub consumer: Option<String>,
    /// Fail the jobs whose number is a multiple of this (`--fail-every`).
    pub fail_every: Option<u64>,
    /// Print a `did {id} {name}` line per job (`--report`).
    pub report: bool,
    /// Stop when stdin closes instead of at ctrl-c (`--until-stdin-closes`).
    pub until_stdin_closes: bool,
}

/// Serves `/jobs` until ctrl-c (or until stdin closes), then finishes the jobs in hand.
/// Returns how many it did.
pub async fn worker(queue: &Queue, args: &WorkerArgs) -> Result<u64, Error> {
    let station = queue.station(args.consumer.as_deref()).await?;
    let system = System::new();
    let name = station.consumer().to_owned();
    let (worker_name, report, fail_every) = (name.clone(), args.report, args.fail_every);
    let serving = station
        .serve(&system, "/jobs", move || Worker {
            name: worker_name.clone(),
            report,
            fail_every,
            done: 0,
        })
        .await?;
    println!("ready {name}");
    if args.until_stdin_closes {
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    } else {
        let _ = tokio::signal::ctrl_c().await;
    }
    serving.stop().await;
    system.shutdown().await;
    println!(
        "stopped {name} after {} jobs ({} dead-lettered)",
        serving.handled(),
        serving.dead_lettered()
    );
    Ok(serving.handled())
}

/// Lists the dead letters of `/jobs`; with `replay`, puts them back in the mailbox.
pub async fn dead_letters(queue: &Queue, replay: bool) -> Result<usize, Error> {
    let station = queue.station(None).await?;
    let letters = station.dead_letters("/jobs", 1000).await?;
    for letter in &letters {
        println!(
            "dead {} (entry {}, {} deliveries, by {}): {}",
            letter.id(),
            letter.entry_id(),
            letter.deliveries(),
            letter.consumer(),
            letter.error()
        );
        if replay {
            station.replay_dead_letter("/jobs", letter.id()).await?;
        }
    }
    let backlog = station.backlog("/jobs").await?;
    println!(
        "{} dead letters{}; {} jobs waiting, {} in hand",
        letters.len(),
        if replay { ", replayed" } else { "" },
        backlog.unread,
        backlog.pending
    );
    Ok(letters.len())
}

/// Sends `jobs` jobs (at most 256 waiting for their reply at a time), printing progress as
/// replies come back. Returns how many jobs each worker did.
pub async fn produce(queue: &Queue, jobs: u64) -> Result<BTreeMap<String, u64>, Error> {
    let station = queue.station(None).await?;
    let workers = station.remote::<Worker>("/jobs")?;
    let started = Instant::now();
    let step = (jobs / 10).max(1);
    let mut by_worker = BTreeMap::new();
    let mut done = 0;
    let mut waiting = FuturesUnordered::new();
    let mut next = 0;
    while done < jobs {
        while next < jobs && waiting.len() < 256 {
            let job = Job {
                id: next,
                text: format!("job number {next} of {jobs}"),
            };
            waiting.push(workers.process(job).into_future());
            next += 1;
        }
        let Some(reply) = waiting.next().await else {
            break;
        };
        match reply? {
            Ok(reply) => *by_worker.entry(reply.worker).or_insert(0) += 1,
            // Failed on every delivery: it is in the dead letters now.
            Err(error) => {
                eprintln!("{error}: in the dead letters");
                *by_worker.entry("failed".to_owned()).or_insert(0) += 1;
            }
        }
        done += 1;
        if done % step == 0 || done == jobs {
            println!("progress {done}/{jobs} ({:.1?})", started.elapsed());
        }
    }
    Ok(by_worker)
}

/// What the tour of jobs saw ([`jobs_tour`]).
#[derive(Debug)]
pub struct Tour {
    /// The states the first job's record went through, in order.
    pub states: Vec<JobState>,
    /// What its handler returned, read back by id.
    pub result: Option<Result<Done, String>>,
    /// How long after it was sent the delayed job (due in 300 ms) started.
    pub delayed_started_after: Duration,
    /// The jobs sent with priorities while no worker ran (`H1`.. high, `L1`.. low), in the
    /// order they started once one did.
    pub started: Vec<String>,
    /// How many times the periodic job fired while the tour watched it.
    pub ticks: usize,
    /// The results of the jobs sent together with `enqueue_all` (in packs), by id, in the
    /// order they were sent.
    pub bulk: Vec<Option<Result<Done, String>>>,
}

/// Jobs with ids, in one process: a worker serves `/jobs`, and a producer sends it jobs
/// with ids and follows them: a job's status from queued to done and its result, a delayed
/// job, high and low jobs, a periodic job, many jobs sent at once.
pub async fn jobs_tour(queue: &Queue) -> Result<Tour, Error> {
    let station = queue.station(Some("tour")).await?;
    let system = System::new();
    let serve = || {
        station.serve(&system, "/jobs", || Worker {
            name: "tour".to_owned(),
            report: false,
            fail_every: None,
            done: 0,
        })
    };
    let jobs = station.remote::<Worker>("/jobs")?;
    let job = |id: u64| Job {
        id,
        text: format!("job number {id}"),
    };

    // A job with an id: queued until a worker serves the path, then running, then done; its
    // result is kept.
    let first = jobs.enqueue(jobs.process(job(1))).await?;
    println!("sent job {first}");
    let mut states: Vec<JobState> = Vec::new();
    let mut serving = None;
    loop {
        let state = jobs.status(&first).await?.map(|s| s.state);
        if let Some(state) = state.filter(|s| states.last() != Some(s)) {
            println!("  {first}: {state}");
            states.push(state);
        }
        if state == Some(JobState::Done) {
            break;
        }
        if serving.is_none() {
            serving = Some(serve().await?);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let serving = serving.expect("served until the first job was done");
    let result = jobs.result(&first).await?;
    println!("  its result: {result:?}");

    // A delayed job: kept in Redis until due, then moved to the queue by a worker.
    let sent = Instant::now();
    let later = jobs
        .enqueue(jobs.process(job(2)))
        .after(Duration::from_millis(300))
        .await?;
    let due = jobs.status(&later).await?.and_then(|s| s.due);
    println!("sent job {later}, due at {due:?}");
    let started = loop {
        let status = jobs.status(&later).await?;
        if let Some(started) = status.as_ref().and_then(|s| s.started) {
            break started;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let delayed_started_after = sent.elapsed();
    println!("  it started at {started:?}, {delayed_started_after:.0?} after it was sent");

    // Priorities: sent while no worker runs, low first; high ones start first.
    serving.stop().await;
    let mut sent_with = Vec::new();
    for (label, lane) in [("L", JobPriority::Low), ("H", JobPriority::High)] {
        for n in 1..=3u64 {
            let id = jobs
                .enqueue(jobs.process(job(10 + n)))
                .priority(lane)
                .await?;
            sent_with.push((format!("{label}{n}"), id));
        }
    }
    let serving = serve().await?;
    let mut starts = Vec::new();
    for (label, id) in &sent_with {
        loop {
            if jobs.status(id).await?.map(|s| s.state) == Some(JobState::Done) {
                // The order its worker ran it in (one worker, one job at a time).
                let order = jobs.result(id).await?.and_then(Result::ok).map(|d| d.order);
                starts.push((order, label.clone()));
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    starts.sort();
    let started: Vec<String> = starts.into_iter().map(|(_, label)| label).collect();
    println!(
        "sent L1 L2 L3 H1 H2 H3 while no worker ran; they started: {}",
        started.join(" ")
    );

    // A periodic job: every 200 ms, fired once per time by whichever worker gets there.
    jobs.schedule(
        "tick",
        Schedule::every(Duration::from_millis(200)),
        jobs.process(job(99)),
    )
    .await?;
    for periodic in station.periodic_jobs("/jobs").await? {
        println!(
            "periodic {}: {}, next at {:?}",
            periodic.name, periodic.schedule, periodic.next
        );
    }
    let before = serving.handled();
    tokio::time::sleep(Duration::from_millis(700)).await;
    jobs.unschedule("tick").await?;
    let ticks = usize::try_from(serving.handled() - before).unwrap_or(0);
    println!("  it fired {ticks} times in 700 ms");

    // Many at once: one call, all stored or none, in packs of up to a read batch per entry;
    // each job keeps its id, status and result.
    let sent = Instant::now();
    let ids = jobs
        .enqueue_all((100..300).map(|n| jobs.process(job(n))))
        .await?;
    println!(
        "sent {} jobs in one call in {:.1?} (first {}, last {})",
        ids.len(),
        sent.elapsed(),
        ids[0],
        ids[ids.len() - 1]
    );
    let last = &ids[ids.len() - 1];
    while jobs.status(last).await?.map(|s| s.state) != Some(JobState::Done) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut bulk = Vec::with_capacity(ids.len());
    for id in &ids {
        bulk.push(jobs.result(id).await?);
    }
    println!("  all handled {:.1?} after they were sent", sent.elapsed());

    serving.stop().await;
    system.shutdown().await;
    Ok(Tour {
        states,
        result,
        delayed_started_after,
        started,
        ticks,
        bulk,
    })
}

/// What the demo saw.
#[derive(Debug)]
pub struct Summary {
    /// Jobs done (replies received), by worker.
    pub by_worker: BTreeMap<String, u64>,
    /// How many times each job was handled, from the workers' own reports.
    pub handled: BTreeMap<u64, u32>,
}

impl Summary {
    /// Whether every one of `jobs` jobs was handled exactly once.
    pub fn exactly_once(&self, jobs: u64) -> bool {
        self.handled.len() as u64 == jobs && self.handled.values().all(|&n| n == 1)
    }
}

/// Starts `workers` worker processes (each made by `worker_command(name)`), sends them
/// `jobs` jobs, stops them, and checks from their reports that every job was done once.
pub async fn demo(
    queue: &Queue,
    workers: usize,
    jobs: u64,
    worker_command: impl Fn(&str) -> Command,
) -> Result<Summary, Error> {
    let (tx, lines) = mpsc::channel::<String>();
    let mut children = Vec::new();
    for i in 1..=workers {
        let name = format!("worker-{i}");
        let mut child = worker_command(&name)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("a worker process starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        children.push(child);
    }
    drop(tx);
    let mut ready = BTreeSet::new();
    while ready.len() < workers {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("every worker gets ready");
        if let Some(rest) = line.strip_prefix("ready ") {
            println!("{line}");
            ready.insert(rest.to_owned());
        }
    }

    let by_worker = produce(queue, jobs).await?;

    for child in &mut children {
        drop(child.stdin.take()); // the worker's signal to stop
    }
    let mut handled = BTreeMap::new();
    for line in lines.iter() {
        if let Some(id) = line
            .strip_prefix("did ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|id| id.parse().ok())
        {
            *handled.entry(id).or_insert(0) += 1;
        } else if line.starts_with("stopped ") {
            println!("{line}");
        }
    }
    for child in &mut children {
        let _ = child.wait();
    }
    let summary = Summary { by_worker, handled };
    let shares: Vec<String> = summary
        .by_worker
        .iter()
        .map(|(w, n)| format!("{w} {n}"))
        .collect();
    println!("all {jobs} jobs done: {}", shares.join(", "));
    if summary.exactly_once(jobs) {
        println!("each job was handled exactly once");
    } else {
        let missing = (0..jobs)
            .filter(|id| !summary.handled.contains_key(id))
            .count();
        let twice = summary.handled.values().filter(|&&n| n > 1).count();
        println!("{missing} jobs not handled, {twice} handled more than once");
    }
    Ok(summary)
}

/// The command line: a mode, then `--flag value` pairs.
#[derive(Debug)]
pub struct Args(Vec<String>);

impl Args {
    fn value(&self, flag: &str) -> Option<&str> {
        let at = self.0.iter().position(|a| a == flag)?;
        self.0.get(at + 1).map(String::as_str)
    }

    fn number(&self, flag: &str, default: u64) -> u64 {
        self.value(flag)
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{flag} takes a number"))
            })
            .unwrap_or(default)
    }

    fn has(&self, flag: &str) -> bool {
        self.0.iter().any(|a| a == flag)
    }
}

/// Logs what the station does on stderr (stdout carries the demo's signals): `RUST_LOG`, or
/// `info`.
fn install_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    install_logging();
    let args = Args(std::env::args().skip(1).collect());
    let queue = Queue::from_args(&args);
    match args.0.first().map(String::as_str) {
        Some("worker") => {
            let worker_args = WorkerArgs {
                consumer: args.value("--consumer").map(str::to_owned),
                fail_every: args
                    .value("--fail-every")
                    .map(|_| args.number("--fail-every", 0)),
                report: args.has("--report"),
                until_stdin_closes: args.has("--until-stdin-closes"),
            };
            worker(&queue, &worker_args).await?;
        }
        Some("jobs") => {
            let queue = Queue {
                namespace: format!("{}-jobs-{}", queue.namespace, std::process::id()),
                ..queue
            };
            jobs_tour(&queue).await?;
            queue.station(None).await?.purge_namespace().await?;
        }
        Some("dead") => {
            dead_letters(&queue, args.has("--replay")).await?;
        }
        Some("producer") => {
            let by_worker = produce(&queue, args.number("--jobs", 1000)).await?;
            println!("done: {by_worker:?}");
        }
        Some("demo") => {
            // A namespace of its own, so that nothing from an earlier run is left in it.
            let queue = Queue {
                namespace: format!("{}-demo-{}", queue.namespace, std::process::id()),
                ..queue
            };
            let exe = std::env::current_exe().expect("this program's path");
            let workers = args.number("--workers", 3) as usize;
            let jobs = args.number("--jobs", 1000);
            let summary = demo(&queue, workers, jobs, |name| {
                let mut cmd = Command::new(&exe);
                cmd.args([
                    "worker",
                    "--report",
                    "--until-stdin-closes",
                    "--consumer",
                    name,
                ])
                .args(["--namespace", &queue.namespace]);
                cmd
            })
            .await?;
            queue.station(None).await?.purge_namespace().await?;
            if !summary.exactly_once(jobs) {
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!(
                "usage: task_queue worker [--consumer NAME] [--fail-every N] | producer [--jobs N] | dead [--replay] | demo [--workers N] [--jobs N] | jobs\n\
                 (all take --namespace NS; the Redis URL is APLAY_REDIS_URL, default redis://127.0.0.1:6379)"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
