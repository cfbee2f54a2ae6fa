//! A job's stream entry as the scripts write and find it: appended to its lane's stream with
//! its fields, and, while a job has no record, listed by id in the path's
//! `{ns}:job-entries:{path}` (see `Keys::job_entries`).
//!
//! A pack is listed by its id until its last job ends; a worker that reads a pack for the
//! first time skips the jobs marked cancelled in its field `{pack}!` (a cancel of a queued
//! job of a pack marks it there: the pack's entry holds the others, so it cannot be
//! deleted).

use std::sync::LazyLock;

use redis::Value;

use crate::redis::backoff::Backoff;
use crate::redis::conn::Conn;
use crate::redis::entry::string;
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
///   of the job `id` listed in `list` (a job of a pack by its pack's id, `{pack}.{i}`), or
///   nothing when it is not listed.
/// - `mark_cancelled(list, id)`: notes that the queued job `id` of a pack is cancelled, in
///   the field `{pack}!` of `list` (its indexes, each followed by a space).
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
    local pack = string.match(id, '^(.+)%.%d+$')
    at = pack and redis.call('HGET', list, pack)
    if not at then
      return nil
    end
  end
  local entry, lane, packed = string.match(at, '^(%S+) ?(%S*) ?(%S*)$')
  return entry, lane, string.match(entry, '^(%d+)'), packed == 'pack'
end
local function mark_cancelled(list, id)
  local pack, index = string.match(id, '^(.+)%.(%d+)$')
  local marks = redis.call('HGET', list, pack .. '!') or ''
  redis.call('HSET', list, pack .. '!', marks .. index .. ' ')
end
"#
    )
});

/// The jobs marked cancelled in each of `packs` (their indexes), from `list`: the packs
/// read for the first time. Retried while Redis cannot answer.
pub(crate) async fn cancelled_in_packs(
    conn: &Conn,
    list: &str,
    packs: &[&str],
    backoff: &mut Backoff,
) -> Result<Vec<Vec<usize>>, RedisError> {
    let mut get = redis::cmd("HMGET");
    get.arg(list);
    for pack in packs {
        get.arg(format!("{pack}!"));
    }
    let reply = settle(
        conn,
        &get,
        "reading which jobs of packs are cancelled",
        backoff,
    )
    .await?;
    let Value::Array(values) = reply else {
        return Err(RedisError::reply(
            "HMGET answered something other than a list",
        ));
    };
    if values.len() != packs.len() {
        return Err(RedisError::reply(
            "HMGET answered for another number of packs",
        ));
    }
    values
        .into_iter()
        .map(|marks| match marks {
            Value::Nil => Ok(Vec::new()),
            marks => Ok(string(marks)?
                .split_whitespace()
                .filter_map(|index| index.parse().ok())
                .collect()),
        })
        .collect()
}
