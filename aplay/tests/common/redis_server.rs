//! A private `redis-server` for a test, and child processes of the test binary.
//!
//! Each test starts its own server on a Unix socket in a temporary directory, and the server is
//! killed when the test ends. With `APLAY_REDIS_URL` set, tests that need no restart use that
//! server instead. Without either, the test fails with a message saying what to install.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const INSTALL: &str = "the Redis tests need a Redis server: install redis-server \
    (`apt-get install redis-server`, `brew install redis`) so that it is on PATH, \
    or set APLAY_REDIS_URL=redis://host:port to use a running one";

/// A unique name for this test run: a namespace, a directory.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The server a test talks to: its own, or the one `APLAY_REDIS_URL` names.
pub struct TestRedis {
    url: String,
    own: Option<RedisServer>,
}

impl TestRedis {
    /// `APLAY_REDIS_URL` if set, else a private server.
    pub fn shared_or_private() -> Self {
        match std::env::var("APLAY_REDIS_URL") {
            Ok(url) if !url.is_empty() => TestRedis { url, own: None },
            _ => {
                let server = RedisServer::start(false);
                TestRedis {
                    url: server.url(),
                    own: Some(server),
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// How to start a test's server.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Every write in the append-only file (fsync always) before it is acknowledged, so it
    /// survives a kill.
    pub aof: bool,
    /// Also listen on a TCP port of its own on 127.0.0.1 (for replication and proxies).
    pub tcp: bool,
    /// Speak TLS on a TCP port of its own (`--tls-port`), with these certificate files.
    pub tls: Option<TlsFiles>,
    /// More `--name value` settings.
    pub args: Vec<String>,
}

/// The files of a TLS server.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: String,
    pub key: String,
    pub ca: String,
    /// Ask clients for a certificate (`tls-auth-clients yes`).
    pub auth_clients: bool,
}

impl Options {
    pub fn aof(mut self) -> Self {
        self.aof = true;
        self
    }

    pub fn tcp(mut self) -> Self {
        self.tcp = true;
        self
    }

    pub fn tls(mut self, files: TlsFiles) -> Self {
        self.tls = Some(files);
        self
    }

    pub fn arg(mut self, name: &str, value: &str) -> Self {
        self.args.push(format!("--{name}"));
        self.args.push(value.to_owned());
        self
    }
}

/// What a restart waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    /// The server answers PING with PONG: its data is loaded.
    Loaded,
    /// The server answers at all (`-LOADING` while it loads its data).
    Answering,
}

/// A `redis-server` process of this test, on a Unix socket in a directory of its own.
pub struct RedisServer {
    dir: PathBuf,
    options: Options,
    port: Option<u16>,
    tls_port: Option<u16>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server; with `aof`, every write is in the append-only file (fsync always)
    /// before it is acknowledged, so it survives a kill.
    pub fn start(aof: bool) -> Self {
        Self::start_with(Options {
            aof,
            ..Options::default()
        })
    }

    /// Starts a server with `options`.
    pub fn start_with(options: Options) -> Self {
        let dir = std::env::temp_dir().join(unique("aplay-redis"));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = RedisServer {
            dir,
            port: None,
            tls_port: None,
            options,
            child: None,
        };
        // A port found free may be taken before the server binds it (by another test's
        // connection): then again with other ports.
        for attempt in 1.. {
            server.port = server.options.tcp.then(free_port);
            server.tls_port = server.options.tls.is_some().then(free_port);
            match server.try_launch(&[], Ready::Loaded) {
                Ok(()) => break,
                Err(log) if attempt < 5 && log.contains("Address already in use") => {}
                Err(log) => panic!("redis-server did not start; its log:\n{log}\n{INSTALL}"),
            }
        }
        server
    }

    /// Its TLS port (with [`Options::tls`]).
    pub fn tls_port(&self) -> u16 {
        self.tls_port.expect("a server started with Options::tls")
    }

    /// Its TCP port (with [`Options::tcp`]).
    pub fn port(&self) -> u16 {
        self.port.expect("a server started with Options::tcp")
    }

    /// `redis://127.0.0.1:{port}` (with [`Options::tcp`]).
    pub fn tcp_url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port())
    }

    /// A connection of the test's own, to inject faults and look inside.
    pub fn admin(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("an admin connection to the test's server")
    }

    /// Runs an admin command; panics with the server's answer if it fails.
    pub fn command(&self, args: &[&str]) -> redis::Value {
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        cmd.query(&mut self.admin())
            .unwrap_or_else(|e| panic!("{args:?} failed: {e}"))
    }

