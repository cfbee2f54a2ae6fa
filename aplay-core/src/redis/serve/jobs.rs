//! Before entries go to the actor: the jobs among them taken again (after a failure, or from
//! a worker that died) are marked as running in their records, and those cancelled (or done
//! already, delivered again after their acknowledgement was lost) are acknowledged without
//! running. A job taken for the first time costs nothing here: its pending entry says it is
//! running ([`JobStatus`](crate::redis::JobStatus) reads it there), and a cancel that finds it
//! pending asks its handler to stop, as for any running job. A pack read for the first time
//! is checked for cancel marks: a cancel marks a queued job of a pack (its entry holds the
//! others, so it cannot be deleted).

use super::Shared;
use super::acker::Work;
use super::held::Held;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::entry::JOB;
use crate::redis::group::millis;
use crate::redis::job::{Start, Starting, cancelled_in_packs, start};
use crate::redis::pack::pack_of;

impl<A: Dispatch> Shared<A> {
    /// The entries of `entries` to hand to the actor, in order; the skipped jobs go to the
    /// acker, to be acknowledged (or moved to the dead letters, for a job recorded dead whose
    /// move was not confirmed). Entries that are not jobs, or single jobs taken for the first
    /// time, cost nothing here; the packs read for the first time cost one `HMGET` for all
    /// (of their cancel marks).
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
        // The packs read for the first time, each once (their jobs are in a row).
        let mut packs: Vec<&str> = entries
            .iter()
            .filter_map(|held| Some(packed_first_time(held)?.0))
            .collect();
        packs.dedup();
        if jobs.is_empty() && packs.is_empty() {
            return entries;
        }
        let mut backoff =
            Backoff::new(self.config().reconnect_initial, self.config().reconnect_max);
        let conn = self.station.connections.shared();
        let cancelled: Vec<(String, usize)> = if packs.is_empty() {
            Vec::new()
        } else {
            match cancelled_in_packs(&conn, &self.job_entries, &packs, &mut backoff).await {
                Ok(marks) => packs
                    .iter()
                    .zip(marks)
                    .flat_map(|(pack, marks)| marks.into_iter().map(|i| ((*pack).to_owned(), i)))
                    .collect(),
                Err(error) => {
                    // The jobs matter more than a cancel: they run.
                    self.refused(&error, "reading which jobs of packs are cancelled");
                    Vec::new()
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
        let mut run = run.into_iter();
        let mut kept = Vec::with_capacity(entries.len());
        for held in entries {
            let start = if let Some((pack, index)) = packed_first_time(&held) {
                if cancelled.iter().any(|(p, i)| p == pack && *i == index) {
                    Start::Skip
                } else {
                    Start::Run
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

/// The pack and the index of the job of a pack `held` is, when the pack is read for the
/// first time.
fn packed_first_time(held: &Held) -> Option<(&str, usize)> {
    (held.is_packed() && held.deliveries <= 1)
        .then(|| pack_of(held.entry.text(JOB)?))
        .flatten()
}
