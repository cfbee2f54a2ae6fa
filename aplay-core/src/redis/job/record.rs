//! What a worker writes to the records of the jobs it runs: started (or skipped, when the job
//! was cancelled or is done already), failed, done, dead. Jobs are the entries with a job id
//! (field `j`); other entries have no record and cost nothing here.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redis::conn::Conn;
use redis::Value;

use super::book::BOOK_FNS;
use crate::redis::backoff::Backoff;
use crate::redis::entry::string;
use crate::redis::error::RedisError;
use crate::redis::retry::settle_script;

/// A Lua function, `release(job, id)`: frees the unique key the record `job` holds, if it is
/// still this job's (it may have expired and been taken by another). `UNIQUE` is the prefix
/// of the unique keys. Used by every script that ends a job.
pub(super) const RELEASE_FN: &str = r#"
local function release(job, id, prefix)
  local key = redis.call('HGET', job, 'key')
  if key and key ~= '' then
    local lock = prefix .. key
    if redis.call('GET', lock) == id then
      redis.call('DEL', lock)
    end
  end
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"#;

/// `KEYS[1]`: the entries of the path's jobs without a record, then the records of the jobs
/// taken again, about to be handed to the actor. `ARGV[1]`: this consumer, `ARGV[2]`: how
/// long a finished record lives (ms), `ARGV[3]`: the unique-key prefix, `ARGV[4]`: the record
/// prefix, `ARGV[5]`: the prefix of the books of jobs done without a record (see
/// `job::book`), then each job's delivery count. Returns, per job, 1 to run it, 0 to skip it
/// (cancelled, or done already: delivered again after its acknowledgement was lost), or the
/// error of a job recorded dead whose move to the dead letters was not confirmed (its worker
/// stopped in between), to move it again. A job without a record runs, and gets one if it is
/// among the jobs without a record yet (else its record expired, or it was replayed).
static START: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{RELEASE_FN}{BOOK_FNS}{}",
        r#"
local now = now_ms()
local run = {}
for i = 2, #KEYS do
  local job, n = KEYS[i], i - 1
  local id = string.sub(job, #ARGV[4] + 1)
  local got = redis.call('HMGET', job, 'state', 'cancel')
  local state, cancel = got[1], got[2]
  if not state and redis.call('HEXISTS', KEYS[1], id) == 0 then
    if booked(ARGV[5], now, ARGV[2], id) then
      run[n] = 0
    else
      run[n] = 1
    end
  elseif state == 'done' or state == 'cancelled' then
    run[n] = 0
  elseif state == 'dead' then
    run[n] = redis.call('HGET', job, 'error') or 'moved to the dead letters before'
  elseif cancel == '1' then
    redis.call('HSET', job, 'state', 'cancelled', 'finished', now)
    redis.call('HDEL', job, 'm')
    redis.call('HDEL', KEYS[1], id)
    redis.call('PEXPIRE', job, ARGV[2])
    release(job, id, ARGV[3])
    run[n] = 0
  else
    redis.call('HSET', job, 'state', 'running', 'consumer', ARGV[1], 'attempts', ARGV[5 + n], 'started', now)
    run[n] = 1
  end
end
return run
"#
    ))
});

/// One job about to start: its record and its delivery count.
pub(crate) struct Starting {
    pub(crate) record: String,
    pub(crate) deliveries: u32,
}

/// What to do with a job taken again, by its record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// Run it (its record now says running).
    Run,
    /// Skip it: cancelled, or done already.
    Skip,
    /// Move it to the dead letters (again), with the error of its record.
    Dead(String),
}

