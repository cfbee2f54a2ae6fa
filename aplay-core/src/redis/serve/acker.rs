//! The outcomes of handled entries, in the order the actor handled them: acknowledgements and
//! replies (batched, one pipeline per batch), retries of failures, dead letters.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::FutureExt;
use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::Shared;
use super::held::Held;
use crate::actor::Dispatch;
use crate::handle::ActorRef;
use crate::redis::backoff::{Backoff, retry_delay};
use crate::redis::dead_letter::{dead_letter_packed_job, move_to_dead_letters};
use crate::redis::entry::{FAILED, JOB, JOB_KEY, MESSAGE, REPLY_TO, REQUEST};
use crate::redis::error::RedisError;
use crate::redis::group::{millis, trim_handled};
use crate::redis::job::{Ending, JobOutcome, finish};
use crate::redis::lane::JobPriority;
use crate::redis::pack::pack_of;
use crate::redis::retry::{settle, settle_all};
use crate::wire::{Outcome, OutcomeReceiver, Wire};

/// What the acker is told.
pub(crate) enum Work<A: Dispatch> {
    /// In the mailbox of instance `generation`; `outcome` resolves once handled.
    Sent {
        held: Held,
        generation: u64,
        actor: ActorRef<A>,
        outcome: OutcomeReceiver,
    },
    /// To the dead-letter stream, with why.
    Dead { held: Held, error: String },
    /// Deleted from the stream while pending: only acknowledged.
    Gone { held: Held },
    /// What Redis refused of an earlier batch, to be sent again.
    Again(Leftover),
    /// The feeder reads no more.
    FeederDone,
}

struct Handled<A: Dispatch> {
    held: Held,
    generation: u64,
    actor: ActorRef<A>,
    outcome: Outcome,
}

/// How long a dead letter for a panic waits to learn the panic's text.
const PANIC_TEXT_WAIT: Duration = Duration::from_secs(5);

pub(crate) async fn run<A: Wire>(
    shared: Arc<Shared<A>>,
    mut work: mpsc::UnboundedReceiver<Work<A>>,
) {
    let mut acker = Acker {
        in_flight: FuturesOrdered::new(),
        retries: JoinSet::new(),
        batch: Batch::new(&shared),
        failed_generations: HashSet::new(),
        feeder_done: false,
        backoff: Backoff::new(
            shared.config().reconnect_initial,
            shared.config().reconnect_max,
        ),
        shared,
    };
    let most = acker.shared.config().read_batch.saturating_mul(2);
    loop {
        if acker.feeder_done
            && acker.in_flight.is_empty()
            && acker.retries.is_empty()
            && work.is_empty()
        {
            break;
        }
        tokio::select! {
            Some(w) = work.recv() => acker.take(w),
            Some(handled) = acker.in_flight.next(), if !acker.in_flight.is_empty() => acker.handled(handled),
            Some(_) = acker.retries.join_next(), if !acker.retries.is_empty() => {}
        }
        // Whatever else is ready joins the same batch. Polled outside tokio's budget for a
        // task's turn: an outcome ready is taken now, not after the next flush's round trip.
        while acker.batch.len() < most {
            if let Ok(w) = work.try_recv() {
                acker.take(w);
            } else if let Some(Some(handled)) =
                tokio::task::unconstrained(acker.in_flight.next()).now_or_never()
            {
                acker.handled(handled);
            } else {
                break;
            }
        }
        acker.flush().await;
    }
    acker.flush().await;
    acker.shared.finished.send_replace(true);
}

struct Acker<A: Wire> {
    shared: Arc<Shared<A>>,
    in_flight: FuturesOrdered<futures::future::BoxFuture<'static, Handled<A>>>,
    retries: JoinSet<()>,
    batch: Batch,
    /// The instances whose failure was already charged to an entry: the entries after it in
    /// that instance's mailbox were lost with it, through no fault of theirs.
    failed_generations: HashSet<u64>,
    feeder_done: bool,
    backoff: Backoff,
}

