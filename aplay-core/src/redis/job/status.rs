//! What a job's record says: its state, attempts, last error, result.
//!
//! The record is a hash, `{ns}:job:{path}:{id}`, written by the enqueue, by the worker that
//! runs the job (when it finishes or fails it, and when it starts it again after a failure),
//! by the delayed-job mover and by a cancel. A job taken by a worker for the first time is
//! running by its entry, pending in the consumer group, not by its record. Its fields are
//! named by the constants of [`field`].

use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::Value;

use super::book::BOOK_FNS;
use super::entries::JOB_ENTRY_FNS;
use crate::redis::conn::Conn;
use crate::redis::entry::{integer, string};
use crate::redis::error::RedisError;

/// The names of a record's fields, and of its states.
pub(crate) mod field {
    pub(crate) const STATE: &str = "state";
    pub(crate) const CREATED: &str = "created";
    pub(crate) const DUE: &str = "due";
    pub(crate) const ENTRY: &str = "entry";
    pub(crate) const CONSUMER: &str = "consumer";
    pub(crate) const ATTEMPTS: &str = "attempts";
    pub(crate) const STARTED: &str = "started";
    pub(crate) const FINISHED: &str = "finished";
    pub(crate) const ERROR: &str = "error";
    pub(crate) const RESULT: &str = "result";
    pub(crate) const KEY: &str = "key";
    pub(crate) const CANCEL: &str = "cancel";
    pub(crate) const PROGRESS: &str = "progress";
}

/// Where a job is in its life. See [`JobStatus`].
///
/// ```text
///  delayed ──due──▶ queued ──read by a worker──▶ running ──▶ done
///     │               │                            │  ▲
///     └── cancel ─────┴──────▶ cancelled           ▼  │ retry delay
///                                               failed ──(max_deliveries)──▶ dead
/// ```
///
/// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobState {
    /// Waiting for its time, in the delayed set.
    Delayed,
    /// In the mailbox stream, not yet read by a worker.
    Queued,
    /// Read by a worker ([`JobStatus::consumer`]) and handed to its actor.
    Running,
    /// Its last attempt failed (an `Err`, a panic); it runs again after the retry delay.
    Failed,
    /// Handled: its handler returned without an error.
    Done,
    /// Moved to the dead letters: it failed [`max_deliveries`] times, or did not decode.
    ///
    /// [`max_deliveries`]: crate::redis::StationConfig::max_deliveries
    Dead,
    /// Cancelled before it ran.
    Cancelled,
}

impl JobState {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "delayed" => JobState::Delayed,
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "failed" => JobState::Failed,
            "done" => JobState::Done,
            "dead" => JobState::Dead,
            "cancelled" => JobState::Cancelled,
            _ => return None,
        })
    }

    /// The state's name, as the record holds it (`"queued"`, `"running"`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::redis::JobState;
    /// assert_eq!(JobState::Done.as_str(), "done");
    /// assert!(JobState::Done.is_finished());
    /// assert!(!JobState::Failed.is_finished());
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Delayed => "delayed",
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Failed => "failed",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Whether the job will not run (again): done, dead or cancelled. A finished job's record
    /// is kept for [`job_retention`](crate::redis::StationConfig::job_retention).
    ///
    /// See the example on [`as_str`](Self::as_str).
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Dead | JobState::Cancelled)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job's record, from [`RemoteRef::status`](crate::redis::RemoteRef::status) or
/// [`RedisStation::job_status`](crate::redis::RedisStation::job_status).
///
/// See the example on [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobStatus {
    /// Where it is in its life.
    pub state: JobState,
    /// How many times a worker started it (0 while delayed or queued).
    pub attempts: u32,
    /// The consumer that runs it, or ran it last.
    pub consumer: Option<String>,
    /// The last error: its handler's `Err` as text, a panic, or why it went to the dead
    /// letters.
    pub error: Option<String>,
    /// When it was enqueued (by the Redis server's clock).
    pub created: Option<SystemTime>,
    /// When it is (or was) due, for a delayed job.
    pub due: Option<SystemTime>,
    /// When its last attempt started: when a worker took it from the queue (it may then
    /// wait in that worker's hands behind the jobs taken before it).
    pub started: Option<SystemTime>,
    /// When it finished (done, dead or cancelled).
    pub finished: Option<SystemTime>,
    /// Its unique key, if it was given one.
    pub key: Option<String>,
    /// What its handler last reported with [`Job::progress`](crate::redis::Job::progress).
    pub progress: Option<String>,
    /// Whether a cancel was asked for while it ran: a job that runs again (after a failure)
    /// is then cancelled instead.
    pub cancel_requested: bool,
    /// Its stream entry, while queued or running.
    pub entry: Option<String>,
    pub(crate) result: Option<Vec<u8>>,
}

