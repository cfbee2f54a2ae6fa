//! Enqueueing in batches: the jobs enqueued through one remote ref while a batch is on its
//! way go to Redis together, in one script call, as a remote ref's tells do. Each job's
//! enqueue still returns once Redis has it (and the replicas asked for); under concurrency,
//! a script call carries up to a read batch of jobs instead of one.

use std::sync::{Arc, LazyLock};

use redis::Value;
use tokio::sync::{mpsc, oneshot};

use super::entries::JOB_ENTRY_FNS;
use crate::error::Error;
use crate::path::ActorPath;
use crate::redis::backoff::Backoff;
use crate::redis::entry::string;
use crate::redis::error::{RedisError, RedisErrorKind};
use crate::redis::lane::JobPriority;
use crate::redis::replicas::call_script;
use crate::redis::retry::retry;
use crate::redis::shared::Station;

/// Enqueues a batch of jobs of one path. `KEYS[1..3]`: the streams of the lanes (high,
/// normal, low), `KEYS[4]`: the delayed set, `KEYS[5]`: the path's queue settings, `KEYS[6]`:
/// the entries of the jobs without a record, then per job its record and its unique-key lock
/// (the record again when it has no key). Per job, nine `ARGV`: its id; `now`, `after` (then
/// ms from now, by the server's clock) or `at` (then ms since the epoch); those ms; its
/// unique key or `""`; how long the lock lives (ms); its encoded message; its lane (`high`,
/// `low`, or `""` for normal: another lane tells the path's workers to read the lanes); its
/// rate key or `""`; `1` for a job that gets no record until it ends (only its entry, in
/// `KEYS[6]`), or `""`.
///
/// Returns, per job, `{outcome, holder}`: `queued`, `delayed`, `again` (a job with this id
/// exists: an earlier call whose answer was lost, or an id given twice) or `duplicate`
/// (`holder`: the job holding the key).
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local entries = {}
for i = 1, (#KEYS - 6) / 2 do
  local record, lock = KEYS[5 + 2 * i], KEYS[6 + 2 * i]
  local a = (i - 1) * 9
  local id, mode, ms, key, hold, message, lane, rate_key, light =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9]
  local outcome, holder = nil, ''
  if redis.call('EXISTS', record) == 1 or redis.call('HEXISTS', KEYS[6], id) == 1 then
    outcome = 'again'
  elseif key ~= '' and not redis.call('SET', lock, id, 'NX', 'PX', hold) then
    outcome, holder = 'duplicate', (redis.call('GET', lock) or '')
  else
    if lane ~= '' then
      redis.call('HSET', KEYS[5], 'lanes', '1')
    end
    local due = now
    if mode == 'after' then
      due = now + tonumber(ms)
    elseif mode == 'at' then
      due = tonumber(ms)
    end
    if due > now then
      redis.call('HSET', record, 'state', 'delayed', 'created', now, 'due', due, 'attempts', 0, 'key', key, 'lane', lane, 'rate_key', rate_key, 'm', message)
      redis.call('ZADD', KEYS[4], due, id)
      outcome = 'delayed'
    else
      local entry = append_job(KEYS[1], KEYS[2], KEYS[3], message, id, key, lane, rate_key)
      if light == '1' then
        entries[#entries + 1] = id
        entries[#entries + 1] = listing(entry, lane)
        if #entries >= 1000 then
          redis.call('HSET', KEYS[6], unpack(entries))
          entries = {}
        end
      else
        redis.call('HSET', record, 'state', 'queued', 'created', now, 'entry', entry, 'attempts', 0, 'key', key, 'lane', lane, 'rate_key', rate_key)
      end
      outcome = 'queued'
    end
  end
  out[#out + 1] = outcome
  out[#out + 1] = holder
end
if #entries > 0 then
  redis.call('HSET', KEYS[6], unpack(entries))
end
return out
"#;

/// The script's whole source, loaded when Redis does not know it.
static SOURCE: LazyLock<String> = LazyLock::new(|| format!("{}{SCRIPT}", *JOB_ENTRY_FNS));

static ENQUEUE: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(&SOURCE));

/// One job to enqueue, as the script takes it.
pub(crate) struct JobSpec {
    pub(crate) id: String,
    /// `now`, `after` or `at`.
    pub(crate) mode: &'static str,
    pub(crate) ms: u64,
    /// The unique key, or empty.
    pub(crate) key: String,
    /// How long the unique key is held (ms).
    pub(crate) hold: u64,
    pub(crate) message: Vec<u8>,
    pub(crate) lane: JobPriority,
    /// The rate key, or empty.
    pub(crate) rate_key: String,
    /// It gets no record until it ends: enqueued to run now, without a unique key, a rate
    /// key or an id of the caller's (its entry then says where it is).
    pub(crate) light: bool,
}

/// What became of one job.
pub(crate) enum Enqueued {
    /// It is in Redis (queued, delayed, or there already with its id).
    Stored,
    /// Another job holds its unique key: that job's id.
    Duplicate(String),
}

type Request = (JobSpec, oneshot::Sender<Result<Enqueued, RedisError>>);

/// The enqueueing task of one remote ref, started with its first job; it ends with the ref.
pub(crate) struct Writer {
    requests: mpsc::UnboundedSender<Request>,
}

impl Writer {
    /// Starts the task that enqueues the jobs of `path`.
    pub(crate) fn start(station: Arc<Station>, path: ActorPath) -> Self {
        let (requests, incoming) = mpsc::unbounded_channel();
        tokio::spawn(run(station, path, incoming));
        Writer { requests }
    }

    /// Enqueues `job`, with the others waiting; returns once Redis has it.
    pub(crate) async fn write(&self, job: JobSpec) -> Result<Enqueued, Error> {
        let closed = || {
            Error::Redis(RedisError::new(
                RedisErrorKind::Closed,
                "the task that enqueues jobs is gone (its runtime shut down)",
            ))
        };
        let (done, answer) = oneshot::channel();
        self.requests.send((job, done)).map_err(|_| closed())?;
        Ok(answer.await.map_err(|_| closed())??)
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// Takes the jobs that wait, up to a read batch at a time, and enqueues them in one call,
/// retried while Redis cannot take them (the script adds a job whose id it has once).
async fn run(
    station: Arc<Station>,
    path: ActorPath,
    mut incoming: mpsc::UnboundedReceiver<Request>,
) {
    let most = station.config.read_batch;
    let mut backoff = Backoff::new(
        station.config.reconnect_initial,
        station.config.reconnect_max,
    );
    while let Some(first) = incoming.recv().await {
        let mut batch = vec![first];
        while batch.len() < most {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let answers = enqueue(&station, path.as_str(), &batch, &mut backoff).await;
        match answers {
            Ok(answers) => {
                for ((_, done), answer) in batch.into_iter().zip(answers) {
                    let _ = done.send(Ok(answer));
                }
            }
            Err(error) => {
                for (_, done) in batch {
                    let _ = done.send(Err(error.clone()));
                }
            }
        }
    }
}

/// One script call for `batch`, retried while Redis cannot take it.
async fn enqueue(
    station: &Station,
    path: &str,
    batch: &[Request],
    backoff: &mut Backoff,
) -> Result<Vec<Enqueued>, RedisError> {
    let keys = &station.keys;
    let mut call = redis::cmd("EVALSHA");
    call.arg(ENQUEUE.get_hash()).arg(6 + 2 * batch.len());
    for lane in keys.lanes(path) {
        call.arg(lane);
    }
    call.arg(keys.delayed(path))
        .arg(keys.queue(path))
        .arg(keys.job_entries(path));
    let unique = keys.unique_prefix(path);
    for (job, _) in batch {
        let record = keys.job(path, &job.id);
        let lock = if job.key.is_empty() {
            record.clone()
        } else {
            format!("{unique}{}", job.key)
        };
        call.arg(record).arg(lock);
    }
    for (job, _) in batch {
        call.arg(&job.id)
            .arg(job.mode)
            .arg(job.ms)
            .arg(&job.key)
            .arg(job.hold)
            .arg(&job.message)
            .arg(match job.lane {
                JobPriority::Normal => "",
                other => other.name(),
            })
            .arg(&job.rate_key)
            .arg(if job.light { "1" } else { "" });
    }
    let conn = station.connections.shared();
    let replicas = station.config.replicas();
    let reply = retry("enqueueing jobs", backoff, || {
        let mut conn = conn.clone();
        let call = &call;
        async move { call_script(&mut conn, &SOURCE, call, replicas).await }
    })
    .await?;
    let unexpected = || RedisError::reply("the enqueue script returned something unexpected");
    let Value::Array(parts) = reply else {
        return Err(unexpected());
    };
    if parts.len() != 2 * batch.len() {
        return Err(unexpected());
    }
    let mut parts = parts.into_iter().map(string);
    let mut answers = Vec::with_capacity(batch.len());
    while let (Some(outcome), Some(holder)) = (parts.next(), parts.next()) {
        answers.push(match outcome?.as_str() {
            "queued" | "delayed" | "again" => Enqueued::Stored,
            "duplicate" => Enqueued::Duplicate(holder?),
            _ => return Err(unexpected()),
        });
    }
    Ok(answers)
}