impl<A: Wire> Acker<A> {
    fn take(&mut self, work: Work<A>) {
        match work {
            Work::Sent {
                held,
                generation,
                actor,
                outcome,
            } => self.in_flight.push_back(
                async move {
                    Handled {
                        outcome: outcome.await,
                        held,
                        generation,
                        actor,
                    }
                }
                .boxed(),
            ),
            Work::Dead { held, error } => self.batch.dead(&self.shared, held, &error),
            Work::Gone { held } => self.batch.ended(held),
            Work::Again(leftover) => self.batch.take_back(leftover),
            Work::FeederDone => self.feeder_done = true,
        }
    }

    fn handled(&mut self, handled: Handled<A>) {
        let Handled {
            mut held,
            generation,
            actor,
            outcome,
        } = handled;
        match outcome {
            Outcome::Replied { reply, error: None } => self.batch.success(held, reply),
            Outcome::Replied {
                reply,
                error: Some(error),
            } => {
                held.last_reply = Some(reply);
                self.failed(held, error);
            }
            Outcome::Unencodable(e) => {
                self.failed(held, format!("the reply cannot be encoded: {e}"))
            }
            Outcome::NoReply if self.failed_generations.insert(generation) => {
                // The first entry without a reply in this instance is the one it failed on.
                if held.job.as_ref().is_some_and(|job| job.is_cancelled()) {
                    self.cancelled(held);
                } else if held.deliveries >= self.shared.config().max_deliveries {
                    let to_acker = self.shared.to_acker.clone();
                    self.retries.spawn(async move {
                        let error =
                            match tokio::time::timeout(PANIC_TEXT_WAIT, actor.wait_stopped()).await
                            {
                                Ok(reason) => format!("the actor {reason}"),
                                Err(_) => {
                                    "the handler panicked or the actor stopped before replying"
                                        .to_owned()
                                }
                            };
                        let _ = to_acker.send(Work::Dead { held, error });
                    });
                } else {
                    let error = "the handler panicked or the actor stopped before replying";
                    self.batch
                        .record(&held, JobOutcome::Failed(error.to_owned()));
                    self.retry(held, true);
                }
            }
            // Lost with the instance that failed on an earlier entry: delivered again, not
            // counted as a failure of its own.
            Outcome::NoReply => self.retry(held, false),
        }
    }

    fn failed(&mut self, held: Held, error: String) {
        if held.job.as_ref().is_some_and(|job| job.is_cancelled()) {
            self.cancelled(held);
        } else if held.deliveries >= self.shared.config().max_deliveries {
            self.batch.dead(&self.shared, held, &error);
        } else {
            tracing::info!(path = %self.shared.path, entry = held.id(), deliveries = held.deliveries, %error, "redis: handling failed; delivering again later");
            self.batch.record(&held, JobOutcome::Failed(error.clone()));
            self.retry(held, true);
        }
    }

    /// A job whose handler failed after a cancel was asked for: it ends as cancelled, and
    /// its entry is acknowledged.
    fn cancelled(&mut self, held: Held) {
        tracing::info!(path = %self.shared.path, entry = held.id(), "redis: a job was cancelled while it ran");
        self.batch.record(&held, JobOutcome::Cancelled);
        self.batch.ended(held);
    }

    fn retry(&mut self, held: Held, counted: bool) {
        self.retries
            .spawn(retry(Arc::clone(&self.shared), held, counted));
    }

    /// Sends the batch: acknowledgements, replies and dead letters, each retried until Redis
    /// applied it or refused it for good. Nothing is dropped while Redis cannot take it: an
    /// acknowledgement Redis refuses now is sent again (never claimed by another worker
    /// meanwhile: the entries stay in hand, refreshed).
    async fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let mut batch = std::mem::replace(&mut self.batch, Batch::new(&self.shared));
        // The records first: a job recorded done and not yet acknowledged is skipped when it
        // is delivered again (its worker died between the two).
        let records = std::mem::take(&mut batch.records);
        let packs_ended = std::mem::take(&mut batch.packs_ended);
        if !records.is_empty() || !packs_ended.is_empty() {
            let conn = self.shared.station.connections.shared();
            let retention = millis(self.shared.config().job_retention);
            let recorded = finish(
                &conn,
                &records,
                &packs_ended,
                retention,
                &self.shared.unique_prefix,
                &self.shared.job_entries,
                &self.shared.book_prefix,
                self.shared.consumer(),
                &mut self.backoff,
            )
            .await;
            if let Err(error) = recorded {
                self.shared.refused(&error, "recording how jobs went");
            }
        }
        let commands = batch.commands(&self.shared);
        let mut conn = self.shared.station.connections.shared();
        let results = settle_all(
            &mut conn,
            &commands,
            "acknowledging handled entries",
            &mut self.backoff,
        )
        .await;
        if let Some(leftover) = batch.settled(&self.shared, results) {
            // Kept in hand (refreshed, so no one else takes them) and sent again after a
            // pause, until Redis takes them or serving stops (then they stay pending).
            let shared = Arc::clone(&self.shared);
            self.retries.spawn(async move {
                let mut stopping = shared.stopping.subscribe();
                tokio::select! {
                    () = tokio::time::sleep(shared.config().reconnect_max) => {
                        let _ = shared.to_acker.send(Work::Again(leftover));
                    }
                    _ = stopping.wait_for(|s| *s) => {}
                }
            });
        }
    }
}

