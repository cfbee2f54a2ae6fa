//! Moving delayed jobs that are due into their mailbox stream: one script, run by any
//! process serving the path, so each job is moved exactly once however many run it.

use std::sync::LazyLock;
use std::time::Duration;

use super::entries::JOB_ENTRY_FNS;
use crate::redis::conn::Conn;
use redis::Value;

use crate::redis::entry::integer;
use crate::redis::error::RedisError;

/// `KEYS[1]`: the delayed set, `KEYS[2..4]`: the streams of the high, normal and low lanes.
/// `ARGV[1]`: the record prefix,
/// `ARGV[2]`: how many to move at most. Returns `{moved, wait}`: `wait` is how many ms until
/// the next delayed job is due, -1 when none is left.
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local job = ARGV[1] .. id
  local m = redis.call('HGET', job, 'm')
  if m then
    local key = redis.call('HGET', job, 'key') or ''
    local lane = redis.call('HGET', job, 'lane') or ''
    local rate_key = redis.call('HGET', job, 'rate_key') or ''
    local entry = append_job(KEYS[2], KEYS[3], KEYS[4], m, id, key, lane, rate_key)
    redis.call('HSET', job, 'state', 'queued', 'entry', entry)
    redis.call('HDEL', job, 'm')
  end
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = -1
if next[2] then
  wait = math.max(0, tonumber(next[2]) - now)
end
return {#due, wait}
"#;

static MOVE_DUE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{}{SCRIPT}", *JOB_ENTRY_FNS)));

/// What one move did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Moved {
    /// How many jobs it moved.
    pub(crate) count: usize,
    /// How long until the next delayed job is due; `None` when there is none.
    pub(crate) next_in: Option<Duration>,
}

/// Moves up to `most` due jobs of the delayed set `delayed` into the stream of their lane
/// (`lanes`: high, normal, low), one attempt: the caller's loop waits out faults.
pub(crate) async fn move_due(
    conn: &mut Conn,
    delayed: &str,
    lanes: &[String; 3],
    record_prefix: &str,
    most: usize,
) -> Result<Moved, RedisError> {
    let reply: Value = MOVE_DUE
        .key(delayed)
        .key(&lanes[0])
        .key(&lanes[1])
        .key(&lanes[2])
        .arg(record_prefix)
        .arg(most)
        .invoke_async(conn)
        .await
        .map_err(RedisError::from_client)?;
    let Value::Array(parts) = reply else {
        return Err(RedisError::reply(
            "the delayed-job script returned something unexpected",
        ));
    };
    let mut parts = parts.into_iter().map(integer);
    let (Some(count), Some(wait)) = (parts.next(), parts.next()) else {
        return Err(RedisError::reply(
            "the delayed-job script returned something unexpected",
        ));
    };
    let wait = wait?;
    Ok(Moved {
        count: usize::try_from(count?).unwrap_or(0),
        next_in: u64::try_from(wait).ok().map(Duration::from_millis),
    })
}

/// `KEYS[1]`: the stream the job's entry is in, `KEYS[2]`: the delayed set, `KEYS[3]`: the
/// job's record. `ARGV[1]`: the group, `ARGV[2]`: the entry, `ARGV[3]`: the job's id,
/// `ARGV[4]`: in how many ms it is due again, `ARGV[5]`: its message. Takes the entry out of
/// the stream and the job back into the delayed set, in one step; 0 when the entry is no
/// longer pending (another consumer took it over): nothing is done then.
const POSTPONE: &str = r#"
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
local t = redis.call('TIME')
local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[4])
redis.call('HSET', KEYS[3], 'state', 'delayed', 'due', due, 'm', ARGV[5])
redis.call('ZADD', KEYS[2], due, ARGV[3])
return 1
"#;

static POSTPONE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(POSTPONE));

/// One job in hand to put back into the delayed set.
pub(crate) struct Postponed<'a> {
    pub(crate) stream: &'a str,
    pub(crate) entry: &'a str,
    pub(crate) id: &'a str,
    pub(crate) record: String,
    pub(crate) message: &'a [u8],
}

/// Puts a job a worker holds back into `delayed`, due in `after` (a job over its rate key's
/// limit); whether it did (not when another consumer took the entry over meanwhile).
pub(crate) async fn postpone(
    conn: &mut Conn,
    delayed: &str,
    group: &str,
    job: &Postponed<'_>,
    after: Duration,
) -> Result<bool, RedisError> {
    let done: Value = POSTPONE_SCRIPT
        .key(job.stream)
        .key(delayed)
        .key(&job.record)
        .arg(group)
        .arg(job.entry)
        .arg(job.id)
        .arg(u64::try_from(after.as_millis()).unwrap_or(u64::MAX))
        .arg(job.message)
        .invoke_async(conn)
        .await
        .map_err(RedisError::from_client)?;
    Ok(done == Value::Int(1))
}
