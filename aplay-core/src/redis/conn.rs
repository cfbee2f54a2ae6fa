//! Connections to Redis: one shared, multiplexed connection that reconnects by itself, and
//! dedicated ones for the commands that block (a blocking read on the shared connection would
//! hold up every other command behind it).

use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::{AsyncConnectionConfig, Client, Cmd, Value};

use super::config::StationConfig;
use super::error::{RedisError, RedisErrorKind};

/// The client and the shared connection of a station.
#[derive(Clone)]
pub(crate) struct Connections {
    client: Client,
    shared: ConnectionManager,
    dedicated: AsyncConnectionConfig,
}

impl Connections {
    /// Opens the shared connection (one attempt with a few quick retries: an unreachable
    /// server at start is the caller's error).
    pub(crate) async fn open(url: &str, config: &StationConfig) -> Result<Self, RedisError> {
        let client = Client::open(url).map_err(|e| {
            RedisError::new(
                RedisErrorKind::Config,
                format!("cannot use the URL {url:?}: {e}"),
            )
        })?;
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
                RedisError::new(
                    e.kind(),
                    format!("cannot connect to {url}: {}", e.message()),
                )
            })?;
        // A blocking read waits up to `block` for its answer.
        let dedicated = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(config.command_timeout))
            .set_response_timeout(Some(config.block + config.command_timeout));
        Ok(Connections {
            client,
            shared,
            dedicated,
        })
    }

    /// A handle to the shared connection (cheap: it is multiplexed).
    pub(crate) fn shared(&self) -> ConnectionManager {
        self.shared.clone()
    }

    /// A connection of its own, for blocking commands.
    pub(crate) async fn dedicated(&self) -> Result<MultiplexedConnection, RedisError> {
        self.client
            .get_multiplexed_async_connection_with_config(&self.dedicated)
            .await
            .map_err(RedisError::from_client)
    }
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
    let mut cmd = redis::cmd("XGROUP");
    cmd.arg("CREATE")
        .arg(stream)
        .arg(group)
        .arg("0")
        .arg("MKSTREAM");
    match cmd.query_async::<Value>(conn).await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        Err(e) => Err(RedisError::from_client(e)),
    }
}