    /// A field of `INFO` (`used_memory`, `errorstat_OOM`, ...), if present.
    pub fn info(&self, field: &str) -> Option<String> {
        let info: String = redis::cmd("INFO")
            .arg("everything")
            .query(&mut self.admin())
            .expect("INFO");
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .map(|v| v.trim().to_owned())
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    /// `redis+unix:///…/redis.sock`.
    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    /// The socket path, for `redis-benchmark -s`.
    pub fn socket_path(&self) -> PathBuf {
        self.socket()
    }

    /// Starts the process; panics if it does not answer.
    fn launch(&mut self, extra: &[&str], ready: Ready) {
        if let Err(log) = self.try_launch(extra, ready) {
            panic!("redis-server did not start; its log:\n{log}\n{INSTALL}");
        }
    }

    /// Starts the process; `Err` with its log if it ends or does not answer within 10 s.
    fn try_launch(&mut self, extra: &[&str], ready: Ready) -> Result<(), String> {
        let mut cmd = Command::new("redis-server");
        if let (Some(port), Some(tls)) = (self.tls_port, &self.options.tls) {
            cmd.arg("--tls-port")
                .arg(port.to_string())
                .arg("--tls-cert-file")
                .arg(&tls.cert)
                .arg("--tls-key-file")
                .arg(&tls.key)
                .arg("--tls-ca-cert-file")
                .arg(&tls.ca)
                .arg("--tls-auth-clients")
                .arg(if tls.auth_clients { "yes" } else { "no" });
        }
        cmd.arg("--port")
            .arg(self.port.unwrap_or(0).to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--enable-debug-command")
            .arg("yes")
            .arg("--unixsocket")
            .arg(self.socket())
            .arg("--dir")
            .arg(&self.dir)
            .arg("--save")
            .arg("")
            .arg("--appendonly")
            .arg(if self.options.aof { "yes" } else { "no" })
            .arg("--appendfsync")
            .arg("always")
            // A replica syncs at once, not after the default 5 s wait for others to join it.
            .arg("--repl-diskless-sync-delay")
            .arg("0")
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .args(&self.options.args)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let _ = std::fs::remove_file(self.dir.join("redis.log"));
        let child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start redis-server ({e}): {INSTALL}"),
        };
        self.child = Some(child);
        let answered = wait_for_ping(&self.socket(), self.child.as_mut().unwrap(), ready);
        if answered {
            return Ok(());
        }
        self.kill();
        Err(std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default())
    }

    /// Kills the server at once (SIGKILL: no shutdown save; only what the append-only file
    /// holds survives).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Starts it again, on the same socket, port and directory (and append-only file).
    pub fn restart(&mut self) {
        self.kill();
        self.launch(&[], Ready::Loaded);
    }

    /// Starts it again with `extra` settings, waiting only until it is `ready`.
    pub fn restart_with(&mut self, extra: &[&str], ready: Ready) {
        self.kill();
        self.launch(extra, ready);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A TCP port free now on 127.0.0.1 (the server binds it a moment later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits up to 10 s for the server to answer PING; `false` if it did not, or ended.
fn wait_for_ping(socket: &Path, child: &mut Child, ready: Ready) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut stream) = UnixStream::connect(socket) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
            let mut answer = [0u8; 7];
            // A server still loading its append-only file answers -LOADING: try again,
            // unless any answer will do.
            if stream.write_all(b"PING\r\n").is_ok()
                && stream.read_exact(&mut answer).is_ok()
                && (&answer == b"+PONG\r\n"
                    || (ready == Ready::Answering && answer.starts_with(b"-LOADIN")))
            {
                return true;
            }
        }
        if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The name the test harness gives `test`, a test function of the module whose
/// `module_path!()` is `module`: the module's path without the binary's name, then the
/// function (`processes::worker_process`), as `--exact` wants it.
pub fn test_name(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_binary, module)) => format!("{module}::{test}"),
        None => test.to_owned(),
    }
}

/// A child process of this test binary, running one `#[test]` function as a worker, whose
/// stdout lines the parent reads as signals. Closing its stdin asks it to stop.
pub struct ChildTest {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: Option<mpsc::Receiver<String>>,
    pub seen: Vec<String>,
}

impl ChildTest {
    /// Runs `test` (a test function of this binary) in a new process, with `env` set; its
    /// lines come to [`next_line`](Self::next_line).
    pub fn spawn(test: &str, env: &[(&str, &str)]) -> Self {
        let (tx, rx) = mpsc::channel();
        let mut child = Self::spawn_into(test, env, tx);
        child.lines = Some(rx);
        child
    }

    /// Like [`spawn`](Self::spawn), its lines sent to `lines` (shared by several children).
    pub fn spawn_into(test: &str, env: &[(&str, &str)], lines: mpsc::Sender<String>) -> Self {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the test binary starts again");
        let stdout = child.stdout.take().expect("a piped stdout");
        let stdin = child.stdin.take();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        ChildTest {
            child,
            stdin,
            lines: None,
            seen: Vec::new(),
        }
    }

    /// Closes its stdin: a worker then stops gracefully and exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next line, waiting at most `limit`; `None` at the end of its output.
    pub fn next_line(&mut self, limit: Duration) -> Option<String> {
        let lines = self.lines.as_ref().expect("a child with lines of its own");
        match lines.recv_timeout(limit) {
            Ok(line) => {
                self.seen.push(line.clone());
                Some(line)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => None,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "the child printed nothing for {limit:?}; it printed:\n{}",
                self.seen.join("\n")
            ),
        }
    }

    /// Reads lines until one satisfies `done`; returns it.
    pub fn wait_for(&mut self, limit: Duration, mut done: impl FnMut(&str) -> bool) -> String {
        loop {
            match self.next_line(limit) {
                Some(line) if done(&line) => return line,
                Some(_) => {}
                None => panic!(
                    "the child ended before the expected line; it printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Lines already printed, without waiting.
    pub fn drain(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let lines = self.lines.as_ref().expect("a child with lines of its own");
        while let Ok(line) = lines.try_recv() {
            self.seen.push(line.clone());
            out.push(line);
        }
        out
    }

    /// SIGKILL: the process ends at once, in the middle of whatever it does.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for it to exit; whether it succeeded.
    pub fn wait(&mut self) -> bool {
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for ChildTest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
