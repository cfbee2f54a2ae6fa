//! Measures what one open websocket costs `examples/ws_echo.rs` in memory: it starts the
//! server as a process of its own, opens websocket connections to it, and reads the server's
//! resident memory (`VmRSS` in `/proc/PID/status`, Linux only) before and after.
//!
//! `scripts/ws-echo-rss` builds both with `--release`, raises the limit of open files, and runs
//! it; by hand:
//!
//! ```sh
//! cargo build --release -p aplay --example ws_echo --example ws_echo_rss
//! ulimit -n 4096
//! target/release/examples/ws_echo_rss target/release/examples/ws_echo 1000
//! ```
//!
//! The server listens on a port of its own (`127.0.0.1:0`). A few connections are opened
//! first and kept open (the runtime's worker threads and their allocator arenas are then
//! warm), the baseline is read, then `CONNECTIONS` more are opened, 100 at a time, each echoes
//! one text frame, and they stay open and silent while the memory settles. The growth of
//! `VmRSS`, divided by `CONNECTIONS`, is the cost of one idle connection.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Client = WebSocketStream<TcpStream>;

/// Connections opened before the baseline is read.
const WARM_UP: usize = 20;
/// Connections opened at the same time.
const BATCH: usize = 100;
/// How long the memory is left to settle before it is read.
const SETTLE: Duration = Duration::from_secs(1);

/// The server process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary` on a free port and waits for the line that tells its address.
    fn start(binary: &str) -> Result<Self, BoxError> {
        let mut child = Command::new(binary)
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("{binary}: {error}"))?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let first = lines.next().ok_or("the server said nothing")??;
        // "echoing websockets on ws://127.0.0.1:PORT/ (ctrl-c to stop)"
        let addr = first
            .split("ws://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("no address in {first:?}"))?
            .to_owned();
        // The server logs each connection: read it, so that it never waits for a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Server { child, addr })
    }

    /// The server's resident memory and the anonymous part of it, in KiB.
    fn rss(&self) -> Result<(u64, u64), BoxError> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> Result<u64, BoxError> {
            let line = status
                .lines()
                .find(|line| line.starts_with(name))
                .ok_or_else(|| format!("no {name} in /proc/PID/status"))?;
            let kib = line[name.len()..].trim().trim_end_matches("kB").trim();
            Ok(kib.parse()?)
        };
        Ok((field("VmRSS:")?, field("RssAnon:")?))
    }
}

/// Opens a websocket to `addr` and checks that it echoes.
async fn open(addr: &str, n: usize) -> Result<Client, BoxError> {
    let tcp = TcpStream::connect(addr).await?;
    // The client's own buffers small: it is not what is measured.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(format!("ws://{addr}/"), tcp, Some(config))
            .await?;
    let text = format!("hello from {n}");
    ws.send(Message::text(text.as_str())).await?;
    match ws.next().await {
        Some(Ok(Message::Text(echo))) if echo.as_str() == text => Ok(ws),
        other => Err(format!("connection {n}: expected the echo, got {other:?}").into()),
    }
}

/// Opens `count` connections, `BATCH` at a time.
async fn open_many(addr: &str, first: usize, count: usize) -> Result<Vec<Client>, BoxError> {
    let mut clients = Vec::with_capacity(count);
    for start in (first..first + count).step_by(BATCH) {
        let end = (start + BATCH).min(first + count);
        let batch = futures::future::join_all((start..end).map(|n| open(addr, n))).await;
        for client in batch {
            clients.push(client?);
        }
    }
    Ok(clients)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .ok_or("usage: ws_echo_rss SERVER_BINARY [CONNECTIONS]")?;
    let count: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let server = Server::start(&binary)?;
    println!(
        "server: {binary} (pid {}) on {}",
        server.child.id(),
        server.addr
    );

    let warm = open_many(&server.addr, 0, WARM_UP).await?;
    tokio::time::sleep(SETTLE).await;
    let (base, base_anon) = server.rss()?;
    println!(
        "baseline, {WARM_UP} connections open: VmRSS {:.1} MiB (anonymous {:.1} MiB)",
        mib(base),
        mib(base_anon)
    );

    let mut clients = open_many(&server.addr, WARM_UP, count).await?;
    tokio::time::sleep(SETTLE).await;
    let (loaded, loaded_anon) = server.rss()?;
    println!(
        "{count} more open and idle: VmRSS {:.1} MiB (anonymous {:.1} MiB)",
        mib(loaded),
        mib(loaded_anon)
    );
    let per = |grown: u64| grown as f64 / count as f64;
    println!(
        "per connection: {:.1} KiB of VmRSS ({:.1} KiB anonymous), over {count} connections",
        per(loaded.saturating_sub(base)),
        per(loaded_anon.saturating_sub(base_anon))
    );

    // Every one of them is still served.
    for (n, ws) in clients.iter_mut().enumerate() {
        ws.send(Message::text(format!("still here {n}"))).await?;
        match ws.next().await {
            Some(Ok(Message::Text(_))) => {}
            other => return Err(format!("connection {n} after the reading: {other:?}").into()),
        }
    }
    for mut ws in clients.into_iter().chain(warm) {
        let _ = ws.close(None).await;
    }
    tokio::time::sleep(SETTLE).await;
    let (closed, _) = server.rss()?;
    println!("after closing them all: VmRSS {:.1} MiB", mib(closed));
    Ok(())
}
