//! A private Redis Cluster for a test: `redis-server --cluster-enabled yes` on free ports,
//! joined with `redis-cli --cluster create`, each node with its append-only file. Killed
//! when the test ends.
#![allow(dead_code, unreachable_pub)]

use std::process::Command;
use std::time::{Duration, Instant};

use super::redis_server::{Options, RedisServer};

/// A cluster of `masters` masters, each with `replicas` replicas.
pub struct TestCluster {
    pub nodes: Vec<RedisServer>,
    /// The nodes killed, which answer nothing.
    killed: Vec<bool>,
}

/// One line of `CLUSTER NODES`.
#[derive(Debug)]
struct Node {
    id: String,
    port: u16,
    master: bool,
    /// Marked failed by the others.
    failed: bool,
    /// The id of its master, for a replica.
    of: Option<String>,
    slots: Vec<(u16, u16)>,
}

impl TestCluster {
    /// Starts the nodes, creates the cluster, and waits until every node says it is ok.
    pub fn start(masters: usize, replicas: usize) -> Self {
        let nodes: Vec<RedisServer> = (0..masters * (1 + replicas))
            .map(|_| {
                RedisServer::start_with(
                    Options::default()
                        .tcp()
                        .aof()
                        .arg("cluster-enabled", "yes")
                        .arg("cluster-config-file", "nodes.conf")
                        // A failed master is seen in half a second.
                        .arg("cluster-node-timeout", "500"),
                )
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run redis-cli ({e}): install redis-tools (`apt-get install redis-tools`)")
            });
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed:\n{}",
            String::from_utf8_lossy(&created.stdout)
        );
        let killed = vec![false; nodes.len()];
        let cluster = TestCluster { nodes, killed };
        cluster.wait_until("every node sees the whole cluster, ok", |c| {
            c.nodes.iter().all(|n| {
                info_field(n, "cluster_state").as_deref() == Some("ok")
                    && info_field(n, "cluster_known_nodes").and_then(|k| k.parse().ok())
                        == Some(c.nodes.len())
            }) && c.table().iter().filter(|n| !n.master).count() == masters * replicas
        });
        cluster
    }

    /// The URLs of every node (a station needs any one of them).
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::tcp_url).collect()
    }

    /// The index of the node that is master of `key`'s slot now.
    pub fn master_of(&self, key: &str) -> usize {
        self.try_master_of(key).expect("a master for every slot")
    }

    /// The master of `key`'s slot, if one is up (not during a failover).
    fn try_master_of(&self, key: &str) -> Option<usize> {
        let slot = self.slot(key);
        let table = self.table();
        let node = table.iter().find(|n| {
            n.master && !n.failed && n.slots.iter().any(|(a, b)| (*a..=*b).contains(&slot))
        })?;
        Some(self.index_of(node.port))
    }

    /// The index of a replica of the node at `master`.
    pub fn replica_of(&self, master: usize) -> usize {
        let table = self.table();
        let port = self.nodes[master].port();
        let id = &table
            .iter()
            .find(|n| n.port == port)
            .expect("the master")
            .id;
        let replica = table
            .iter()
            .find(|n| n.of.as_ref() == Some(id))
            .expect("a replica of the master");
        self.index_of(replica.port)
    }

    /// Fails the master of `key`'s slot over to one of its replicas (`CLUSTER FAILOVER`, which
    /// waits for the replica to have every write), and waits until the replica is master.
    /// Returns the new master's index.
    /// A manual failover that has not happened within 10 s (the replica did not catch up in
    /// the master's pause, which Redis gives up after 5 s) is asked for again, twice.
    pub fn fail_over(&self, key: &str) -> usize {
        let master = self.master_of(key);
        let replica = self.replica_of(master);
        for attempt in 1..=3 {
            self.nodes[replica].command(&["CLUSTER", "FAILOVER"]);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if self.try_master_of(key) == Some(replica) {
                    return replica;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("CLUSTER FAILOVER not done after 10 s (attempt {attempt}); again");
        }
        panic!("the replica did not take over after three CLUSTER FAILOVER");
    }

    /// Kills the master of `key`'s slot (SIGKILL), and waits until its replica took over (the
    /// cluster sees it fail after `cluster-node-timeout`).
    /// Returns the killed node's index.
    pub fn kill_master_of(&mut self, key: &str) -> usize {
        let master = self.master_of(key);
        let replica = self.replica_of(master);
        self.nodes[master].kill();
        self.killed[master] = true;
        self.wait_until("the replica to take over from the killed master", |c| {
            c.try_master_of(key) == Some(replica)
        });
        master
    }

    /// Starts the killed node `index` again (same port, data directory and append-only file):
    /// it rejoins the cluster as a replica of the master that took over from it. Waits until
    /// it is one.
    pub fn restart(&mut self, index: usize) {
        self.nodes[index].restart();
        self.killed[index] = false;
        let port = self.nodes[index].port();
        self.wait_until("the restarted node to rejoin as a replica", |c| {
            c.table()
                .iter()
                .any(|n| n.port == port && !n.master && !n.failed && n.of.is_some())
        });
    }

    /// A node that answers.
    fn live(&self) -> &RedisServer {
        let at = self.killed.iter().position(|k| !k).expect("a live node");
        &self.nodes[at]
    }

    fn slot(&self, key: &str) -> u16 {
        match self.live().command(&["CLUSTER", "KEYSLOT", key]) {
            redis::Value::Int(slot) => slot as u16,
            other => panic!("CLUSTER KEYSLOT answered {other:?}"),
        }
    }

    fn index_of(&self, port: u16) -> usize {
        self.nodes
            .iter()
            .position(|n| n.port() == port)
            .expect("a node of this cluster")
    }

    /// `CLUSTER NODES`, as the first node that answers sees it.
    fn table(&self) -> Vec<Node> {
        let text = match self.live().command(&["CLUSTER", "NODES"]) {
            redis::Value::BulkString(bytes) => String::from_utf8(bytes).unwrap(),
            redis::Value::VerbatimString { text, .. } => text,
            other => panic!("CLUSTER NODES answered {other:?}"),
        };
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let parts: Vec<&str> = line.split_whitespace().collect();
                let port = parts[1]
                    .split(['@', ','])
                    .next()
                    .and_then(|addr| addr.rsplit(':').next())
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                let master = parts[2].contains("master");
                let failed = parts[2].contains("fail");
                let of = (parts[3] != "-").then(|| parts[3].to_owned());
                let slots = parts[8..]
                    .iter()
                    .filter(|s| !s.starts_with('['))
                    .filter_map(|s| {
                        let (a, b) = s.split_once('-').unwrap_or((s, s));
                        Some((a.parse().ok()?, b.parse().ok()?))
                    })
                    .collect();
                Node {
                    id: parts[0].to_owned(),
                    port,
                    master,
                    failed,
                    of,
                    slots,
                }
            })
            .collect()
    }

    fn wait_until(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self) {
            assert!(Instant::now() < deadline, "waited 30 s for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn info_field(node: &RedisServer, field: &str) -> Option<String> {
    let text = match node.command(&["CLUSTER", "INFO"]) {
        redis::Value::BulkString(bytes) => String::from_utf8(bytes).ok()?,
        redis::Value::VerbatimString { text, .. } => text,
        _ => return None,
    };
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_owned())
}
