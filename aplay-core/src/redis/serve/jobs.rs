//! Before entries go to the actor: the jobs among them taken again (after a failure, or from
//! a worker that died) are marked as running in their records, and those cancelled (or done
//! already, delivered again after their acknowledgement was lost) are acknowledged without
//! running. A job taken for the first time costs nothing here: its pending entry says it is
//! running ([`JobStatus`](crate::redis::JobStatus) reads it there), and a cancel that finds it
//! pending asks its handler to stop, as for any running job. The jobs of a pack read for the
//! first time are checked against the list of jobs without a record: a cancel takes a queued
//! one off it.

use super::Shared;
use super::acker::Work;
use super::held::Held;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::entry::JOB;
use crate::redis::group::millis;
use crate::redis::job::{Start, Starting, start, still_listed};

impl<A: Dispatch> Shared<A> {
    /// The entries of `entries` to hand to the actor, in order; the skipped jobs go to the
    /// acker, to be acknowledged (or moved to the dead letters, for a job recorded dead whose
    /// move was not confirmed). Entries that are not jobs, or single jobs taken for the first
    /// time, cost nothing here; the jobs of packs read for the first time cost one `HMGET`
    /// for all (a cancelled one is no longer listed).
    pub(crate) async fn start_jobs(&self, entries: Vec<Held>) -> Vec<Held> {
        let jobs: Vec<Starting> = entries
            .iter()
            .filter_map(|held| {
                Some(Starting {
                    record: format!("{}{}", self.record_prefix, taken_again(held)?),
                    deliveries: held.deliveries,
                })
            })
            .collect();
        let packed: Vec<&str> = entries.iter().filter_map(packed_first_time).collect();
        if jobs.is_empty() && packed.is_empty() {
            return entries;
        }
        let mut backoff =
            Backoff::new(self.config().reconnect_initial, self.config().reconnect_max);
        let conn = self.station.connections.shared();
        let listed = if packed.is_empty() {
            Vec::new()
        } else {
            match still_listed(&conn, &self.job_entries, &packed, &mut backoff).await {
                Ok(listed) => listed,
                Err(error) => {
                    // The jobs matter more than a cancel: they run.
                    self.refused(&error, "reading which jobs of a pack are cancelled");
                    vec![true; packed.len()]
                }
            }
        };
        let run = if jobs.is_empty() {
            Vec::new()
        } else {
            let started = start(
                &conn,
                &jobs,
                self.consumer(),
                millis(self.config().job_retention),
                &self.unique_prefix,
                &self.record_prefix,
                &self.job_entries,
                &self.book_prefix,
                &mut backoff,
            )
            .await;
            match started {
                Ok(run) if run.len() == jobs.len() => run,
                Ok(_) => {
                    tracing::error!(path = %self.path, "redis: the start script answered for another number of jobs; running them all");
                    jobs.iter().map(|_| Start::Run).collect()
                }
                Err(error) => {
                    // The jobs matter more than their records: they run.
                    self.refused(&error, "marking jobs as started");
                    jobs.iter().map(|_| Start::Run).collect()
                }
            }
        };
        let mut listed = listed.into_iter();
        let mut run = run.into_iter();
        let mut kept = Vec::with_capacity(entries.len());
        for held in entries {
            let start = if packed_first_time(&held).is_some() {
                match listed.next() {
                    Some(false) => Start::Skip,
                    _ => Start::Run,
                }
            } else if taken_again(&held).is_some() {
                run.next().unwrap_or(Start::Run)
            } else {
                Start::Run
            };
            match start {
                Start::Run => kept.push(held),
                Start::Skip => {
                    tracing::info!(path = %self.path, entry = held.id(), "redis: a job that was cancelled (or done already) is not run");
                    let _ = self.to_acker.send(Work::Gone { held });
                }
                Start::Dead(error) => {
                    let _ = self.to_acker.send(Work::Dead { held, error });
                }
            }
        }
        kept
    }
}

/// The id of the job `held` is, when a worker takes it again (it was delivered before): only
/// those go through the start script.
fn taken_again(held: &Held) -> Option<&str> {
    (held.deliveries > 1)
        .then(|| held.entry.text(JOB))
        .flatten()
}

/// The id of the job of a pack `held` is, when the pack is read for the first time.
fn packed_first_time(held: &Held) -> Option<&str> {
    (held.is_packed() && held.deliveries <= 1)
        .then(|| held.entry.text(JOB))
        .flatten()
}
