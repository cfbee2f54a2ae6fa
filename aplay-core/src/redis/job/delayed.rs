//! Moving delayed jobs that are due into their mailbox stream: one script, run by any
//! process serving the path, so each job is moved exactly once however many run it.

use std::sync::LazyLock;
use std::time::Duration;

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
    local stream = KEYS[3]
    local fields = {'m', m, 'j', id}
    if key ~= '' then
      fields[#fields + 1] = 'k'
      fields[#fields + 1] = key
    end
    if lane == 'high' then
      stream = KEYS[2]
    elseif lane == 'low' then
      stream = KEYS[4]
    end
    if lane ~= '' then
      fields[#fields + 1] = 'p'
      fields[#fields + 1] = lane
    end
    local entry = redis.call('XADD', stream, '*', unpack(fields))
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

static MOVE_DUE: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SCRIPT));

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
