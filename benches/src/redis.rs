//! The Redis scenarios (`--only redis`): durable tells end to end and remote ask round trips
//! through a private `redis-server`, beside `redis-benchmark` appending to a stream of the same
//! server in the same run.
//!
//! - **append**: N tells through a remote ref with no worker yet, until Redis has them all
//!   ([`RemoteRef::flushed`](aplay::redis::RemoteRef::flushed)): the forwarder's pipelined `XADD`s;
//! - **drain**: a worker served from that backlog, until all N are handled and acknowledged
//!   (read, decode, handle, `XACK` + `XDEL`, batched);
//! - **end to end**: N tells while the worker runs, from the first send until the last is
//!   acknowledged;
//! - **ask**: sequential remote asks, from the call to the reply (append, read, handle, reply
//!   stream, read back);
//! - **topic**: N messages published on a fire-and-forget topic (Pub/Sub) and on a durable
//!   one (a stream, one subscription), from the first publish until the subscriber actor of the
//!   other station has handled them all;
//! - **redis-benchmark**: `XADD` of a payload of the same size, pipelined 16 deep, from 1 and
//!   from 50 connections.
//!
//! Both stations (the producer's and the worker's) live in this process, each with its own
//! connections, on one Unix socket; the server runs without persistence (`--save ""
//! --appendonly no`): these figures are the framework's cost, not the disk's.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aplay::prelude::*;
use aplay::redis::{RedisStation, StationConfig};

use crate::stats;
use crate::table;

#[actor]
struct Sink {
    count: u64,
}

#[actor(serde)]
impl Sink {
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    fn echo(&self, n: u64) -> u64 {
        n
    }

    fn count(&self) -> u64 {
        self.count
    }
}

/// The work of one run.
struct Work {
    tells: u64,
    asks: u64,
    benchmark_requests: u64,
}

/// Runs the Redis scenarios `runs` times and prints their table (medians).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, quick: bool, runs: usize) {
    let work = if quick {
        Work {
            tells: 10_000,
            asks: 1_000,
            benchmark_requests: 20_000,
        }
    } else {
        Work {
            tells: 100_000,
            asks: 5_000,
            benchmark_requests: 200_000,
        }
    };
    let server = Server::start();
    let url = server.url();
    let mut rows: Vec<(&str, Vec<f64>)> = [
        "append",
        "drain",
        "end to end",
        "ask",
        "topic",
        "durable topic",
        "redis-benchmark 1",
        "redis-benchmark 50",
    ]
    .into_iter()
    .map(|name| (name, Vec::new()))
    .collect();
    for run in 0..runs {
        eprint!("run {}/{runs} redis ", run + 1);
        let (append, drain, end_to_end, ask) = runtime
            .block_on(runtime.spawn(aplay_run(url.clone(), run, work.tells, work.asks)))
            .expect("the Redis scenario runs");
        let (topic, durable) = runtime
            .block_on(runtime.spawn(topic_run(url.clone(), run, work.tells)))
            .expect("the topic scenario runs");
        let one = server.benchmark(work.benchmark_requests, 1);
        let fifty = server.benchmark(work.benchmark_requests, 50);
        for (row, value) in rows
            .iter_mut()
            .zip([append, drain, end_to_end, ask, topic, durable, one, fifty])
        {
            row.1.push(value);
        }
        eprintln!(
            " append {}  drain {}  end to end {}  ask {}  topic {} / {}  redis-benchmark {} / {}",
            table::count(append),
            table::count(drain),
            table::count(end_to_end),
            table::count(ask),
            table::count(topic),
            table::count(durable),
            table::count(one),
            table::count(fifty),
        );
    }
    let median = |values: &[f64]| stats::median(values).unwrap_or(f64::NAN);
    println!(
        "\n### Redis\n\nredis-server {} on a Unix socket, no persistence; {runs} run{} each, medians; \
         {} tells, {} sequential asks, {} redis-benchmark requests per run\n",
        server.version(),
        if runs == 1 { "" } else { "s" },
        table::count(work.tells as f64),
        table::count(work.asks as f64),
        table::count(work.benchmark_requests as f64),
    );
    println!("| scenario | what is measured | median |");
    println!("|---|---|---|");
    let lines = [
        (
            "durable tell: append",
            "tells until all are in Redis (`flushed`)",
            "msg/s",
        ),
        (
            "durable tell: drain",
            "a backlog read, handled, acknowledged",
            "msg/s",
        ),
        (
            "durable tell: end to end",
            "send to acknowledged, worker running",
            "msg/s",
        ),
        ("remote ask", "mean round trip", "us"),
        (
            "topic (fire-and-forget)",
            "publish to handled by a subscriber of another station",
            "msg/s",
        ),
        (
            "durable topic",
            "publish to handled by a subscriber of another station",
            "msg/s",
        ),
        (
            "redis-benchmark XADD -P 16 -c 1",
            "appends, one connection",
            "req/s",
        ),
        (
            "redis-benchmark XADD -P 16 -c 50",
            "appends, 50 connections",
            "req/s",
        ),
    ];
    for ((name, what, unit), (_, values)) in lines.iter().zip(&rows) {
        let value = median(values);
        let shown = if *unit == "us" {
            format!("{value:.0} us")
        } else {
            format!("{} {unit}", table::count(value))
        };
        println!("| {name} | {what} | {shown} |");
    }
}

