//! Reading the mailbox stream: first the entries this consumer had read before (a restart),
//! then new ones in batches, blocking on a connection of its own; now and then, the entries
//! left too long at a dead consumer.
//!
//! After a fault (a lost connection, a Redis restart, a server that could not answer), the
//! entries of this consumer are read again from its pending list before new ones: a read that
//! Redis applied and whose answer was lost left entries there that no one holds. And the next
//! claim of other consumers' entries waits a third of `claim_idle`, so that live consumers
//! refresh the entries they hold first.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::redis::conn::Conn;
use tokio::sync::OwnedSemaphorePermit;

use super::Shared;
use super::acker::Work;
use super::forget::forget_idle_consumers;
use super::held::{Held, too_often};
use crate::redis::backoff::Backoff;
use crate::redis::conn::{ensure_group, query};
use crate::redis::entry::{
    Entry, autoclaim_reply, delivery_counts, read_reply, read_reply_by_stream,
};
use crate::redis::error::RedisError;
use crate::redis::group;
use crate::redis::lane::JobPriority;
use crate::redis::retry::settle;
use crate::wire::Wire;

pub(crate) async fn run<A: Wire>(shared: Arc<Shared<A>>) {
    let mut feeder = Feeder {
        backoff: Backoff::new(
            shared.config().reconnect_initial,
            shared.config().reconnect_max,
        ),
        conn: None,
        faulted: false,
        turn: 0,
        shared,
    };
    feeder.own_pending().await;
    feeder.new_entries().await;
    let _ = feeder.shared.to_acker.send(Work::FeederDone);
}

struct Feeder<A: Wire> {
    shared: Arc<Shared<A>>,
    backoff: Backoff,
    /// The connection for blocking reads, opened on first use and after a fault.
    conn: Option<Conn>,
    /// A command failed since this consumer's pending entries were last read.
    faulted: bool,
    /// Where the lanes' turns are (see `JobPriority::shares`).
    turn: usize,
}

impl<A: Wire> Feeder<A> {
    /// Waits for a free slot, then takes up to `most` of them; `None` when stopping.
    async fn slots_up_to(&self, most: usize) -> Option<Vec<OwnedSemaphorePermit>> {
        let mut stopping = self.shared.stopping.subscribe();
        let first = tokio::select! {
            slot = Arc::clone(&self.shared.slots).acquire_owned() => slot.ok()?,
            _ = stopping.wait_for(|s| *s) => return None,
        };
        let mut slots = vec![first];
        while slots.len() < most {
            match Arc::clone(&self.shared.slots).try_acquire_owned() {
                Ok(slot) => slots.push(slot),
                Err(_) => break,
            }
        }
        Some(slots)
    }

    /// Logs a failed command and waits before the next attempt.
    async fn fault(&mut self, what: &str, error: &RedisError) {
        self.faulted = true;
        let delay = self.backoff.next_delay();
        tracing::warn!(path = %self.shared.path, %error, ?delay, "redis: {what} failed; retrying");
        tokio::time::sleep(delay).await;
        // The group may be gone (the stream deleted, a server without persistence restarted).
        let mut conn = self.shared.station.connections.shared();
        for &lane in self.shared.lanes() {
            let stream = self.shared.stream(lane);
            if let Err(error) = ensure_group(&mut conn, stream, self.shared.group()).await {
                tracing::debug!(%error, "redis: cannot check the consumer group");
            }
        }
    }

    /// The entries this consumer read before and did not acknowledge, but does not hold: a
    /// restarted process finishes them first, and a running one takes back those a read
    /// whose answer was lost gave it.
    async fn own_pending(&mut self) {
        for &lane in self.shared.lanes() {
            self.own_pending_in(lane).await;
        }
    }

