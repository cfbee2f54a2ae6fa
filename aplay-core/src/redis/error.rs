//! What went wrong talking to Redis, as carried by [`Error::Redis`](crate::Error::Redis).

use std::fmt;

/// Which kind of Redis failure it was.
///
/// See the example on [`RedisError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedisErrorKind {
    /// The server could not be reached, or the connection was lost (retried by aplay's own
    /// loops; seen by users only when connecting).
    Connection,
    /// The server refused a command (a wrong key type, a refused AUTH, out of memory..).
    Server,
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
            RedisErrorKind::Server => "server",
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

    /// Whether retrying later may succeed (the connection was lost or refused).
    ///
    /// See the example on [`RedisError`].
    pub fn is_connection(&self) -> bool {
        self.kind == RedisErrorKind::Connection
    }
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

impl std::error::Error for RedisError {}

impl RedisError {
    /// The error of the client crate, classified.
    pub(crate) fn from_client(e: redis::RedisError) -> Self {
        let kind = if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
        {
            RedisErrorKind::Connection
        } else if e.kind() == redis::ErrorKind::InvalidClientConfig {
            RedisErrorKind::Config
        } else if matches!(
            e.kind(),
            redis::ErrorKind::Parse | redis::ErrorKind::UnexpectedReturnType
        ) {
            RedisErrorKind::Reply
        } else {
            RedisErrorKind::Server
        };
        RedisError::new(kind, e.to_string())
    }
}

impl From<RedisError> for crate::Error {
    fn from(e: RedisError) -> Self {
        crate::Error::Redis(e)
    }
}