/// Marks `jobs` as running at `consumer`, and says which to run and which to skip.
/// Retried while Redis cannot answer; a refusal runs them all (the records are then not
/// updated: the jobs matter more than their records).
#[allow(clippy::too_many_arguments)] // the keys and arguments of one script
pub(crate) async fn start(
    conn: &Conn,
    jobs: &[Starting],
    consumer: &str,
    retention_ms: u64,
    unique_prefix: &str,
    record_prefix: &str,
    job_entries: &str,
    book_prefix: &str,
    backoff: &mut Backoff,
) -> Result<Vec<Start>, RedisError> {
    let mut call = START.prepare_invoke();
    call.key(job_entries);
    for job in jobs {
        call.key(&job.record);
    }
    call.arg(consumer)
        .arg(retention_ms)
        .arg(unique_prefix)
        .arg(record_prefix)
        .arg(book_prefix);
    for job in jobs {
        call.arg(job.deliveries);
    }
    let reply = settle_script(conn, &call, "marking jobs as started", backoff).await?;
    let Value::Array(flags) = reply else {
        return Err(RedisError::reply(
            "the start script returned something unexpected",
        ));
    };
    Ok(flags
        .into_iter()
        .map(|f| match f {
            Value::Int(0) => Start::Skip,
            Value::Int(_) => Start::Run,
            error => Start::Dead(string(error).unwrap_or_else(|_| "dead".to_owned())),
        })
        .collect())
}

/// The milliseconds since the Unix epoch, by this machine's clock.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `KEYS[1]`: the entries of the path's jobs without a record, then the records of jobs that
/// ended (or failed, to run again). `ARGV[1]`: how long a finished record lives (ms),
/// `ARGV[2]`: the unique-key prefix, `ARGV[3]`: the consumer that ran them, `ARGV[4]`: the
/// prefix of the books of jobs done without a record (see `job::book`), `ARGV[5]`: how many
/// packs whose last job ended follow (they leave `KEYS[1]`, with their cancel marks), then
/// those packs' ids, then per job its id, its state (`done`, `dead`, `cancelled`, `failed`),
/// the value (the result, or the error), its attempts, `1` when it holds a unique key (`p`
/// for a job of a pack, `0` for others), when it was created (ms, from its entry's id: kept
/// only if the record has no time yet), and how long ago its attempt started (ms). A job
/// that ends leaves `KEYS[1]` (a job of a pack, with its pack). A job done that has no
/// record (and no unique key to let go) goes to the book of the jobs done now instead of
/// getting one. Safe to run twice.
static FINISH: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{RELEASE_FN}{BOOK_FNS}{}",
        r#"