impl JobStatus {
    /// Reads the reply of `HGETALL` on a record; `None` for an empty one (no such job, or its
    /// record expired).
    pub(crate) fn parse(reply: Value) -> Result<Option<Self>, RedisError> {
        let pairs = match reply {
            Value::Map(pairs) => pairs,
            Value::Array(items) => {
                let mut items = items.into_iter();
                let mut pairs = Vec::new();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    pairs.push((k, v));
                }
                pairs
            }
            Value::Nil => Vec::new(),
            other => {
                return Err(RedisError::reply(format!(
                    "a job record is not a hash: {other:?}"
                )));
            }
        };
        if pairs.is_empty() {
            return Ok(None);
        }
        let mut state = None;
        let mut status = JobStatus {
            state: JobState::Queued,
            attempts: 0,
            consumer: None,
            error: None,
            created: None,
            due: None,
            started: None,
            finished: None,
            key: None,
            progress: None,
            cancel_requested: false,
            entry: None,
            result: None,
        };
        for (name, value) in pairs {
            let name = string(name)?;
            if name == field::RESULT {
                status.result = Some(match value {
                    Value::BulkString(bytes) => bytes,
                    other => string(other)?.into_bytes(),
                });
                continue;
            }
            match name.as_str() {
                field::STATE => state = JobState::parse(&string(value)?),
                field::ATTEMPTS => {
                    status.attempts = u32::try_from(integer(value)?).unwrap_or(0);
                }
                field::CONSUMER => status.consumer = non_empty(string(value)?),
                field::ERROR => status.error = non_empty(string(value)?),
                field::KEY => status.key = non_empty(string(value)?),
                field::PROGRESS => status.progress = non_empty(string(value)?),
                field::ENTRY => status.entry = non_empty(string(value)?),
                field::CANCEL => status.cancel_requested = string(value)? == "1",
                field::CREATED => status.created = Some(time(integer(value)?)),
                field::DUE => status.due = Some(time(integer(value)?)),
                field::STARTED => status.started = Some(time(integer(value)?)),
                field::FINISHED => status.finished = Some(time(integer(value)?)),
                _ => {}
            }
        }
        status.state =
            state.ok_or_else(|| RedisError::reply("a job record without a known state"))?;
        if !matches!(
            status.state,
            JobState::Queued | JobState::Running | JobState::Failed
        ) {
            status.entry = None;
        }
        Ok(Some(status))
    }
}

/// `KEYS[1]`: the job's record, `KEYS[2..4]`: the streams of the high, normal and low lanes,
/// `KEYS[5]`: the entries of the path's jobs without a record; `ARGV[1]`: the consumer
/// group, `ARGV[2]`: the job's id, `ARGV[3]`: the prefix of the books of jobs done without a
/// record, `ARGV[4]`: how long a finished record lives (ms). Returns `{record}` (its fields
/// and values, as `HGETALL` gives them; for a job without a record yet, made from its entry:
/// queued, created when it was appended; for a job done without one, from its book), and for a job that is queued by its record but that a worker has read
/// already (its entry pending in the group), also that consumer, the entry's idle time and
/// delivery count, and the server's time (ms): a worker does not write a job's record when it
/// first takes it, only when it takes it again or the job ends.
const READ: &str = r#"
local record = redis.call('HGETALL', KEYS[1])
local state, entry, lane = nil, nil, ''
for i = 1, #record, 2 do
  local name = record[i]
  if name == 'state' then
    state = record[i + 1]
  elseif name == 'entry' then
    entry = record[i + 1]
  elseif name == 'lane' then
    lane = record[i + 1]
  end
