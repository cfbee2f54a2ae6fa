//! Enqueueing in batches: the jobs enqueued through one remote ref while a batch is on its
//! way go to Redis together, in one script call, as a remote ref's tells do. Each job's
//! enqueue still returns once Redis has it (and the replicas asked for); under concurrency,
//! a script call carries up to a read batch of jobs instead of one.
//!
//! The jobs of a call that run now, without a unique key, a rate key or an id of the
//! caller's, go in packs, one stream entry per lane for up to a read batch of them (see
//! [`crate::redis::pack`]); a lone one gets an entry of its own.

use std::sync::{Arc, LazyLock};

use redis::Value;
use tokio::sync::{mpsc, oneshot};

use super::book::BOOK_FNS;
use super::entries::JOB_ENTRY_FNS;
use super::id::JobId;
use crate::error::Error;
use crate::path::ActorPath;
use crate::redis::backoff::Backoff;
use crate::redis::entry::string;
use crate::redis::error::{RedisError, RedisErrorKind};
use crate::redis::group::millis;
use crate::redis::lane::JobPriority;
use crate::redis::pack::packed;
use crate::redis::replicas::call_script;
use crate::redis::retry::retry;
use crate::redis::shared::Station;

/// Enqueues a batch of jobs of one path: jobs one by one, then packs. `KEYS[1..3]`: the
/// streams of the lanes (high, normal, low), `KEYS[4]`: the delayed set, `KEYS[5]`: the
/// path's queue settings, `KEYS[6]`: the entries of the jobs without a record, then per job
/// its record and its unique-key lock (the record again when it has no key), then per pack
/// the record of its first job. `ARGV[1]`: the number of jobs one by one, `ARGV[2]`: the
/// prefix of the books of jobs done without a record, `ARGV[3]`: how long a finished record
/// lives (ms). Per job, nine `ARGV`: its id; `now`, `after` (then ms from now, by the
/// server's clock) or `at` (then ms since the epoch); those ms; its unique key or `""`; how
/// long the lock lives (ms); its encoded message; its lane (`high`, `low`, or `""` for
/// normal: another lane tells the path's workers to read the lanes); its rate key or `""`;
/// `1` for a job that gets no record until it ends (only its entry, in `KEYS[6]`), or `""`.
/// Then per pack (see
/// [`crate::redis::pack`]): its lane, its id, how many jobs it holds and their messages (a
/// pack's jobs run now and get no record until they end; the pack is listed in `KEYS[6]`
/// under its id until its last job ends).
///
/// Returns, per job one by one, `{outcome, holder}`: `queued`, `delayed`, `again` (a job
/// with this id exists: an earlier call whose answer was lost, or an id given twice) or
/// `duplicate` (`holder`: the job holding the key); then per pack `queued` or `again` (it is
/// listed, or its first job has a record or is in a book: the same call, sent again after
/// its answer was lost).
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local entries = {}
local singles = tonumber(ARGV[1])
for i = 1, singles do
  local record, lock = KEYS[5 + 2 * i], KEYS[6 + 2 * i]
  local a = 3 + (i - 1) * 9
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
        entries[#entries + 1] = listing(entry, lane, false)
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
local a = 3 + singles * 9
local k = 6 + 2 * singles
while a < #ARGV do
  local lane, pack, count, messages = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  k = k + 1
  if redis.call('HEXISTS', KEYS[6], pack) == 1 or redis.call('EXISTS', KEYS[k]) == 1
      or booked(ARGV[2], now, ARGV[3], pack .. '.0') then
    out[#out + 1] = 'again'
  else
    if lane ~= '' then
      redis.call('HSET', KEYS[5], 'lanes', '1')
    end
    local entry = redis.call('XADD', lane_stream(lane, KEYS[1], KEYS[2], KEYS[3]), '*', 'P', count, 'J', pack, 'B', messages)
    redis.call('HSET', KEYS[6], pack, listing(entry, lane, true))
    out[#out + 1] = 'queued'
  end
  a = a + 4
end
if #entries > 0 then
  redis.call('HSET', KEYS[6], unpack(entries))
end
return out
"#;

/// The script's whole source, loaded when Redis does not know it.
static SOURCE: LazyLock<String> = LazyLock::new(|| format!("{}{BOOK_FNS}{SCRIPT}", *JOB_ENTRY_FNS));

static ENQUEUE: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(&SOURCE));

/// One job to enqueue, as the script takes it.
pub(crate) struct JobSpec {
    /// Its id, or empty for one that gets its id here: a fresh one, or its place in a pack.
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
    /// It is in Redis (queued, delayed, or there already with its id), with this id.
    Stored(String),
    /// Another job holds its unique key: that job's id.
    Duplicate(String),
}

/// Jobs enqueued together (one, or all those of an `enqueue_all`), and where their answers go.
type Request = (
    Vec<JobSpec>,
    oneshot::Sender<Result<Vec<Enqueued>, RedisError>>,
);

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
        let mut answers = self.write_all(vec![job]).await?;
        answers.pop().ok_or_else(|| {
            RedisError::reply("the enqueue script returned something unexpected").into()
        })
    }

    /// Enqueues `jobs` in one script call (with the others waiting): all are stored, or
    /// none; returns once Redis has them, with what became of each, in order.
    pub(crate) async fn write_all(&self, jobs: Vec<JobSpec>) -> Result<Vec<Enqueued>, Error> {
        let closed = || {
            Error::Redis(RedisError::new(
                RedisErrorKind::Closed,
                "the task that enqueues jobs is gone (its runtime shut down)",
            ))
        };
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let (done, answer) = oneshot::channel();
        self.requests.send((jobs, done)).map_err(|_| closed())?;
        Ok(answer.await.map_err(|_| closed())??)
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// Takes the jobs that wait, up to a read batch at a time (a request is never split), and
/// enqueues them in one call, retried while Redis cannot take them (the script adds a job
/// whose id it has once).
async fn run(
    station: Arc<Station>,
    path: ActorPath,
    mut incoming: mpsc::UnboundedReceiver<Request>,
) {
    let most = station.config.read_batch.max(1);
    let mut backoff = Backoff::new(
        station.config.reconnect_initial,
        station.config.reconnect_max,
    );
    while let Some(first) = incoming.recv().await {
        let mut jobs = first.0.len();
        let mut batch = vec![first];
        while jobs < most {
            match incoming.try_recv() {
                Ok(next) => {
                    jobs += next.0.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let all: Vec<&JobSpec> = batch.iter().flat_map(|(jobs, _)| jobs).collect();
        let answers = enqueue(&station, path.as_str(), &all, most, &mut backoff).await;
        match answers {
            Ok(answers) => {
                let mut answers = answers.into_iter();
                for (jobs, done) in batch {
                    let _ = done.send(Ok(answers.by_ref().take(jobs.len()).collect()));
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

/// How `jobs` go to the script: one by one (their indexes), and in packs (per lane, up to
/// `most` jobs each, their indexes): the jobs that may be packed, two or more in a lane.
fn plan(jobs: &[&JobSpec], most: usize) -> (Vec<usize>, Vec<(JobPriority, Vec<usize>)>) {
    let mut singles = Vec::new();
    let mut packs = Vec::new();
    for lane in JobPriority::ALL {
        let packable: Vec<usize> = (0..jobs.len())
            .filter(|&i| jobs[i].light && jobs[i].lane == lane)
            .collect();
        if packable.len() >= 2 {
            packs.extend(packable.chunks(most.max(2)).map(|c| (lane, c.to_vec())));
        } else {
            singles.extend(packable);
        }
    }
    singles.extend((0..jobs.len()).filter(|&i| !jobs[i].light));
    singles.sort_unstable();
    (singles, packs)
}

/// The name of `lane` as the scripts take it (`""` for normal).
fn lane_arg(lane: JobPriority) -> &'static str {
    match lane {
        JobPriority::Normal => "",
        other => other.name(),
    }
}

/// One script call for `jobs`, retried while Redis cannot take it; what became of each job,
/// in order.
async fn enqueue(
    station: &Station,
    path: &str,
    jobs: &[&JobSpec],
    most: usize,
    backoff: &mut Backoff,
) -> Result<Vec<Enqueued>, RedisError> {
    let keys = &station.keys;
    let (singles, packs) = plan(jobs, most);
    // The ids: the caller's, else a fresh one, or for a job of a pack its place in the pack.
    let mut ids: Vec<String> = jobs.iter().map(|job| job.id.clone()).collect();
    for &i in &singles {
        if ids[i].is_empty() {
            ids[i] = JobId::<()>::fresh().as_str().to_owned();
        }
    }
    let pack_ids: Vec<String> = packs
        .iter()
        .map(|(_, pack)| {
            let pack_id = JobId::<()>::fresh().as_str().to_owned();
            for (n, &i) in pack.iter().enumerate() {
                ids[i] = crate::redis::pack::job_id(&pack_id, n);
            }
            pack_id
        })
        .collect();
    let mut call = redis::cmd("EVALSHA");
    call.arg(ENQUEUE.get_hash())
        .arg(6 + 2 * singles.len() + packs.len());
    for lane in keys.lanes(path) {
        call.arg(lane);
    }
    call.arg(keys.delayed(path))
        .arg(keys.queue(path))
        .arg(keys.job_entries(path));
    let unique = keys.unique_prefix(path);
    for &i in &singles {
        let job = jobs[i];
        let record = keys.job(path, &ids[i]);
        let lock = if job.key.is_empty() {
            record.clone()
        } else {
            format!("{unique}{}", job.key)
        };
        call.arg(record).arg(lock);
    }
    for (_, pack) in &packs {
        call.arg(keys.job(path, &ids[pack[0]]));
    }
    call.arg(singles.len())
        .arg(keys.done_book_prefix(path))
        .arg(millis(station.config.job_retention));
    for &i in &singles {
        let job = jobs[i];
        call.arg(&ids[i])
            .arg(job.mode)
            .arg(job.ms)
            .arg(&job.key)
            .arg(job.hold)
            .arg(&job.message)
            .arg(lane_arg(job.lane))
            .arg(&job.rate_key)
            .arg(if job.light { "1" } else { "" });
    }
    for ((lane, pack), pack_id) in packs.iter().zip(&pack_ids) {
        let messages = packed(pack.iter().map(|&i| jobs[i].message.as_slice()));
        call.arg(lane_arg(*lane))
            .arg(pack_id)
            .arg(pack.len())
            .arg(messages);
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
    if parts.len() != 2 * singles.len() + packs.len() {
        return Err(unexpected());
    }
    let mut answers: Vec<Option<Enqueued>> = jobs.iter().map(|_| None).collect();
    let mut parts = parts.into_iter().map(string);
    for &i in &singles {
        let (Some(outcome), Some(holder)) = (parts.next(), parts.next()) else {
            return Err(unexpected());
        };
        answers[i] = Some(match outcome?.as_str() {
            "queued" | "delayed" | "again" => Enqueued::Stored(std::mem::take(&mut ids[i])),
            "duplicate" => Enqueued::Duplicate(holder?),
            _ => return Err(unexpected()),
        });
    }
    for (_, pack) in &packs {
        match parts.next().transpose()?.as_deref() {
            Some("queued" | "again") => {}
            _ => return Err(unexpected()),
        }
        for &i in pack {
            answers[i] = Some(Enqueued::Stored(std::mem::take(&mut ids[i])));
        }
    }
    answers
        .into_iter()
        .map(|a| a.ok_or_else(unexpected))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(light: bool, lane: JobPriority) -> JobSpec {
        JobSpec {
            id: String::new(),
            mode: "now",
            ms: 0,
            key: String::new(),
            hold: 1,
            message: Vec::new(),
            lane,
            rate_key: String::new(),
            light,
        }
    }

    #[test]
    fn jobs_that_may_be_packed_go_in_packs_by_lane_and_the_rest_one_by_one() {
        use JobPriority::{High, Low, Normal};
        let specs = [
            job(true, Normal),
            job(false, Normal),
            job(true, High),
            job(true, Normal),
            job(true, Low),
            job(true, Normal),
            job(true, High),
        ];
        let jobs: Vec<&JobSpec> = specs.iter().collect();
        let (singles, packs) = plan(&jobs, 128);
        // A lone light job of its lane (low) goes one by one, like the keyed one.
        assert_eq!(singles, [1, 4]);
        assert_eq!(packs, [(High, vec![2, 6]), (Normal, vec![0, 3, 5])]);
        // Packs hold at most `most` jobs.
        let (_, packs) = plan(&jobs, 2);
        assert_eq!(
            packs,
            [(High, vec![2, 6]), (Normal, vec![0, 3]), (Normal, vec![5])]
        );
    }
}
