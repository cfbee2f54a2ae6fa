//! A TCP proxy between a client and a Redis server that cuts every connection on demand, at
//! the worst moment for the client: the server keeps what it received (and applies it) while
//! its answers are thrown away, then both sides are closed. Commands in flight are then
//! applied with their answers lost, or not applied at all.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The proxy; dropping it stops it.
pub struct CuttingProxy {
    port: u16,
    cuts: watch::Sender<u64>,
    connections: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl CuttingProxy {
    /// Listens on a free port of 127.0.0.1, forwarding to `127.0.0.1:{server_port}`.
    pub async fn start(server_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a proxy port");
        let port = listener.local_addr().expect("its address").port();
        let (cuts, _) = watch::channel(0u64);
        let connections = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let cuts = cuts.clone();
            let connections = Arc::clone(&connections);
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)).await else {
                        continue;
                    };
                    connections.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(pipe(client, server, cuts.subscribe()));
                }
            }
        });
        CuttingProxy {
            port,
            cuts,
            connections,
            task,
        }
    }

    /// `redis://127.0.0.1:{port}` of the proxy.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Cuts every open connection.
    pub fn cut(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }

    /// How many connections clients opened through it so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies both ways until a cut: from then on the server's answers are dropped for a moment
/// (what the client sent still reaches the server), then both ends close.
async fn pipe(mut client: TcpStream, mut server: TcpStream, mut cuts: watch::Receiver<u64>) {
    cuts.mark_unchanged();
    let (mut client_rx, mut client_tx) = client.split();
    let (mut server_rx, mut server_tx) = server.split();
    let mut up = [0u8; 16 * 1024];
    let mut down = [0u8; 16 * 1024];
    let mut cut_at: Option<tokio::time::Instant> = None;
    loop {
        let linger = async {
            match cut_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = client_rx.read(&mut up) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if server_tx.write_all(&up[..n]).await.is_err() { return },
            },
            read = server_rx.read(&mut down) => match read {
                Ok(0) | Err(_) => return,
                // After a cut, the answers are lost.
                Ok(n) => if cut_at.is_none() && client_tx.write_all(&down[..n]).await.is_err() { return },
            },
            changed = cuts.changed(), if cut_at.is_none() => {
                if changed.is_err() { return }
                cut_at = Some(tokio::time::Instant::now() + Duration::from_millis(20));
            },
            () = linger => return,
        }
    }
}