/// Delivers a failed entry again: after a delay when the failure is its own (the new
/// delivery count is written to Redis first, so a crash does not reset it), at once when it
/// was lost with a failed instance. Given up when serving stops meanwhile.
async fn retry<A: Wire>(shared: Arc<Shared<A>>, mut held: Held, counted: bool) {
    let mut stopping = shared.stopping.subscribe();
    if counted && held.is_packed() {
        // A job of a pack: its count is kept here (the pack's count in Redis is the pack's).
        let delay = {
            let config = shared.config();
            retry_delay(config.retry_delay, config.reconnect_max, held.deliveries)
        };
        tokio::select! {
            () = tokio::time::sleep(delay) => held.deliveries = held.deliveries.saturating_add(1),
            _ = stopping.wait_for(|s| *s) => return,
        }
    } else if counted {
        let config = shared.config();
        let delay = retry_delay(config.retry_delay, config.reconnect_max, held.deliveries);
        let next = held.deliveries.saturating_add(1);
        let mut claim = redis::cmd("XCLAIM");
        claim
            .arg(shared.stream(held.lane))
            .arg(shared.group())
            .arg(shared.consumer())
            .arg(0)
            .arg(held.id())
            .arg("RETRYCOUNT")
            .arg(next)
            .arg("JUSTID");
        let conn = shared.station.connections.shared();
        let mut backoff = Backoff::new(config.reconnect_initial, config.reconnect_max);
        let count = async {
            tokio::time::sleep(delay).await;
            settle(&conn, &claim, "counting a delivery", &mut backoff).await
        };
        tokio::select! {
            counted = count => {
                if let Err(error) = counted {
                    // Delivered anyway: the count in Redis stays one behind.
                    shared.refused(&error, "counting a delivery");
                }
                held.deliveries = next;
            }
            _ = stopping.wait_for(|s| *s) => return,
        }
    }
    if shared.is_stopping() {
        return;
    }
    shared.dispatch(held).await;
}

/// The reply of an ask, on its way to the asker's reply stream.
struct Reply {
    to: Vec<u8>,
    request: Vec<u8>,
    /// [`MESSAGE`] (the handler's reply) or [`FAILED`] (why there is none).
    field: &'static [u8],
    value: Vec<u8>,
}

/// The entries of a batch whose acknowledgement or dead-letter move Redis refused for good.
pub(crate) struct Leftover {
    done: Vec<Held>,
    successes: u64,
    dead: Vec<Dead>,
}

/// A message on its way to the dead letters.
struct Dead {
    held: Held,
    error: String,
    /// Its entry is acknowledged with it (false for a job of a pack whose other jobs have
    /// not all ended).
    acks: bool,
}

/// The acknowledgements, replies and dead letters of one batch, sent as one pipeline.
struct Batch {
    /// Handled (or deleted from the stream): acknowledged and deleted together. A job of a
    /// pack is here only when it is the last of its pack to end.
    done: Vec<Held>,
    successes: u64,
    replies: Vec<Reply>,
    /// Moved to the dead letters, each on its own.
    dead: Vec<Dead>,
    /// What the records of jobs say of their end, or of a failure: one script for all, run
    /// before the acknowledgements.
    records: Vec<Ending>,
    /// The packs whose last job ended: taken off the list of jobs without a record by the
    /// same script.
    packs_ended: Vec<String>,
    record_prefix: String,
    expiry_ms: u64,
}

