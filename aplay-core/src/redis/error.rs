//! What went wrong talking to Redis, as carried by [`Error::Redis`](crate::Error::Redis).

use std::fmt;

/// Which kind of Redis failure it was.
///
/// See the example on [`RedisError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedisErrorKind {
    /// The server could not be reached, the connection was lost, or an answer took longer
    /// than [`command_timeout`](super::StationConfig::command_timeout). Retryable: aplay's
    /// own loops retry it.
    Connection,
    /// The server cannot take the command now, and says so: it is loading its data
    /// (`LOADING`), out of memory with `noeviction` (`OOM`), running a long script (`BUSY`),
    /// a replica (`READONLY`, after a failover), without its master or enough replicas
    /// (`MASTERDOWN`, `NOREPLICAS`), in a cluster that is reconfiguring (`TRYAGAIN`,
    /// `CLUSTERDOWN`, `MOVED`, `ASK`), unable to persist (`MISCONF`). Retryable: aplay's own
    /// loops retry it, and nothing is dropped meanwhile.
    Unavailable,
    /// The server refused the command for good: a key of the wrong type (`WRONGTYPE`), an
    /// argument it does not take. Sending it again would not help.
    Server,
    /// The server refused the credentials (`WRONGPASS`, `NOAUTH`) or the ACL user may not run
    /// the command or touch the key (`NOPERM`).
    Permission,
    /// The server replied with something aplay did not expect.
    Reply,
    /// The URL or the configuration cannot be used.
    Config,
    /// The station or remote ref that was to carry the request is gone.
    Closed,
}

impl fmt::Display for RedisErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedisErrorKind::Connection => "connection",
            RedisErrorKind::Unavailable => "server unavailable",
            RedisErrorKind::Server => "server",
            RedisErrorKind::Permission => "permission",
            RedisErrorKind::Reply => "unexpected reply",
            RedisErrorKind::Config => "configuration",
            RedisErrorKind::Closed => "closed",
        })
    }
}

/// A failure talking to Redis: its [kind](Self::kind) and a message in words.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use aplay_core::Error;
/// use aplay_core::redis::{RedisErrorKind, RedisStation};
/// // Runs without a server: the URL is refused before any connection.
/// let Err(Error::Redis(error)) = RedisStation::connect("not-a-url").await else {
///     panic!("a bad URL is an error")
/// };
/// assert_eq!(error.kind(), RedisErrorKind::Config);
/// assert!(!error.is_connection());
/// assert!(!error.is_retryable()); // the same URL will not work later either
/// println!("{}", error.message());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisError {
    kind: RedisErrorKind,
    message: String,
}

impl RedisError {
    pub(crate) fn new(kind: RedisErrorKind, message: impl Into<String>) -> Self {
        RedisError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn reply(message: impl Into<String>) -> Self {
        RedisError::new(RedisErrorKind::Reply, message)
    }

    /// Which kind of failure it was.
    ///
    /// See the example on [`RedisError`].
    pub fn kind(&self) -> RedisErrorKind {
        self.kind
    }

    /// What happened, in words.
    ///
    /// See the example on [`RedisError`].
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the connection was lost or refused.
    ///
    /// See the example on [`RedisError`].
    pub fn is_connection(&self) -> bool {
        self.kind == RedisErrorKind::Connection
    }

    /// Whether the same command may succeed later: a lost connection
    /// ([`Connection`](RedisErrorKind::Connection)) or a server that cannot take it now
    /// ([`Unavailable`](RedisErrorKind::Unavailable)). aplay's own loops retry these; the
    /// others are final.
    ///
    /// See the example on [`RedisError`].
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            RedisErrorKind::Connection | RedisErrorKind::Unavailable
        )
    }
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

impl std::error::Error for RedisError {}

