//! A served path's settings as a queue, kept in Redis and read by every process serving it:
//! paused or not, and at most how many messages it starts per period (a rate limit shared by
//! all its workers).
//!
//! The settings are the hash `{ns}:queue:{path}` (`paused`: `1`; `rate` and `key_rate`:
//! `{max}/{ms}`;
//! `lanes`: `1` once a job of high or low priority was sent, set by the enqueue); the
//! rate limit counts in the hash `{ns}:rate:{path}` (`w`: the window, `n`: the messages
//! started in it).

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use crate::redis::conn::Conn;
use redis::Value;

use super::conn::query;
use super::entry::{integer, string};
use super::error::RedisError;
use super::group::millis;

/// At most `max` messages started per `per`, across every process serving a path. The
/// periods are fixed windows of the Redis server's clock (`0..per`, `per..2 per`, ...): a
/// burst of `max` at the end of one window may be followed by `max` at the start of the
/// next.
///
/// See the example on [`RedisStation::set_rate_limit`](super::RedisStation::set_rate_limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    max: u32,
    per: Duration,
}

impl RateLimit {
    /// At most `max` (at least 1) per `per` (at least a millisecond).
    ///
    /// See the example on [`RedisStation::set_rate_limit`](super::RedisStation::set_rate_limit).
    pub fn new(max: u32, per: Duration) -> Self {
        RateLimit {
            max: max.max(1),
            per: per.max(Duration::from_millis(1)),
        }
    }

    /// How many per period.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }

    fn to_text(self) -> String {
        format!("{}/{}", self.max, millis(self.per))
    }

    fn from_text(text: &str) -> Option<Self> {
        let (max, ms) = text.split_once('/')?;
        Some(RateLimit::new(
            max.parse().ok()?,
            Duration::from_millis(ms.parse().ok()?),
        ))
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {:?}", self.max, self.per)
    }
}

/// A served path's settings as a queue, from
/// [`RedisStation::queue_settings`](super::RedisStation::queue_settings).
///
/// See the example on [`RedisStation::set_rate_limit`](super::RedisStation::set_rate_limit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueSettings {
    /// Whether its workers start nothing new ([`pause`](super::RedisStation::pause)).
    pub paused: bool,
    /// Its rate limit, if it has one.
    pub rate: Option<RateLimit>,
    /// Its limit per rate key, if it has one: for the jobs sent with
    /// [`Enqueue::rate_key`](super::Enqueue::rate_key), each key on its own.
    pub key_rate: Option<RateLimit>,
    /// Whether a job with a [priority](super::JobPriority) other than normal was ever sent
    /// to it: its workers then read its three lanes.
    pub priorities: bool,
}

impl QueueSettings {
    pub(crate) async fn read(conn: &mut Conn, key: &str) -> Result<Self, RedisError> {
        let reply = query(
            conn,
            redis::cmd("HMGET")
                .arg(key)
                .arg("paused")
                .arg("rate")
                .arg("lanes")
                .arg("key_rate"),
        )
        .await?;
        let Value::Array(parts) = reply else {
            return Err(RedisError::reply("HMGET did not answer a list"));
        };
        let mut parts = parts.into_iter();
        let text = |value: Option<Value>| match value {
            Some(Value::Nil) | None => Ok(None),
            Some(value) => string(value).map(Some),
        };
        let paused = text(parts.next())?.as_deref() == Some("1");
        let rate = text(parts.next())?.and_then(|t| RateLimit::from_text(&t));
        let priorities = text(parts.next())?.as_deref() == Some("1");
        let key_rate = text(parts.next())?.and_then(|t| RateLimit::from_text(&t));
        Ok(QueueSettings {
            paused,
            rate,
            key_rate,
            priorities,
        })
    }

    pub(crate) async fn set_paused(
        conn: &mut Conn,
        key: &str,
        paused: bool,
    ) -> Result<(), RedisError> {
        let cmd = if paused {
            let mut set = redis::cmd("HSET");
            set.arg(key).arg("paused").arg("1");
            set
        } else {
            let mut del = redis::cmd("HDEL");
            del.arg(key).arg("paused");
            del
        };
        query(conn, &cmd).await?;
        Ok(())
    }