impl Batch {
    fn new<A: Dispatch>(shared: &Shared<A>) -> Self {
        Batch {
            done: Vec::new(),
            successes: 0,
            replies: Vec::new(),
            dead: Vec::new(),
            records: Vec::new(),
            packs_ended: Vec::new(),
            record_prefix: shared.record_prefix.clone(),
            expiry_ms: millis(shared.config().reply_expiry),
        }
    }

    /// Its size: the entries it acknowledges or moves, or the records it writes (a job of a
    /// pack has a record and, but for the last of its pack, nothing to acknowledge).
    fn len(&self) -> usize {
        (self.done.len() + self.dead.len()).max(self.records.len())
    }

    fn is_empty(&self) -> bool {
        self.len() == 0 && self.records.is_empty() && self.packs_ended.is_empty()
    }

    /// Counts `held` as ended (see [`Held::end`]): whether its entry is to be acknowledged
    /// now. For the last job of a pack, the pack also leaves the list of jobs without a
    /// record.
    fn end(&mut self, held: &Held) -> bool {
        let last = held.end();
        if last && held.is_packed() {
            let pack = held.entry.text(JOB).and_then(pack_of).map(|(pack, _)| pack);
            self.packs_ended.extend(pack.map(str::to_owned));
        }
        last
    }

    /// Keeps how the job `held` went (nothing for an entry that is not a job).
    fn record(&mut self, held: &Held, outcome: JobOutcome) {
        let Some(id) = held.entry.text(JOB) else {
            return;
        };
        self.records.push(Ending {
            record: format!("{}{id}", self.record_prefix),
            id: id.to_owned(),
            has_key: held.entry.field(JOB_KEY).is_some(),
            packed: held.is_packed(),
            attempts: held.deliveries,
            created: entry_millis(held.id()),
            started_ago: u64::try_from(held.taken.elapsed().as_millis()).unwrap_or(u64::MAX),
            outcome,
        });
    }

    /// Takes back what Redis refused of an earlier batch (its replies went already).
    fn take_back(&mut self, leftover: Leftover) {
        self.done.extend(leftover.done);
        self.successes += leftover.successes;
        self.dead.extend(leftover.dead);
    }

    fn success(&mut self, held: Held, reply: Vec<u8>) {
        self.record(&held, JobOutcome::Done(reply.clone()));
        self.reply(&held, MESSAGE, reply);
        self.successes += 1;
        self.ended(held);
    }

    /// `held` ended without a dead letter: its entry is acknowledged with this batch, unless
    /// it is a job of a pack whose other jobs have not all ended (then it is let go).
    fn ended(&mut self, held: Held) {
        if self.end(&held) {
            self.done.push(held);
        }
    }

    fn dead<A: Dispatch>(&mut self, shared: &Shared<A>, held: Held, error: &str) {
        tracing::warn!(path = %shared.path, entry = held.id(), deliveries = held.deliveries, %error, "redis: an entry goes to the dead letters");
        self.record(&held, JobOutcome::Dead(error.to_owned()));
        match held.last_reply.clone() {
            Some(reply) => self.reply(&held, MESSAGE, reply),
            None => self.reply(&held, FAILED, error.as_bytes().to_vec()),
        }
        let acks = self.end(&held);
        self.dead.push(Dead {
            held,
            error: error.to_owned(),
            acks,
        });
    }

    /// The reply of an ask (nothing for a tell).
    fn reply(&mut self, held: &Held, field: &'static [u8], value: Vec<u8>) {
        let (Some(to), Some(request)) = (held.entry.field(REPLY_TO), held.entry.field(REQUEST))
        else {
            return;
        };
        self.replies.push(Reply {
            to: to.to_vec(),
            request: request.to_vec(),
            field,
            value,
        });
    }