/// The error codes of a server that cannot take a command now but may later: retried, never
/// taken for a refusal.
const UNAVAILABLE: &[&str] = &[
    "LOADING",
    "OOM",
    "BUSY",
    "TRYAGAIN",
    "MASTERDOWN",
    "READONLY",
    "CLUSTERDOWN",
    "NOREPLICAS",
    "MISCONF",
    "MOVED",
    "ASK",
    // A blocked read whose stream or group was deleted meanwhile: read again.
    "UNBLOCKED",
];

/// The error codes of refused credentials or permissions.
const PERMISSION: &[&str] = &["NOPERM", "WRONGPASS", "NOAUTH"];

/// The kind of a server error reply, from its code (its first word).
pub(crate) fn kind_of_code(code: &str) -> RedisErrorKind {
    if UNAVAILABLE.contains(&code) {
        RedisErrorKind::Unavailable
    } else if PERMISSION.contains(&code) {
        RedisErrorKind::Permission
    } else {
        RedisErrorKind::Server
    }
}

impl RedisError {
    /// The error of the client crate, classified.
    pub(crate) fn from_client(e: redis::RedisError) -> Self {
        let kind = if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
        {
            RedisErrorKind::Connection
        } else if e.kind() == redis::ErrorKind::AuthenticationFailed {
            RedisErrorKind::Permission
        } else if e.kind() == redis::ErrorKind::InvalidClientConfig {
            RedisErrorKind::Config
        } else if matches!(
            e.kind(),
            redis::ErrorKind::Parse | redis::ErrorKind::UnexpectedReturnType
        ) {
            RedisErrorKind::Reply
        } else if let Some(code) = e.code() {
            kind_of_code(code)
        } else {
            RedisErrorKind::Server
        };
        RedisError::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client crate's error for the server reply `text`, parsed as it parses replies.
    fn server_error(text: &str) -> redis::RedisError {
        match redis::parse_redis_value(format!("-{text}\r\n").as_bytes()) {
            Ok(redis::Value::ServerError(e)) => e.into(),
            other => panic!("not parsed as a server error: {other:?}"),
        }
    }

    #[test]
    fn replies_of_a_server_that_cannot_take_a_command_now_are_retryable() {
        for reply in [
            "LOADING Redis is loading the dataset in memory",
            "OOM command not allowed when used memory > 'maxmemory'.",
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
            "TRYAGAIN Multiple keys request during rehashing of slot",
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            "READONLY You can't write against a read only replica.",
            "CLUSTERDOWN The cluster is down",
            "NOREPLICAS Not enough good replicas to write.",
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
            "MOVED 3999 127.0.0.1:6381",
        ] {
            let error = RedisError::from_client(server_error(reply));
            assert_eq!(error.kind(), RedisErrorKind::Unavailable, "{reply}");
            assert!(error.is_retryable(), "{reply}");
            assert!(!error.is_connection(), "{reply}");
        }
    }

    #[test]
    fn refusals_are_final_and_permissions_have_a_kind_of_their_own() {
        for (reply, kind) in [
            (
                "WRONGTYPE Operation against a key holding the wrong kind of value",
                RedisErrorKind::Server,
            ),
            (
                "ERR wrong number of arguments for 'xadd' command",
                RedisErrorKind::Server,
            ),
            (
                "NOPERM User jobs has no permissions to access the 'other:x' key",
                RedisErrorKind::Permission,
            ),
            (
                "WRONGPASS invalid username-password pair or user is disabled.",
                RedisErrorKind::Permission,
            ),
            (
                "NOAUTH Authentication required.",
                RedisErrorKind::Permission,
            ),
        ] {
            let error = RedisError::from_client(server_error(reply));
            assert_eq!(error.kind(), kind, "{reply}");
            assert!(!error.is_retryable(), "{reply}");
        }
    }

    #[test]
    fn a_lost_connection_is_retryable() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let error = RedisError::from_client(io.into());
        assert_eq!(error.kind(), RedisErrorKind::Connection);
        assert!(error.is_retryable());
    }
}