    /// [`own_pending`](Self::own_pending) in one lane.
    async fn own_pending_in(&mut self, lane: JobPriority) {
        let mut after = "0-0".to_owned();
        loop {
            if self.shared.is_stopping() {
                return;
            }
            let read = group::read_pending(
                self.shared.stream(lane),
                self.shared.group(),
                self.shared.consumer(),
                self.shared.config().read_batch,
                &after,
            );
            let mut conn = self.shared.station.connections.shared();
            let _rereading = self.shared.held.rereading();
            let entries = match query(&mut conn, &read).await.and_then(read_reply) {
                Ok(entries) => entries,
                Err(error) => {
                    self.fault("reading this consumer's pending entries", &error)
                        .await;
                    continue;
                }
            };
            self.backoff.reset();
            let Some(last) = entries.last() else {
                return;
            };
            after.clone_from(&last.id);
            // Those in hand need no slot and are skipped.
            let mut fresh: Vec<Entry> = entries
                .into_iter()
                .filter(|entry| !self.shared.held.knows(lane, &entry.id))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            tracing::info!(path = %self.shared.path, entries = fresh.len(), %lane, "redis: taking back the entries this consumer had read");
            let counts = self.delivery_counts(lane, &fresh).await;
            while !fresh.is_empty() {
                let Some(mut slots) = self.slots_up_to(fresh.len()).await else {
                    return;
                };
                let rest = fresh.split_off(slots.len());
                self.hand_over(lane, fresh, &counts, &mut slots).await;
                fresh = rest;
            }
        }
    }

    /// New entries, and from time to time those of dead consumers, until stopping.
    async fn new_entries(&mut self) {
        let claim_idle = self.shared.config().claim_idle;
        let claim_every = (claim_idle / 2).max(Duration::from_millis(1));
        let mut next_claim = Instant::now();
        loop {
            if self.shared.is_stopping() {
                return;
            }
            if std::mem::take(&mut self.faulted) {
                self.own_pending().await;
                // Live consumers refresh their entries first (their keepers retry at once).
                next_claim = next_claim.max(Instant::now() + claim_idle / 3);
                continue;
            }
            if Instant::now() >= next_claim {
                self.claim_abandoned().await;
                forget_idle_consumers(&self.shared).await;
                next_claim = Instant::now() + claim_every;
            }
            if !self.shared.wait_while_paused().await {
                return;
            }
            // Under a rate limit, no more at once than a period allows.
            let most = match self.shared.settings.borrow().rate {
                Some(rate) => (rate.max() as usize).min(self.shared.config().read_batch),
                None => self.shared.config().read_batch,
            };
            let Some(mut slots) = self.slots_up_to(most).await else {
                return;
            };
            let block = self
                .shared
                .config()
                .block
                .min(next_claim.saturating_duration_since(Instant::now()))
                .max(Duration::from_millis(1));
            // A stop does not wait for a blocking read: dropping its connection ends it (an
            // entry it was delivering just then stays pending for this consumer, which takes
            // it back at its next start).
            let mut stopping = self.shared.stopping.subscribe();
            let read = tokio::select! {
                read = self.read_new(slots.len(), block) => Some(read),
                _ = stopping.wait_for(|s| *s) => None,
            };
            let Some(read) = read else {
                self.conn = None;
                return;
            };
            let by_lane = match read {
                Ok(by_lane) => by_lane,
                Err(error) => {
                    self.conn = None;
                    self.fault("reading new entries", &error).await;
                    continue;
                }
            };
            self.backoff.reset();
            let counts = HashMap::new(); // a first delivery
            // Highest lane first: the order they go to the actor in.
            for (lane, entries) in by_lane {
                if !entries.is_empty() {
                    self.hand_over(lane, entries, &counts, &mut slots).await;
                }
            }
        }
    }

