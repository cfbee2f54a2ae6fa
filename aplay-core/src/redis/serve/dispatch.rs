//! Handing an entry to the actor: decode it, give it a reply channel whose outcome the acker
//! awaits, and put it in the actor's mailbox (waiting for room), in order.

use tokio::sync::watch;

use super::Shared;
use super::acker::Work;
use super::held::Held;
use super::held::too_often;
use super::instances::Instance;
use std::sync::Arc;

use crate::handle::ActorRef;
use crate::mailbox::Scope;
use crate::redis::entry::{JOB, MESSAGE};
use crate::redis::job::Running;
use crate::wire::{Wire, decode};

/// Why an entry cannot be a message of `A`.
pub(crate) fn decode_entry<A: Wire>(held: &Held) -> Result<A::Msg, String> {
    let Some(fields) = held.entry.fields.as_ref() else {
        return Err("the entry was deleted".to_owned());
    };
    let Some(bytes) = held.entry.field(MESSAGE) else {
        let names: Vec<String> = fields
            .iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect();
        return Err(format!(
            "not an aplay message: no field `m` (fields: {})",
            names.join(", ")
        ));
    };
    decode::<A::Msg>(bytes).map_err(|e| format!("cannot decode the message: {e}"))
}

impl<A: Wire> Shared<A> {
    /// Hands `held` to the running instance (see [`dispatch_all`](Self::dispatch_all)).
    pub(crate) async fn dispatch(&self, held: Held) {
        self.dispatch_all(std::iter::once(held)).await;
    }

    /// Hands each entry, in order, to the running instance and its outcome to the acker; an
    /// entry that does not decode goes to the acker as a dead letter. Waits for room in the
    /// mailbox, and for the next instance while one is being started. When serving ends
    /// first, the entries left are given up (they stay pending in Redis).
    pub(crate) async fn dispatch_all(&self, entries: impl IntoIterator<Item = Held>) {
        // One sender at a time: the acker sees outcomes in the order the actor handles them.
        let _order = self.send_order.lock().await;
        let entries = self.start_jobs(entries.into_iter().collect()).await;
        let mut instances = self.instances.subscribe();
        let mut current: Option<(u64, ActorRef<A>)> = None;
        let max = self.config().max_deliveries;
        for mut held in entries {
            if held.is_packed() && held.deliveries > max {
                let error = too_often(held.deliveries);
                let _ = self.to_acker.send(Work::Dead { held, error });
                continue;
            }
            let mut msg = match decode_entry::<A>(&held) {
                Ok(msg) => msg,
                Err(error) => {
                    let _ = self.to_acker.send(Work::Dead { held, error });
                    continue;
                }
            };
            let outcome = A::expect_outcome(&mut msg);
            let job = held.entry.text(JOB).map(|id| {
                Running::new(
                    id,
                    held.deliveries,
                    format!("{}{id}", self.record_prefix),
                    self.station.connections.shared(),
                    &self.watchlist,
                )
            });
            held.job.clone_from(&job);
            let mut failed = 0;
            loop {
                let (generation, actor) = match current.take() {
                    Some((generation, actor)) if generation > failed => (generation, actor),
                    _ => match next_instance(&mut instances, failed).await {
                        Some(next) => next,
                        None => {
                            tracing::debug!(
                                entry = held.id(),
                                "redis: serving ended; the entries in hand stay pending"
                            );
                            return;
                        }
                    },
                };
                let sent = match &job {
                    Some(job) => ActorRef::send_scoped(&actor, msg, Arc::clone(job) as Scope).await,
                    None => ActorRef::send(&actor, msg).await,
                };
                match sent {
                    Ok(()) => {
                        let _ = self.to_acker.send(Work::Sent {
                            held,
                            generation,
                            actor: actor.clone(),
                            outcome,
                        });
                        current = Some((generation, actor));
                        break;
                    }
                    Err(error) => {
                        let back = error.undelivered().and_then(|u| u.take_message::<A::Msg>());
                        let Some(back) = back else {
                            return;
                        };
                        msg = back;
                        failed = generation;
                    }
                }
            }
        }
    }
}

/// The first running instance after generation `failed`; `None` once serving ended.
async fn next_instance<A: Wire>(
    instances: &mut watch::Receiver<Instance<A>>,
    failed: u64,
) -> Option<(u64, ActorRef<A>)> {
    let next = instances
        .wait_for(|i| match i {
            Instance::Live { generation, .. } => *generation > failed,
            Instance::Restarting { .. } => false,
            Instance::Ended => true,
        })
        .await
        .ok()?;
    match &*next {
        Instance::Live { generation, actor } => Some((*generation, actor.clone())),
        _ => None,
    }
}