    /// The commands, each safe to send again: replies (a reply sent twice reaches its asker
    /// once), dead-letter moves (each checks that its entry is still pending), then per lane
    /// one acknowledgement of the handled entries and a trim of what the group is done with
    /// (nothing reads them again). The records of jobs are written before (by `finish`): a
    /// worker that dies between the two leaves an entry that the next one skips, seeing it
    /// done.
    fn commands<A: Dispatch>(&self, shared: &Shared<A>) -> Vec<redis::Cmd> {
        let mut cmds = Vec::with_capacity(self.replies.len() * 2 + self.dead.len() + 2);
        for reply in &self.replies {
            let mut add = redis::cmd("XADD");
            add.arg(&reply.to)
                .arg("*")
                .arg(REQUEST)
                .arg(&reply.request)
                .arg(reply.field)
                .arg(&reply.value);
            cmds.push(add);
            let mut expire = redis::cmd("PEXPIRE");
            expire.arg(&reply.to).arg(self.expiry_ms);
            cmds.push(expire);
        }
        for Dead { held, error, acks } in &self.dead {
            let command = if *acks {
                move_to_dead_letters
            } else {
                dead_letter_packed_job
            };
            cmds.push(command(
                shared.stream(held.lane),
                &shared.dead,
                shared.group(),
                &held.entry,
                error,
                held.deliveries,
                shared.consumer(),
            ));
        }
        // One acknowledgement per lane with handled entries, then a trim of what the group is
        // done with (cheaper than deleting each entry).
        for lane in JobPriority::ALL {
            let mut ids = self
                .done
                .iter()
                .filter(|h| h.lane == lane)
                .map(Held::id)
                .peekable();
            if ids.peek().is_none() {
                continue;
            }
            let mut ack = redis::cmd("XACK");
            ack.arg(shared.stream(lane)).arg(shared.group());
            for id in ids {
                ack.arg(id);
            }
            cmds.push(ack);
            cmds.push(trim_handled(shared.stream(lane), shared.group()));
        }
        cmds
    }

    /// Counts what Redis applied, and reports what it refused for good. The entries whose
    /// acknowledgement or dead-letter move was refused come back, to be sent again: they
    /// are never handled again meanwhile.
    fn settled<A: Dispatch>(
        self,
        shared: &Shared<A>,
        results: Vec<Result<redis::Value, RedisError>>,
    ) -> Option<Leftover> {
        let mut leftover = Leftover {
            done: Vec::new(),
            successes: 0,
            dead: Vec::new(),
        };
        let mut results = results.into_iter();
        for _ in &self.replies {
            for result in results.by_ref().take(2) {
                if let Err(error) = result {
                    shared.refused(&error, "sending the reply of an ask");
                }
            }
        }
        let mut dead_lettered = 0;
        for dead in self.dead {
            match results.next() {
                Some(Ok(redis::Value::Int(1))) => dead_lettered += 1,
                Some(Err(refusal)) => {
                    let doing = format!("moving the entry {} to the dead letters", dead.held.id());
                    shared.refused(&refusal, &doing);
                    leftover.dead.push(dead);
                }
                // Moved already, by an earlier attempt whose answer was lost.
                _ => {}
            }
        }
        shared
            .dead_lettered
            .fetch_add(dead_lettered, Ordering::Relaxed);
        if self.done.is_empty() {
            // Jobs of packs whose other jobs have not all ended: their records went through.
            shared.handled.fetch_add(self.successes, Ordering::Relaxed);
        } else {
            let lanes = JobPriority::ALL
                .iter()
                .filter(|lane| self.done.iter().any(|h| h.lane == **lane))
                .count();
            let mut refused = false;
            for _ in 0..lanes {
                if let Some(Err(refusal)) = results.next() {
                    shared.refused(&refusal, "acknowledging handled entries");
                    refused = true;
                }
                if let Some(Err(refusal)) = results.next() {
                    shared.refused(&refusal, "trimming acknowledged entries");
                }
            }
            if refused {
                // All sent again: acknowledging twice does no harm.
                leftover.done = self.done;
                leftover.successes = self.successes;
            } else {
                shared.handled.fetch_add(self.successes, Ordering::Relaxed);
            }
        }
        (!leftover.done.is_empty() || !leftover.dead.is_empty()).then_some(leftover)
    }
}

/// The milliseconds of a stream entry's id (`{ms}-{seq}`): when Redis appended it.
fn entry_millis(id: &str) -> u64 {
    id.split('-')
        .next()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(0)
}
