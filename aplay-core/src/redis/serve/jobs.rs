//! Before entries go to the actor: the jobs among them taken again (after a failure, or from
//! a worker that died) are marked as running in their records, and those cancelled (or done
//! already, delivered again after their acknowledgement was lost) are acknowledged without
//! running. A job taken for the first time costs nothing here: its pending entry says it is
//! running ([`JobStatus`](crate::redis::JobStatus) reads it there), and a cancel that finds it
//! pending asks its handler to stop, as for any running job.

use super::Shared;
use super::acker::Work;
use super::held::Held;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::entry::JOB;
use crate::redis::group::millis;
use crate::redis::job::{Starting, start};

impl<A: Dispatch> Shared<A> {
    /// The entries of `entries` to hand to the actor, in order; the skipped jobs go to the
    /// acker, to be acknowledged. Entries that are not jobs, or taken for the first time,
    /// cost nothing here.
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
        if jobs.is_empty() {
            return entries;
        }
        let mut backoff =
            Backoff::new(self.config().reconnect_initial, self.config().reconnect_max);
        let conn = self.station.connections.shared();
        let started = start(
            &conn,
            &jobs,
            self.consumer(),
            millis(self.config().job_retention),
            &self.unique_prefix,
            &self.record_prefix,
            &self.job_entries,
            &mut backoff,
        )
        .await;
        let run = match started {
            Ok(run) if run.len() == jobs.len() => run,
            Ok(_) => {
                tracing::error!(path = %self.path, "redis: the start script answered for another number of jobs; running them all");
                return entries;
            }
            Err(error) => {
                // The jobs matter more than their records: they run.
                self.refused(&error, "marking jobs as started");
                return entries;
            }
        };
        let mut run = run.into_iter();
        let mut kept = Vec::with_capacity(entries.len());
        for held in entries {
            if taken_again(&held).is_none() || run.next().unwrap_or(true) {
                kept.push(held);
            } else {
                tracing::info!(path = %self.path, entry = held.id(), "redis: a job that was cancelled (or done already) is not run");
                let _ = self.to_acker.send(Work::Gone { held });
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