end
if not state then
  local t = redis.call('TIME')
  local value = booked(ARGV[3], tonumber(t[1]) * 1000, ARGV[4], ARGV[2])
  if value then
    return {book_fields(value) or {}}
  end
  local created
  entry, lane, created = listed(KEYS[5], ARGV[2])
  if not entry then
    return {{}}
  end
  state = 'queued'
  for _, v in ipairs({'state', state, 'entry', entry, 'lane', lane, 'created', created, 'attempts', '0'}) do
    record[#record + 1] = v
  end
end
if state ~= 'queued' or not entry or entry == '' then
  return {record}
end
local stream = lane_stream(lane, KEYS[2], KEYS[3], KEYS[4])
local pending = redis.pcall('XPENDING', stream, ARGV[1], entry, entry, 1)
if type(pending) ~= 'table' or pending.err or #pending == 0 then
  return {record}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {record, pending[1][2], pending[1][3], pending[1][4], now}
"#;

static READ_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{}{BOOK_FNS}{READ}", *JOB_ENTRY_FNS)));

/// The status of the job `id` whose record is `keys[0]` (`keys[1..4]`: the path's lanes,
/// highest first, `keys[4]`: its jobs without a record); `None` for no such job, or one whose
/// record expired.
pub(crate) async fn read(
    conn: &Conn,
    keys: [&str; 5],
    group: &str,
    id: &str,
    book_prefix: &str,
    retention_ms: u64,
) -> Result<Option<JobStatus>, RedisError> {
    let mut call = READ_SCRIPT.prepare_invoke();
    for key in keys {
        call.key(key);
    }
    call.arg(group).arg(id).arg(book_prefix).arg(retention_ms);
    let mut conn = conn.clone();
    let reply = call
        .invoke_async::<Value>(&mut conn)
        .await
        .map_err(RedisError::from_client)?;
    let Value::Array(parts) = reply else {
        return Err(RedisError::reply(format!(
            "the status script answered {reply:?}"
        )));
    };
    let mut parts = parts.into_iter();
    let Some(mut status) = JobStatus::parse(parts.next().unwrap_or(Value::Nil))? else {
        return Ok(None);
    };
    if let (Some(consumer), Some(idle), Some(deliveries), Some(now)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    {
        // Read by a worker that has not written the record: running since it was read.
        let idle = integer(idle)?;
        status.state = JobState::Running;
        status.consumer = non_empty(string(consumer)?);
        status.attempts = u32::try_from(integer(deliveries)?).unwrap_or(u32::MAX);
        status.started = Some(time(integer(now)?.saturating_sub(idle)));
    }
    Ok(Some(status))
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn a_record_reads_into_a_status() {
        let reply = Value::Array(vec![
            bulk("state"),
            bulk("running"),
            bulk("attempts"),
            bulk("2"),
            bulk("consumer"),
            bulk("w1"),
            bulk("created"),
            bulk("1000"),
            bulk("key"),
            bulk(""),
            bulk("result"),
            Value::BulkString(vec![0, 255]),
            bulk("entry"),
            bulk("5-0"),
        ]);
        let status = JobStatus::parse(reply).unwrap().unwrap();
        assert_eq!(status.state, JobState::Running);
        assert_eq!(status.attempts, 2);
        assert_eq!(status.consumer.as_deref(), Some("w1"));
        assert_eq!(status.created, Some(UNIX_EPOCH + Duration::from_secs(1)));
        assert_eq!(status.key, None);
        assert_eq!(status.result, Some(vec![0, 255]));
        assert_eq!(status.entry.as_deref(), Some("5-0"));
    }

    #[test]
    fn no_record_is_none_and_a_strange_one_an_error() {
        assert_eq!(JobStatus::parse(Value::Array(vec![])).unwrap(), None);
        let unknown = Value::Array(vec![bulk("state"), bulk("lost")]);
        assert!(JobStatus::parse(unknown).is_err());
        assert!(JobStatus::parse(Value::Int(1)).is_err());
    }
}
