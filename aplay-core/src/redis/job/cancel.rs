//! Cancelling a job: at once when it is delayed or queued (it never runs), by a request the
//! worker sees when it is running (it does not run again).

use std::sync::LazyLock;

use crate::redis::conn::Conn;

use super::book::BOOK_FNS;
use super::entries::JOB_ENTRY_FNS;
use super::record::RELEASE_FN;
use super::status::JobState;
use crate::redis::backoff::Backoff;
use crate::redis::entry::string;
use crate::redis::error::RedisError;
use crate::redis::retry::settle_script;

/// `KEYS[1]`: the job's record, `KEYS[2]`: the delayed set, `KEYS[3..5]`: the streams of the
/// high, normal and low lanes, `KEYS[6]`: the entries of the path's jobs without a record (a
/// job found there gets one, queued, and is then cancelled as one; a queued job of a pack
/// is not deleted with its pack's entry, only marked in that list, in the field `{pack}!`
/// that the worker reading the pack checks).
/// `ARGV[1]`: the id, `ARGV[2]`: the consumer group, `ARGV[3]`: how long a finished record
/// lives (ms), `ARGV[4]`: the unique-key prefix, `ARGV[5]`: the prefix of the books of jobs
/// done without a record. Returns `cancelled`, `requested` (it is running), `unknown`, or
/// `was:{state}` for a job that finished already.
const SCRIPT: &str = r#"
local state = redis.call('HGET', KEYS[1], 'state')
local packed = false
if not state then
  if booked(ARGV[5], now_ms(), ARGV[3], ARGV[1]) then
    return 'was:done'
  end
  local entry, lane, created
  entry, lane, created, packed = listed(KEYS[6], ARGV[1])
  if not entry then
    return 'unknown'
  end
  redis.call('HSET', KEYS[1], 'state', 'queued', 'entry', entry, 'lane', lane, 'created', created, 'attempts', 0)
  state = 'queued'
end
local function cancel()
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finished', now_ms())
  redis.call('HDEL', KEYS[1], 'm')
  redis.call('HDEL', KEYS[6], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  release(KEYS[1], ARGV[1], ARGV[4])
  return 'cancelled'
end
if state == 'delayed' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return cancel()
end
if state == 'queued' then
  local entry = redis.call('HGET', KEYS[1], 'entry')
  local lane = redis.call('HGET', KEYS[1], 'lane') or ''
  local stream = lane_stream(lane, KEYS[3], KEYS[4], KEYS[5])
  local pending = redis.pcall('XPENDING', stream, ARGV[2], entry, entry, 1)
  if type(pending) ~= 'table' or pending.err or #pending == 0 then
    -- A pack's entry holds other jobs: the worker that reads it skips this one, marked.
    if packed then
      mark_cancelled(KEYS[6], ARGV[1])
    else
      redis.call('XDEL', stream, entry)
    end
    return cancel()
  end
  state = 'running'
end
if state == 'running' or state == 'failed' then
  redis.call('HSET', KEYS[1], 'cancel', '1')
  return 'requested'
end
return 'was:' .. state
"#;

static CANCEL: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!("{RELEASE_FN}{BOOK_FNS}{}{SCRIPT}", *JOB_ENTRY_FNS))
});

/// What a cancel did, from [`RemoteRef::cancel`](crate::redis::RemoteRef::cancel).
///
/// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cancel {
    /// It was delayed or queued: it will not run.
    Cancelled,
    /// A worker has it. If it fails, it is not run again; if its worker dies, the worker
    /// that takes it over cancels it. A handler that is already running finishes (the
    /// record then says done).
    Requested,
    /// It had finished already: done, dead or cancelled.
    Finished(JobState),
    /// No such job, or its record expired.
    Unknown,
}

/// Cancels the job whose record is `record` (retried while Redis cannot answer).
#[allow(clippy::too_many_arguments)] // the keys and arguments of one script
pub(crate) async fn cancel(
    conn: &Conn,
    keys: [&str; 6],
    id: &str,
    group: &str,
    retention_ms: u64,
    unique_prefix: &str,
    book_prefix: &str,
    backoff: &mut Backoff,
) -> Result<Cancel, RedisError> {
    let mut call = CANCEL.prepare_invoke();
    for key in keys {
        call.key(key);
    }
    call.arg(id)
        .arg(group)
        .arg(retention_ms)
        .arg(unique_prefix)
        .arg(book_prefix);
    let reply = settle_script(conn, &call, "cancelling a job", backoff).await?;
    Ok(match string(reply)?.as_str() {
        "cancelled" => Cancel::Cancelled,
        "requested" => Cancel::Requested,
        "unknown" => Cancel::Unknown,
        "was:done" => Cancel::Finished(JobState::Done),
        "was:dead" => Cancel::Finished(JobState::Dead),
        "was:cancelled" => Cancel::Finished(JobState::Cancelled),
        other => {
            return Err(RedisError::reply(format!(
                "the cancel script answered {other:?}"
            )));
        }
    })
}
