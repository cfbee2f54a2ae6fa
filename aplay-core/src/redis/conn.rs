//! Connections to Redis: one shared, multiplexed connection that reconnects by itself, and
//! dedicated ones for the commands that block (a blocking read on the shared connection would
//! hold up every other command behind it). To one server, or to a Redis Cluster (a
//! cluster-aware connection that follows `MOVED`, `ASK` and failovers).

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, Client, Cmd, Pipeline, RedisFuture, Value};

use super::config::StationConfig;
use super::error::{RedisError, RedisErrorKind};

/// A connection to Redis, whatever its kind: every command of a station goes through one.
/// Cheap to clone (every kind is multiplexed).
#[derive(Clone)]
pub(crate) enum Conn {
    /// The shared connection to one server (reconnects by itself).
    Managed(ConnectionManager),
    /// A dedicated connection to one server, for blocking commands.
    Dedicated(MultiplexedConnection),
    /// A connection to a Redis Cluster.
    Cluster(ClusterConnection),
}

impl Conn {
    /// Whether it is a cluster's: a pipeline must then stay within one hash slot.
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, Conn::Cluster(_))
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Managed(conn) => conn.req_packed_command(cmd),
            Conn::Dedicated(conn) => conn.req_packed_command(cmd),
            Conn::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Managed(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Dedicated(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Managed(conn) => conn.get_db(),
            Conn::Dedicated(conn) => conn.get_db(),
            Conn::Cluster(conn) => conn.get_db(),
        }
    }
}

/// The clients and the shared connection of a station.
#[derive(Clone)]
pub(crate) struct Connections {
    kind: Kind,
    command_timeout: std::time::Duration,
}

#[derive(Clone)]
enum Kind {
    Server {
        client: Client,
        shared: ConnectionManager,
        dedicated: AsyncConnectionConfig,
    },
    Cluster {
        shared: ClusterConnection,
        /// Its own client, whose answers may take as long as a blocking read.
        blocking: ClusterClient,
    },
}

impl Connections {
    /// Connects to a Redis Cluster through any of `nodes` (it learns the others from them).
    pub(crate) async fn open_cluster(
        nodes: &[&str],
        config: &StationConfig,
    ) -> Result<Self, RedisError> {
        let shown = nodes
            .iter()
            .map(|url| redacted(url))
            .collect::<Vec<_>>()
            .join(", ");
        if nodes.iter().any(|url| is_tls(url)) {
            return Err(RedisError::new(
                RedisErrorKind::Config,
                format!("a cluster over TLS is not supported yet ({shown})"),
            ));
        }
        let builder = |response: std::time::Duration| {
            ClusterClientBuilder::new(nodes.to_vec())
                .connection_timeout(config.command_timeout)
                .response_timeout(response)
                .retries(8)
                .min_retry_wait(u64::try_from(config.reconnect_initial.as_millis()).unwrap_or(50))
                .max_retry_wait(u64::try_from(config.reconnect_max.as_millis()).unwrap_or(5000))
                .build()
                .map_err(|e| {
                    RedisError::new(
                        RedisErrorKind::Config,
                        format!("cannot use the cluster nodes {shown}: {e}"),
                    )
                })
        };
        let client = builder(config.command_timeout)?;
        let blocking = builder(config.block.saturating_add(config.command_timeout))?;
        let shared = client.get_async_connection().await.map_err(|e| {
            let e = RedisError::from_client(e);
            RedisError::new(
                e.kind(),
                format!("cannot connect to the cluster at {shown}: {}", e.message()),
            )
        })?;
        Ok(Connections {
            kind: Kind::Cluster { shared, blocking },
            command_timeout: config.command_timeout,
        })
    }

    /// Opens the shared connection (one attempt with a few quick retries: an unreachable
    /// server at start is the caller's error).
    pub(crate) async fn open(url: &str, config: &StationConfig) -> Result<Self, RedisError> {
        let client = client(url, config)?;
        let manager = ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_min_delay(config.reconnect_initial)
            .set_max_delay(config.reconnect_max)
            .set_connection_timeout(Some(config.command_timeout))
            .set_response_timeout(Some(config.command_timeout));
        let shared = ConnectionManager::new_with_config(client.clone(), manager)
            .await
            .map_err(|e| {
                let e = RedisError::from_client(e);
                let mut message = format!("cannot connect to {}: {}", redacted(url), e.message());
                if !is_tls(url) && message.contains("reset by peer") {
                    message.push_str(" (if the server speaks TLS, use a rediss:// URL)");
                }
                RedisError::new(e.kind(), message)
            })?;
        // A blocking read waits up to `block` for its answer.
        let dedicated = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(config.command_timeout))
            .set_response_timeout(Some(config.block.saturating_add(config.command_timeout)));
        Ok(Connections {
            kind: Kind::Server {
                client,
                shared,
                dedicated,
            },
            command_timeout: config.command_timeout,
        })
    }

    /// A handle to the shared connection (cheap: it is multiplexed).
    pub(crate) fn shared(&self) -> Conn {
        match &self.kind {
            Kind::Server { shared, .. } => Conn::Managed(shared.clone()),
            Kind::Cluster { shared, .. } => Conn::Cluster(shared.clone()),
        }
    }

    /// A connection of its own for Pub/Sub (`SUBSCRIBE`), within the command timeout.
    pub(crate) async fn pubsub(&self) -> Result<redis::aio::PubSub, RedisError> {
        let client = match &self.kind {
            Kind::Server { client, .. } => client,
            Kind::Cluster { .. } => {
                return Err(RedisError::new(
                    RedisErrorKind::Config,
                    "fire-and-forget topics need Pub/Sub, which aplay does not carry over a \
                     Redis Cluster yet: use a durable topic (a stream) there",
                ));
            }
        };
        match tokio::time::timeout(self.command_timeout, client.get_async_pubsub()).await {
            Ok(connected) => connected.map_err(RedisError::from_client),
            Err(_) => Err(RedisError::new(
                RedisErrorKind::Connection,
                "connecting for Pub/Sub took longer than the command timeout",
            )),
        }
    }

    /// A connection of its own, for blocking commands.
    pub(crate) async fn dedicated(&self) -> Result<Conn, RedisError> {
        match &self.kind {
            Kind::Server {
                client, dedicated, ..
            } => client
                .get_multiplexed_async_connection_with_config(dedicated)
                .await
                .map(Conn::Dedicated)
                .map_err(RedisError::from_client),
            Kind::Cluster { blocking, .. } => blocking
                .get_async_connection()
                .await
                .map(Conn::Cluster)
                .map_err(RedisError::from_client),
        }
    }
}