/// One run of the aplay scenarios: the rates of append, drain and end to end (msg/s), and
/// the mean ask round trip (microseconds).
async fn aplay_run(url: String, run: usize, tells: u64, asks: u64) -> (f64, f64, f64, f64) {
    let namespace = format!("bench-{}-{run}", std::process::id());
    let config = || {
        StationConfig::default()
            .namespace(&namespace)
            .block(Duration::from_millis(100))
    };
    let producer = RedisStation::connect_with(&url, config())
        .await
        .expect("the bench's Redis");
    let worker = RedisStation::connect_with(&url, config())
        .await
        .expect("the bench's Redis");
    let sink = producer.remote::<Sink>("/sink").expect("a valid path");

    // Append: no worker yet.
    let started = Instant::now();
    for _ in 0..tells {
        sink.add(1).await.expect("queued");
    }
    sink.flushed().await.expect("in Redis");
    let append = tells as f64 / started.elapsed().as_secs_f64();

    // Drain: a worker takes the backlog.
    let system = System::new();
    let started = Instant::now();
    let serving = worker
        .serve(&system, "/sink", || Sink { count: 0 })
        .await
        .expect("served");
    wait_handled(&serving, tells).await;
    let drain = tells as f64 / started.elapsed().as_secs_f64();

    // End to end: sending while the worker runs.
    let started = Instant::now();
    for _ in 0..tells {
        sink.add(1).await.expect("queued");
    }
    wait_handled(&serving, 2 * tells).await;
    let end_to_end = tells as f64 / started.elapsed().as_secs_f64();

    // Sequential asks.
    let started = Instant::now();
    for n in 0..asks {
        assert_eq!(sink.echo(n).await.expect("a reply"), n);
    }
    let ask = started.elapsed().as_secs_f64() * 1e6 / asks as f64;

    serving.stop().await;
    system.shutdown().await;
    producer.purge_namespace().await.expect("purged");
    (append, drain, end_to_end, ask)
}

