//! What a worker writes to the records of the jobs it runs: started (or skipped, when the job
//! was cancelled or is done already), failed, done, dead. Jobs are the entries with a job id
//! (field `j`); other entries have no record and cost nothing here.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redis::conn::Conn;
use redis::Value;

use super::status::field;
use crate::redis::backoff::Backoff;
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

/// `KEYS`: the records of the jobs about to be handed to the actor. `ARGV[1]`: this consumer,
/// `ARGV[2]`: how long a finished record lives (ms), `ARGV[3]`: the unique-key prefix,
/// `ARGV[4]`: the record prefix, then each job's delivery count. Returns, per job, 1 to run
/// it, 0 to skip it (cancelled, or done already: delivered again after its acknowledgement
/// was lost). A job without a record (expired, replayed) runs, and gets none.
static START: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{RELEASE_FN}{}",
        r#"
local now = now_ms()
local run = {}
for i, job in ipairs(KEYS) do
  local state = redis.call('HGET', job, 'state')
  if not state then
    run[i] = 1
  elseif state == 'done' or state == 'cancelled' then
    run[i] = 0
  elseif redis.call('HGET', job, 'cancel') == '1' then
    redis.call('HSET', job, 'state', 'cancelled', 'finished', now)
    redis.call('HDEL', job, 'm')
    redis.call('PEXPIRE', job, ARGV[2])
    release(job, string.sub(job, #ARGV[4] + 1), ARGV[3])
    run[i] = 0
  else
    redis.call('HSET', job, 'state', 'running', 'consumer', ARGV[1], 'attempts', ARGV[4 + i], 'started', now)
    run[i] = 1
  end
end
return run
"#
    ))
});

/// The source of a script (for `EVAL`): `KEYS[1]`: a finished job's record. `ARGV[1]`: its
/// id, `ARGV[2]`: the unique-key prefix.
static RELEASE: LazyLock<String> =
    LazyLock::new(|| format!("{RELEASE_FN}release(KEYS[1], ARGV[1], ARGV[2])\nreturn 1\n"));

/// One job about to start: its record and its delivery count.
pub(crate) struct Starting {
    pub(crate) record: String,
    pub(crate) deliveries: u32,
}

/// Marks `jobs` as running at `consumer`, and says which to run (`true`) and which to skip.
/// Retried while Redis cannot answer; a refusal runs them all (the records are then not
/// updated: the jobs matter more than their records).
pub(crate) async fn start(
    conn: &Conn,
    jobs: &[Starting],
    consumer: &str,
    retention_ms: u64,
    unique_prefix: &str,
    record_prefix: &str,
    backoff: &mut Backoff,
) -> Result<Vec<bool>, RedisError> {
    let mut call = START.prepare_invoke();
    for job in jobs {
        call.key(&job.record);
    }
    call.arg(consumer)
        .arg(retention_ms)
        .arg(unique_prefix)
        .arg(record_prefix);
    for job in jobs {
        call.arg(job.deliveries);
    }
    let reply = settle_script(conn, &call, "marking jobs as started", backoff).await?;
    let Value::Array(flags) = reply else {
        return Err(RedisError::reply(
            "the start script returned something unexpected",
        ));
    };
    Ok(flags.iter().map(|f| *f != Value::Int(0)).collect())
}

/// The milliseconds since the Unix epoch, by this machine's clock.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The commands that record how a job ended (or failed, to run again), each safe to send
/// twice, for the acknowledgement pipeline.
pub(crate) struct Ending<'a> {
    pub(crate) record: String,
    pub(crate) id: &'a str,
    pub(crate) has_key: bool,
    pub(crate) attempts: u32,
    pub(crate) retention_ms: u64,
    pub(crate) unique_prefix: &'a str,
}

impl Ending<'_> {
    /// Done, with the handler's encoded reply.
    pub(crate) fn done(&self, reply: &[u8]) -> Vec<redis::Cmd> {
        let mut set = redis::cmd("HSET");
        set.arg(&self.record)
            .arg(field::STATE)
            .arg("done")
            .arg(field::RESULT)
            .arg(reply)
            .arg(field::FINISHED)
            .arg(now_ms())
            .arg(field::ATTEMPTS)
            .arg(self.attempts);
        self.finished(set)
    }

    /// Moved to the dead letters, with why.
    pub(crate) fn dead(&self, error: &str) -> Vec<redis::Cmd> {
        let mut set = redis::cmd("HSET");
        set.arg(&self.record)
            .arg(field::STATE)
            .arg("dead")
            .arg(field::ERROR)
            .arg(error)
            .arg(field::FINISHED)
            .arg(now_ms())
            .arg(field::ATTEMPTS)
            .arg(self.attempts);
        self.finished(set)
    }

    /// Cancelled while it ran (its handler gave up, seeing the cancel).
    pub(crate) fn cancelled(&self) -> Vec<redis::Cmd> {
        let mut set = redis::cmd("HSET");
        set.arg(&self.record)
            .arg(field::STATE)
            .arg("cancelled")
            .arg(field::FINISHED)
            .arg(now_ms())
            .arg(field::ATTEMPTS)
            .arg(self.attempts);
        self.finished(set)
    }

    /// Failed, to run again.
    pub(crate) fn failed(&self, error: &str) -> Vec<redis::Cmd> {
        let mut set = redis::cmd("HSET");
        set.arg(&self.record)
            .arg(field::STATE)
            .arg("failed")
            .arg(field::ERROR)
            .arg(error)
            .arg(field::ATTEMPTS)
            .arg(self.attempts);
        vec![set]
    }

    fn finished(&self, set: redis::Cmd) -> Vec<redis::Cmd> {
        let mut expire = redis::cmd("PEXPIRE");
        expire.arg(&self.record).arg(self.retention_ms);
        let mut cmds = vec![set, expire];
        if self.has_key {
            // EVAL, not EVALSHA: a pipeline cannot load a script a restarted server forgot.
            let mut release = redis::cmd("EVAL");
            release
                .arg(RELEASE.as_str())
                .arg(1)
                .arg(&self.record)
                .arg(self.id)
                .arg(self.unique_prefix);
            cmds.push(release);
        }
        cmds
    }
}