/// Whether `url` asks for TLS.
fn is_tls(url: &str) -> bool {
    url.starts_with("rediss://") || url.starts_with("valkeys://")
}

/// The client for `url`: over TLS for `rediss://` (with the certificates of `config`).
fn client(url: &str, config: &StationConfig) -> Result<Client, RedisError> {
    let refused = |e: redis::RedisError| {
        RedisError::new(
            RedisErrorKind::Config,
            format!("cannot use the URL {}: {e}", redacted(url)),
        )
    };
    #[cfg(not(feature = "redis-tls"))]
    {
        let _ = config;
        if is_tls(url) {
            return Err(RedisError::new(
                RedisErrorKind::Config,
                format!(
                    "{} asks for TLS: turn on aplay's `redis-tls` feature",
                    redacted(url)
                ),
            ));
        }
        Client::open(url).map_err(refused)
    }
    #[cfg(feature = "redis-tls")]
    {
        // The process's rustls provider, unless the program chose one already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tls = &config.tls;
        if tls.root.is_none() && tls.client.is_none() {
            return Client::open(url).map_err(refused);
        }
        if !is_tls(url) {
            return Err(RedisError::new(
                RedisErrorKind::Config,
                format!(
                    "TLS certificates are configured but {} is not a rediss:// URL",
                    redacted(url)
                ),
            ));
        }
        let certificates = redis::TlsCertificates {
            client_tls: tls
                .client
                .as_ref()
                .map(|(cert, key)| redis::ClientTlsConfig {
                    client_cert: cert.clone(),
                    client_key: key.clone(),
                }),
            root_cert: tls.root.clone(),
        };
        Client::build_with_tls(url, certificates).map_err(refused)
    }
}

/// `url` without its password, for messages and logs.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let hidden = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("***@{host}"),
        },
        None => authority.to_owned(),
    };
    // `?pass=...` in a Unix socket URL.
    let path = match path.split_once("pass=") {
        Some((before, after)) => {
            let rest = after.find('&').map_or("", |at| &after[at..]);
            format!("{before}pass=***{rest}")
        }
        None => path.to_owned(),
    };
    format!("{scheme}://{hidden}{path}")
}

/// Runs one command.
pub(crate) async fn query<C>(conn: &mut C, cmd: &Cmd) -> Result<Value, RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    cmd.query_async::<Value>(conn)
        .await
        .map_err(RedisError::from_client)
}

/// Creates the consumer group of `stream` (and the stream), from its first entry: messages
/// sent before any worker existed are handled too. An existing group is left as it is.
pub(crate) async fn ensure_group<C>(
    conn: &mut C,
    stream: &str,
    group: &str,
) -> Result<(), RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    ensure_group_from(conn, stream, group, "0").await
}

/// Creates the consumer group of `stream` (and the stream), reading from the entry after
/// `start` (`"0"`: from the first entry; `"$"`: from the next one appended). An existing
/// group is left as it is.
pub(crate) async fn ensure_group_from<C>(
    conn: &mut C,
    stream: &str,
    group: &str,
    start: &str,
) -> Result<(), RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    let mut cmd = redis::cmd("XGROUP");
    cmd.arg("CREATE")
        .arg(stream)
        .arg(group)
        .arg(start)
        .arg("MKSTREAM");
    match cmd.query_async::<Value>(conn).await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        Err(e) => Err(RedisError::from_client(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_messages() {
        assert_eq!(
            redacted("redis://jobs:secret@127.0.0.1:6379/0"),
            "redis://jobs:***@127.0.0.1:6379/0"
        );
        assert_eq!(redacted("rediss://:secret@host"), "rediss://:***@host");
        assert_eq!(redacted("redis://token@host"), "redis://***@host");
        assert_eq!(
            redacted("redis+unix:///run/redis.sock?user=jobs&pass=secret&db=1"),
            "redis+unix:///run/redis.sock?user=jobs&pass=***&db=1"
        );
        assert_eq!(redacted("redis://127.0.0.1"), "redis://127.0.0.1");
        assert_eq!(redacted("not-a-url"), "not-a-url");
    }
}