/// The rates (msg/s) of a fire-and-forget and of a durable topic: `messages` published by one
/// station, until a subscriber actor of another station has handled them all.
async fn topic_run(url: String, run: usize, messages: u64) -> (f64, f64) {
    let namespace = format!("bench-topic-{}-{run}", std::process::id());
    let config = || {
        StationConfig::default()
            .namespace(&namespace)
            .block(Duration::from_millis(100))
    };
    let publisher = RedisStation::connect_with(&url, config())
        .await
        .expect("the bench's Redis");
    let subscriber = RedisStation::connect_with(&url, config())
        .await
        .expect("the bench's Redis");
    let system = System::new();
    let mut rates = [0.0; 2];
    for (i, rate) in rates.iter_mut().enumerate() {
        let (out, into) = if i == 0 {
            (
                publisher.topic::<u64>("fire").await,
                subscriber.topic::<u64>("fire").await,
            )
        } else {
            (
                publisher.durable_topic::<u64>("durable", "bench").await,
                subscriber.durable_topic::<u64>("durable", "bench").await,
            )
        };
        let (out, into) = (out.expect("a topic"), into.expect("a topic"));
        let sink = system
            .spawn(&format!("sink{i}"), Sink { count: 0 })
            .await
            .expect("a subscriber");
        into.subscribe(ActorRef::recipient(&sink, SinkMsg::add));
        let started = Instant::now();
        for _ in 0..messages {
            out.publish(1).await;
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        while sink.count().await.expect("it counts") < messages {
            assert!(Instant::now() < deadline, "messages lost on the topic");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        *rate = messages as f64 / started.elapsed().as_secs_f64();
        into.stop().await;
    }
    system.shutdown().await;
    publisher.purge_namespace().await.expect("purged");
    (rates[0], rates[1])
}

/// Waits until `count` messages were handled and acknowledged.
async fn wait_handled(serving: &aplay::redis::Serving<Sink>, count: u64) {
    while serving.handled() < count {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A private `redis-server` on a Unix socket in a directory of its own (and, from
/// [`Server::start_tcp`], on a port of the loopback interface too).
pub(crate) struct Server {
    dir: PathBuf,
    child: Child,
    /// The TCP port clients use, when it listens on one.
    port: Option<u16>,
}

impl Server {
    pub(crate) fn start() -> Server {
        Server::launch("redis", None)
    }

    /// A server that clients reach on `127.0.0.1` and a free port (as a job queue's clients
    /// usually reach theirs, and as node's client does).
    pub(crate) fn start_tcp() -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .expect("a free port on 127.0.0.1");
        Server::launch("queue", Some(port))
    }

    fn launch(name: &str, port: Option<u16>) -> Server {
        let dir = std::env::temp_dir().join(format!("aplay-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut command = Command::new("redis-server");
        match port {
            Some(port) => command.args(["--port", &port.to_string(), "--bind", "127.0.0.1"]),
            None => command.args(["--port", "0"]),
        };
        let child = command
            .args(["--save", "", "--appendonly", "no"])
            .arg("--unixsocket")
            .arg(dir.join("redis.sock"))
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the Redis scenarios need redis-server on PATH (apt-get install \
                     redis-server): {e}"
                )
            });
        let server = Server { dir, child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.answers() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    /// The port clients use (`start_tcp`), if any.
    pub(crate) fn port(&self) -> Option<u16> {
        self.port
    }

    pub(crate) fn url(&self) -> String {
        match self.port {
            Some(port) => format!("redis://127.0.0.1:{port}"),
            None => format!("redis+unix://{}", self.socket().display()),
        }
    }

    /// The options that point `redis-cli` and `redis-benchmark` at it, the way clients reach
    /// it.
    pub(crate) fn client_args(&self) -> Vec<String> {
        match self.port {
            Some(port) => vec![
                "-h".to_owned(),
                "127.0.0.1".to_owned(),
                "-p".to_owned(),
                port.to_string(),
            ],
            None => vec!["-s".to_owned(), self.socket().display().to_string()],
        }
    }

    /// A `redis-cli` on its Unix socket, to send with from any thread.
    pub(crate) fn cli(&self) -> Cli {
        Cli {
            socket: self.socket(),
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = UnixStream::connect(self.socket()) else {
            return false;
        };
        let mut answer = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }

    pub(crate) fn version(&self) -> String {
        let out = Command::new("redis-server").arg("--version").output();
        out.ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|v| {
                v.split_whitespace()
                    .find_map(|w| w.strip_prefix("v=").map(str::to_owned))
            })
            .unwrap_or_else(|| "?".to_owned())
    }

    /// `redis-benchmark` appending a 3-byte payload (the size of an encoded `add(1)`) with
    /// `clients` connections, 16 commands per pipeline; requests per second.
    fn benchmark(&self, requests: u64, clients: u32) -> f64 {
        self.benchmark_xadd(requests, clients, 16, "abc")
    }

    /// `redis-benchmark` appending `payload` to a stream (`XADD bench:xadd * m payload`) with
    /// `clients` connections, `pipeline` commands per pipeline; requests per second.
    pub(crate) fn benchmark_xadd(
        &self,
        requests: u64,
        clients: u32,
        pipeline: u32,
        payload: &str,
    ) -> f64 {
        let out = Command::new("redis-benchmark")
            .args(self.client_args())
            .args(["-n", &requests.to_string(), "-c", &clients.to_string()])
            .args(["-P", &pipeline.to_string(), "--csv"])
            .args(["XADD", "bench:xadd", "*", "m", payload])
            .output()
            .expect("redis-benchmark runs (it comes with redis-server)");
        let text = String::from_utf8_lossy(&out.stdout);
        let rps = text
            .lines()
            .filter(|l| l.starts_with("\"XADD"))
            .find_map(|l| l.split(',').nth(1))
            .and_then(|v| v.trim_matches('"').parse().ok())
            .unwrap_or_else(|| panic!("no figure in redis-benchmark's output: {text}"));
        // The stream is not needed again.
        self.cli().run(&["DEL", "bench:xadd"]);
        rps
    }
}

/// `redis-cli` on the Unix socket of a [`Server`].
#[derive(Clone, Debug)]
pub(crate) struct Cli {
    socket: PathBuf,
}

impl Cli {
    /// Runs one command; its output. Panics when `redis-cli` fails.
    pub(crate) fn run(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .output()
            .expect("redis-cli runs (it comes with redis-server)");
        assert!(
            out.status.success(),
            "redis-cli {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `redis-cli -s SOCKET`, to add arguments to.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new("redis-cli");
        command.arg("-s").arg(&self.socket);
        command
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