local now = now_ms()
local ended = {}
local done = {}
local book, expires = book_of(ARGV[4], now, ARGV[1])
local finished = string.format('%d', now)
local packs = tonumber(ARGV[5])
-- Whether any of these jobs has a record: most have none, and one EXISTS for all of them
-- then spares one per job.
local recorded = false
for first = 2, #KEYS, 1000 do
  if redis.call('EXISTS', unpack(KEYS, first, math.min(#KEYS, first + 999))) > 0 then
    recorded = true
    break
  end
end
for i = 2, #KEYS do
  local record = KEYS[i]
  local a = 5 + packs + (i - 2) * 7
  local id, state, value, attempts, keyed, created, ago =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7]
  if state == 'done' and keyed ~= '1' and (not recorded or redis.call('EXISTS', record) == 0) then
    done[#done + 1] = id
    done[#done + 1] = 'd1\n' .. attempts .. '\n' .. ago .. '\n' .. finished .. '\n' .. created .. '\n' .. ARGV[3] .. '\n' .. value
    if #done >= 1000 then
      redis.call('HSET', book, unpack(done))
      redis.call('PEXPIREAT', book, expires)
      done = {}
    end
  else
    local fields = {'state', state, 'attempts', attempts, 'started', now - tonumber(ago), 'consumer', ARGV[3]}
    if state == 'done' then
      fields[#fields + 1] = 'result'
      fields[#fields + 1] = value
    elseif state == 'failed' or state == 'dead' then
      fields[#fields + 1] = 'error'
      fields[#fields + 1] = value
    end
    if state ~= 'failed' then
      fields[#fields + 1] = 'finished'
      fields[#fields + 1] = now
    end
    redis.call('HSET', record, unpack(fields))
    if created ~= '0' then
      redis.call('HSETNX', record, 'created', created)
    end
    if state ~= 'failed' then
      redis.call('PEXPIRE', record, ARGV[1])
      if keyed == '1' then
        release(record, id, ARGV[2])
      end
    end
  end
  if state ~= 'failed' and keyed ~= 'p' then
    ended[#ended + 1] = id
    if #ended >= 1000 then
      redis.call('HDEL', KEYS[1], unpack(ended))
      ended = {}
    end
  end
end
if #done > 0 then
  redis.call('HSET', book, unpack(done))
  redis.call('PEXPIREAT', book, expires)
end
if #ended > 0 then
  redis.call('HDEL', KEYS[1], unpack(ended))
end
for p = 1, packs do
  redis.call('HDEL', KEYS[1], ARGV[5 + p], ARGV[5 + p] .. '!')
end
return #KEYS - 1
"#
    ))
});

/// How a job's attempt ended, for its record.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    /// Done, with the handler's encoded reply.
    Done(Vec<u8>),
    /// Moved to the dead letters, with why.
    Dead(String),
    /// Cancelled while it ran (its handler gave up, seeing the cancel).
    Cancelled,
    /// Failed, to run again, with why.
    Failed(String),
}

impl Outcome {
    fn state(&self) -> &'static str {
        match self {
            Outcome::Done(_) => "done",
            Outcome::Dead(_) => "dead",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed(_) => "failed",
        }
    }

    fn value(&self) -> &[u8] {
        match self {
            Outcome::Done(reply) => reply,
            Outcome::Dead(error) | Outcome::Failed(error) => error.as_bytes(),
            Outcome::Cancelled => b"",
        }
    }
}

/// One job's ending, for [`finish`].
#[derive(Clone, Debug)]
pub(crate) struct Ending {
    pub(crate) record: String,
    pub(crate) id: String,
    pub(crate) has_key: bool,
    /// A job of a pack: listed by its pack, not by itself.
    pub(crate) packed: bool,
    pub(crate) attempts: u32,
    /// When it was enqueued (ms since the epoch: its first entry's time).
    pub(crate) created: u64,
    /// How long ago this attempt started (ms): when the worker took it.
    pub(crate) started_ago: u64,
    pub(crate) outcome: Outcome,
}

/// Records how `endings` went, and takes the packs `ended` (whose last job ended) off the list
/// of jobs without a record, in one script call (the records of one path share a slot),
/// retried while Redis cannot answer. Its refusal leaves the records as they were.
#[allow(clippy::too_many_arguments)] // the keys and arguments of one script
pub(crate) async fn finish(
    conn: &Conn,
    endings: &[Ending],
    ended: &[String],
    retention_ms: u64,
    unique_prefix: &str,
    job_entries: &str,
    book_prefix: &str,
    consumer: &str,
    backoff: &mut Backoff,
) -> Result<(), RedisError> {
    let mut call = FINISH.prepare_invoke();
    call.key(job_entries);
    for ending in endings {
        call.key(&ending.record);
    }
    call.arg(retention_ms)
        .arg(unique_prefix)
        .arg(consumer)
        .arg(book_prefix)
        .arg(ended.len());
    for pack in ended {
        call.arg(pack);
    }
    for ending in endings {
        call.arg(&ending.id)
            .arg(ending.outcome.state())
            .arg(ending.outcome.value())
            .arg(ending.attempts)
            .arg(match (ending.has_key, ending.packed) {
                (true, _) => "1",
                (false, true) => "p",
                (false, false) => "0",
            })
            .arg(ending.created)
            .arg(ending.started_ago);
    }
    settle_script(conn, &call, "recording how jobs went", backoff).await?;
    Ok(())
}