    /// Up to `slots` new entries, by lane (highest first), waiting up to `block` for the
    /// first. With one lane, one blocking read. With three, the slots are shared out by the
    /// lanes' turns and read without waiting (one pipeline), what a lane leaves unused goes
    /// to those that filled their share, highest first, and only when all are empty does it
    /// wait, on all of them at once.
    async fn read_new(
        &mut self,
        slots: usize,
        block: Duration,
    ) -> Result<Vec<(JobPriority, Vec<Entry>)>, RedisError> {
        let lanes = self.shared.lanes();
        if lanes.len() > 1 {
            let shares = JobPriority::shares(slots, &mut self.turn);
            let mut got = self.read_lanes(shares).await?;
            let mut left = slots - got.iter().map(Vec::len).sum::<usize>();
            for lane in JobPriority::ALL {
                let i = lane.index();
                if left == 0 || shares[i] == 0 || got[i].len() < shares[i] {
                    continue;
                }
                let mut more = [0; 3];
                more[i] = left;
                let [high, normal, low] = self.read_lanes(more).await?;
                let extra = [high, normal, low].into_iter().nth(i).unwrap_or_default();
                left -= extra.len();
                got[i].extend(extra);
            }
            if left < slots {
                return Ok(JobPriority::ALL.into_iter().zip(got).collect());
            }
        }
        // Nothing waiting: wait for the first, on as many lanes as there are slots for (at
        // most one entry each when there are several), highest first; with fewer, not long.
        let waiting: Vec<JobPriority> = lanes.iter().copied().take(slots).collect();
        let block = if waiting.len() < lanes.len() {
            block.min(Duration::from_millis(100))
        } else {
            block
        };
        let count = if lanes.len() > 1 { 1 } else { slots };
        let streams: Vec<String> = waiting
            .iter()
            .map(|lane| self.shared.stream(*lane).to_owned())
            .collect();
        let conn = match self.conn.as_mut() {
            Some(conn) => conn,
            None => self
                .conn
                .insert(self.shared.station.connections.dedicated().await?),
        };
        let keys: Vec<&str> = streams.iter().map(String::as_str).collect();
        let read = group::read_new_of(
            &keys,
            self.shared.group(),
            self.shared.consumer(),
            count,
            block,
        );
        let mut by_stream = read_reply_by_stream(query(conn, &read).await?)?;
        Ok(waiting
            .into_iter()
            .zip(streams)
            .map(|(lane, stream)| {
                let entries = by_stream
                    .iter_mut()
                    .find(|(key, _)| *key == stream)
                    .map(|(_, entries)| std::mem::take(entries))
                    .unwrap_or_default();
                (lane, entries)
            })
            .collect())
    }

    /// New entries of each lane, `counts[lane]` at most, without waiting (one pipeline on the
    /// shared connection).
    async fn read_lanes(&mut self, counts: [usize; 3]) -> Result<[Vec<Entry>; 3], RedisError> {
        let mut pipe = redis::pipe();
        let mut asked = Vec::new();
        for lane in JobPriority::ALL {
            let count = counts[lane.index()];
            if count > 0 {
                pipe.add_command(group::read_new_now(
                    self.shared.stream(lane),
                    self.shared.group(),
                    self.shared.consumer(),
                    count,
                ));
                asked.push(lane);
            }
        }
        let mut got: [Vec<Entry>; 3] = Default::default();
        if asked.is_empty() {
            return Ok(got);
        }
        let mut conn = self.shared.station.connections.shared();
        let replies: Vec<redis::Value> = pipe
            .query_async(&mut conn)
            .await
            .map_err(RedisError::from_client)?;
        for (lane, reply) in asked.into_iter().zip(replies) {
            got[lane.index()] = read_reply(reply)?;
        }
        Ok(got)
    }

    /// Takes over the entries idle longer than `claim_idle` at other consumers (taken for
    /// dead), as many as there are free slots.
    async fn claim_abandoned(&mut self) {
        for &lane in self.shared.lanes() {
            self.claim_abandoned_in(lane).await;
        }
    }

