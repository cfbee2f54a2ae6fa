//! A job's stream entry as the scripts write and find it: appended to its lane's stream with
//! its fields, and, while a job has no record, listed by id in the path's
//! `{ns}:job-entries:{path}` (see `Keys::job_entries`).
//!
//! A job of a pack is listed the same way; a worker that reads a pack for the first time runs
//! only its jobs still listed (a cancel takes a queued job of a pack off the list: the pack's
//! entry holds the others, so it cannot be deleted).

use std::sync::LazyLock;

use redis::Value;

use crate::redis::backoff::Backoff;
use crate::redis::conn::Conn;
use crate::redis::error::RedisError;
use crate::redis::retry::settle;

use crate::redis::lane::LANE_STREAM_FN;

/// Lua functions for the scripts that write or find a job's entry (after `lane_stream`):
///
/// - `append_job(high, normal, low, message, id, key, lane, rate_key)`: appends the job's
///   entry (fields `m`, `j`, and `k`, `p`, `rk` when not empty) to the stream of its lane
///   among `high`, `normal` and `low`; returns the entry's id.
/// - `listing(entry, lane, packed)`: the value that lists a job without a record: its entry,
///   then its lane when not normal (`"1700000000000-0 high"`), and for a job of a pack its
///   lane and `pack` (`"1700000000000-0  pack"`: see [`crate::redis::pack`]).
/// - `listed(list, id)`: the entry, lane, time of appending (ms) and whether it is in a pack
///   of the job `id` listed in `list`, or nothing when it is not listed.
pub(super) static JOB_ENTRY_FNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{LANE_STREAM_FN}{}",
        r#"
local function append_job(high, normal, low, message, id, key, lane, rate_key)
  local fields = {'m', message, 'j', id}
  if key ~= '' then
    fields[#fields + 1] = 'k'
    fields[#fields + 1] = key
  end
  if lane ~= '' then
    fields[#fields + 1] = 'p'
    fields[#fields + 1] = lane
  end
  if rate_key ~= '' then
    fields[#fields + 1] = 'rk'
    fields[#fields + 1] = rate_key
  end
  return redis.call('XADD', lane_stream(lane, high, normal, low), '*', unpack(fields))
end
local function listing(entry, lane, packed)
  if packed then
    return entry .. ' ' .. lane .. ' pack'
  end
  if lane ~= '' then
    return entry .. ' ' .. lane
  end
  return entry
end
local function listed(list, id)
  local at = redis.call('HGET', list, id)
  if not at then
    return nil
  end
  local entry, lane, packed = string.match(at, '^(%S+) ?(%S*) ?(%S*)$')
  return entry, lane, string.match(entry, '^(%d+)'), packed == 'pack'
end
"#
    )
});

/// Which of `ids` are listed in `list` (the jobs of packs read for the first time: a job a
/// cancel took off the list does not run). Retried while Redis cannot answer.
pub(crate) async fn still_listed(
    conn: &Conn,
    list: &str,
    ids: &[&str],
    backoff: &mut Backoff,
) -> Result<Vec<bool>, RedisError> {
    let mut get = redis::cmd("HMGET");
    get.arg(list).arg(ids);
    let reply = settle(
        conn,
        &get,
        "reading which jobs of a pack are cancelled",
        backoff,
    )
    .await?;
    let Value::Array(values) = reply else {
        return Err(RedisError::reply(
            "HMGET answered something other than a list",
        ));
    };
    if values.len() != ids.len() {
        return Err(RedisError::reply(
            "HMGET answered for another number of jobs",
        ));
    }
    Ok(values.iter().map(|v| *v != Value::Nil).collect())
}
