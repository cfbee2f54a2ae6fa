//! Periodic jobs: declared in code, kept in Redis, fired once per slot of their schedule by
//! whichever process serving the path sees the slot first.
//!
//! A periodic job of `path` named `name` is the hash `{ns}:periodic:{path}:{name}` (`schedule`:
//! its text, `m`: the encoded message, `last`: the last slot fired, in ms since the epoch),
//! listed in the set `{ns}:periodic:{path}`. Firing a slot is one script that compares it with
//! `last` and sets it: a slot is fired once, however many processes try. Each fire is a job
//! with the id `{name}@{slot}` and a record of its own.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::redis::conn::Conn;
use redis::Value;

use super::schedule::Schedule;
use crate::redis::conn::query;
use crate::redis::entry::{integer, string};
use crate::redis::error::RedisError;

/// `KEYS[1]`: the periodic job's hash, `KEYS[2]`: the path's set of them. `ARGV[1]`: its name,
/// `ARGV[2]`: its schedule's text, `ARGV[3]`: the encoded message, `ARGV[4]`: the latest slot
/// now (ms). A new schedule (or a changed one) starts after that slot: it fires at its next.
const DECLARE: &str = r#"
if redis.call('HGET', KEYS[1], 'schedule') ~= ARGV[2] then
  redis.call('HSET', KEYS[1], 'last', ARGV[4])
end
redis.call('HSET', KEYS[1], 'schedule', ARGV[2], 'm', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"#;

/// `KEYS[1]`: the periodic job's hash, `KEYS[2]`: the mailbox stream, `KEYS[3]`: the record
/// of the job this fire makes. `ARGV[1]`: the slot (ms), `ARGV[2]`: the job's id. Returns 1
/// when it fired, 0 when the slot was fired already (or the job is gone).
const FIRE: &str = r#"
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '-1')
if last >= tonumber(ARGV[1]) then
  return 0
end
local m = redis.call('HGET', KEYS[1], 'm')
if not m then
  return 0
end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local entry = redis.call('XADD', KEYS[2], '*', 'm', m, 'j', ARGV[2])
redis.call('HSET', KEYS[3], 'state', 'queued', 'created', now, 'entry', entry, 'attempts', 0, 'key', '')
return 1
"#;

static DECLARE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(DECLARE));
static FIRE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(FIRE));

/// A periodic job as Redis keeps it, from
/// [`RedisStation::periodic_jobs`](crate::redis::RedisStation::periodic_jobs).
///
/// See the example on [`RemoteRef::schedule`](crate::redis::RemoteRef::schedule).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Periodic {
    /// Its name.
    pub name: String,
    /// Its schedule, as text (`every 60000ms`, `cron 0 3 * * * *`).
    pub schedule: String,
    /// The last time it fired (a slot of its schedule), or was declared.
    pub last: Option<SystemTime>,
    /// The next time it fires, when its schedule is one this version reads.
    pub next: Option<SystemTime>,
}

/// The milliseconds since the epoch of the Redis server's clock (`TIME`).
pub(crate) async fn server_now(conn: &mut Conn) -> Result<u64, RedisError> {
    let reply = query(conn, &redis::cmd("TIME")).await?;
    let Value::Array(parts) = reply else {
        return Err(RedisError::reply("TIME did not answer two numbers"));
    };
    let mut parts = parts.into_iter().map(integer);
    let (Some(secs), Some(micros)) = (parts.next(), parts.next()) else {
        return Err(RedisError::reply("TIME did not answer two numbers"));
    };
    let ms = secs?.saturating_mul(1000).saturating_add(micros? / 1000);
    Ok(u64::try_from(ms).unwrap_or(0))
}

/// Declares (or updates) the periodic job `name` of `path`.
pub(crate) async fn declare(
    conn: &mut Conn,
    keys: [&str; 2],
    name: &str,
    schedule: &Schedule,
    message: &[u8],
) -> Result<(), RedisError> {
    let now = server_now(conn).await?;
    // The slot just passed, so that the first fire is the next one.
    let latest = schedule.latest(0, now).unwrap_or(now);
    DECLARE_SCRIPT
        .key(keys[0])
        .key(keys[1])
        .arg(name)
        .arg(schedule.to_text())
        .arg(message)
        .arg(latest)
        .invoke_async::<Value>(conn)
        .await
        .map_err(RedisError::from_client)?;
    Ok(())
}

/// Fires slot `slot` of the periodic job whose hash is `periodic`, as the job `id` (record
/// `record`); whether this call fired it.
pub(crate) async fn fire(
    conn: &mut Conn,
    periodic: &str,
    stream: &str,
    record: &str,
    slot: u64,
    id: &str,
) -> Result<bool, RedisError> {
    let fired: Value = FIRE_SCRIPT
        .key(periodic)
        .key(stream)
        .key(record)
        .arg(slot)
        .arg(id)
        .invoke_async(conn)
        .await
        .map_err(RedisError::from_client)?;
    Ok(fired == Value::Int(1))
}

/// The names of the periodic jobs in the set `index`.
pub(crate) async fn names(conn: &mut Conn, index: &str) -> Result<Vec<String>, RedisError> {
    let reply = query(conn, redis::cmd("SMEMBERS").arg(index)).await?;
    let items = match reply {
        Value::Array(items) | Value::Set(items) => items,
        Value::Nil => Vec::new(),
        other => return Err(RedisError::reply(format!("SMEMBERS answered {other:?}"))),
    };
    let mut names: Vec<String> = items.into_iter().map(string).collect::<Result<_, _>>()?;
    names.sort();
    Ok(names)
}

/// The schedule text and last slot of the periodic job whose hash is `periodic`; `None` when
/// it is gone.
pub(crate) async fn read(
    conn: &mut Conn,
    periodic: &str,
) -> Result<Option<(String, Option<u64>)>, RedisError> {
    let reply = query(
        conn,
        redis::cmd("HMGET")
            .arg(periodic)
            .arg("schedule")
            .arg("last"),
    )
    .await?;
    let Value::Array(parts) = reply else {
        return Err(RedisError::reply("HMGET did not answer a list"));
    };
    let mut parts = parts.into_iter();
    let schedule = match parts.next() {
        Some(Value::Nil) | None => return Ok(None),
        Some(text) => string(text)?,
    };
    let last = match parts.next() {
        Some(Value::Nil) | None => None,
        Some(value) => u64::try_from(integer(value)?).ok(),
    };
    Ok(Some((schedule, last)))
}

/// The listing of one periodic job.
pub(crate) fn describe(name: String, schedule: String, last: Option<u64>, now: u64) -> Periodic {
    let next = Schedule::from_text(&schedule).and_then(|s| s.next(now));
    Periodic {
        name,
        schedule,
        last: last.map(time),
        next: next.map(time),
    }
}

fn time(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}