    /// [`claim_abandoned`](Self::claim_abandoned) in one lane.
    async fn claim_abandoned_in(&mut self, lane: JobPriority) {
        let mut cursor = "0-0".to_owned();
        loop {
            let mut slots = Vec::new();
            while slots.len() < self.shared.config().read_batch {
                match Arc::clone(&self.shared.slots).try_acquire_owned() {
                    Ok(slot) => slots.push(slot),
                    Err(_) => break,
                }
            }
            if slots.is_empty() {
                return;
            }
            let claim = group::claim_idle(
                self.shared.stream(lane),
                self.shared.group(),
                self.shared.consumer(),
                self.shared.config().claim_idle,
                &cursor,
                slots.len(),
            );
            let mut conn = self.shared.station.connections.shared();
            // A claim may return this consumer's own entries.
            let _rereading = self.shared.held.rereading();
            let claimed = match query(&mut conn, &claim).await.and_then(autoclaim_reply) {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(path = %self.shared.path, %error, "redis: claiming abandoned entries failed; trying later");
                    return;
                }
            };
            if !claimed.deleted.is_empty() {
                tracing::debug!(path = %self.shared.path, entries = claimed.deleted.len(), "redis: pending entries that no longer exist were dropped");
            }
            if !claimed.entries.is_empty() {
                tracing::info!(path = %self.shared.path, entries = claimed.entries.len(), "redis: took over entries of a consumer that stopped answering");
                let counts = self.delivery_counts(lane, &claimed.entries).await;
                self.hand_over(lane, claimed.entries, &counts, &mut slots)
                    .await;
            }
            if claimed.next == "0-0" || self.shared.is_stopping() {
                return;
            }
            cursor = claimed.next;
        }
    }

    /// How many times each entry was delivered, this delivery included (re-read and claimed
    /// entries); missing ids count as one.
    async fn delivery_counts(
        &mut self,
        lane: JobPriority,
        entries: &[Entry],
    ) -> HashMap<String, u32> {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return HashMap::new();
        };
        let mut pending = redis::cmd("XPENDING");
        pending
            .arg(self.shared.stream(lane))
            .arg(self.shared.group())
            .arg(&first.id)
            .arg(&last.id)
            .arg(entries.len() + self.shared.held.len())
            .arg(self.shared.consumer());
        let conn = self.shared.station.connections.shared();
        let counted = settle(
            &conn,
            &pending,
            "reading delivery counts",
            &mut self.backoff,
        )
        .await
        .and_then(delivery_counts);
        match counted {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(%error, "redis: cannot read delivery counts; counting these as first deliveries");
                HashMap::new()
            }
        }
    }

    /// Takes each entry in hand with one of `slots` and hands it on: to the actor, or to the
    /// acker (deleted entries, entries delivered too often already).
    async fn hand_over(
        &mut self,
        lane: JobPriority,
        entries: Vec<Entry>,
        counts: &HashMap<String, u32>,
        slots: &mut Vec<OwnedSemaphorePermit>,
    ) {
        let max = self.shared.config().max_deliveries;
        let mut to_actor = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(slot) = slots.pop() else {
                tracing::error!("redis: more entries than slots; the rest stay pending");
                break;
            };
            let deliveries = counts.get(&entry.id).copied().unwrap_or(1).max(1);
            let Some(held) = Held::take(&self.shared.held, entry, lane, deliveries, slot) else {
                continue;
            };
            if held.entry.fields.is_none() {
                let _ = self.shared.to_acker.send(Work::Gone { held });
                continue;
            }
            match held.unpack() {
                // A pack's jobs delivered too often are sent to the dead letters after the
                // start check, which skips those that ended (see `dispatch_all`).
                Ok(jobs) if jobs.first().is_some_and(Held::is_packed) => to_actor.extend(jobs),
                Ok(mut single) if deliveries > max => {
                    let Some(held) = single.pop() else { continue };
                    let error = too_often(deliveries);
                    let _ = self.shared.to_acker.send(Work::Dead { held, error });
                }
                Ok(single) => to_actor.extend(single),
                Err(broken) => {
                    let (held, error) = *broken;
                    let _ = self.shared.to_acker.send(Work::Dead { held, error });
                }
            }
        }
        self.shared.start(to_actor, &mut self.backoff).await;
    }
}