    /// Sets (or, `None`, removes) the limit of the path (`per_key`: `false`) or per rate key.
    pub(crate) async fn set_rate(
        conn: &mut Conn,
        key: &str,
        rate: Option<RateLimit>,
        per_key: bool,
    ) -> Result<(), RedisError> {
        let field = if per_key { "key_rate" } else { "rate" };
        let cmd = match rate {
            Some(rate) => {
                let mut set = redis::cmd("HSET");
                set.arg(key).arg(field).arg(rate.to_text());
                set
            }
            None => {
                let mut del = redis::cmd("HDEL");
                del.arg(key).arg(field);
                del
            }
        };
        query(conn, &cmd).await?;
        Ok(())
    }
}

/// `KEYS`: the counters (the path's, or one per rate key). `ARGV[1]`: max, `ARGV[2]`: the
/// period (ms), then how many each counter wants. Returns `{granted per counter..., ms until
/// the window ends}`.
const TAKE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max, per = tonumber(ARGV[1]), tonumber(ARGV[2])
local window = math.floor(now / per)
local out = {}
for i, counter in ipairs(KEYS) do
  local want = tonumber(ARGV[2 + i])
  local used = 0
  if tonumber(redis.call('HGET', counter, 'w') or '-1') == window then
    used = tonumber(redis.call('HGET', counter, 'n') or '0')
  end
  local granted = math.max(0, math.min(want, max - used))
  redis.call('HSET', counter, 'w', window, 'n', used + granted)
  redis.call('PEXPIRE', counter, per * 2)
  out[i] = granted
end
out[#KEYS + 1] = (window + 1) * per - now
return out
"#;

static TAKE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(TAKE));

/// Takes up to `want` starts from the rate limit `rate` counted in `counter`: how many were
/// granted, and how long until more can be.
pub(crate) async fn take(
    conn: &mut Conn,
    counter: &str,
    rate: RateLimit,
    want: usize,
) -> Result<(usize, Duration), RedisError> {
    let (granted, wait) = take_each(conn, &[(counter.to_owned(), want)], rate).await?;
    Ok((granted.first().copied().unwrap_or(0), wait))
}

/// [`take`] for several counters at once (each wanting its own number): how many each was
/// granted, and how long until more can be.
pub(crate) async fn take_each(
    conn: &mut Conn,
    wants: &[(String, usize)],
    rate: RateLimit,
) -> Result<(Vec<usize>, Duration), RedisError> {
    let mut call = TAKE_SCRIPT.prepare_invoke();
    for (counter, _) in wants {
        call.key(counter);
    }
    call.arg(rate.max).arg(millis(rate.per));
    for (_, want) in wants {
        call.arg(*want);
    }
    let reply: Value = call
        .invoke_async(conn)
        .await
        .map_err(RedisError::from_client)?;
    let unexpected = || RedisError::reply("the rate script returned something unexpected");
    let Value::Array(parts) = reply else {
        return Err(unexpected());
    };
    let mut parts: Vec<i64> = parts.into_iter().map(integer).collect::<Result<_, _>>()?;
    let wait = parts.pop().ok_or_else(unexpected)?;
    if parts.len() != wants.len() {
        return Err(unexpected());
    }
    Ok((
        parts
            .into_iter()
            .map(|g| usize::try_from(g).unwrap_or(0))
            .collect(),
        Duration::from_millis(u64::try_from(wait).unwrap_or(1).max(1)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_is_kept_as_text_and_read_back() {
        let rate = RateLimit::new(10, Duration::from_secs(1));
        assert_eq!(rate.to_text(), "10/1000");
        assert_eq!(RateLimit::from_text("10/1000"), Some(rate));
        assert_eq!(RateLimit::from_text("ten"), None);
        assert_eq!(RateLimit::new(0, Duration::ZERO).max(), 1);
        assert_eq!(rate.to_string(), "10 per 1s");
    }
}
