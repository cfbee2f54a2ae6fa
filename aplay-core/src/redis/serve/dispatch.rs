//! Handing an entry to the actor: decode it, give it a reply channel whose outcome the acker
//! awaits, and put it in the actor's mailbox (waiting for room), in order.

use super::Shared;
use super::acker::Work;
use super::held::Held;
use super::instances::Instance;
use crate::handle::ActorRef;
use crate::redis::entry::MESSAGE;
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
    /// Hands `held` to the running instance and its outcome to the acker; an entry that does
    /// not decode goes to the acker as a dead letter. Waits for room in the mailbox, and for
    /// the next instance while one is being started. When serving ends first, the entry is
    /// given up (it stays pending in Redis).
    pub(crate) async fn dispatch(&self, held: Held) {
        let mut msg = match decode_entry::<A>(&held) {
            Ok(msg) => msg,
            Err(error) => {
                let _ = self.to_acker.send(Work::Dead { held, error });
                return;
            }
        };
        let outcome = A::expect_outcome(&mut msg);
        let mut order = self.send_order.lock().await;
        let mut instances = self.instances.subscribe();
        let mut after = 0;
        loop {
            let current = instances
                .wait_for(|i| match i {
                    Instance::Live { generation, .. } => *generation > after,
                    Instance::Restarting { .. } => false,
                    Instance::Ended => true,
                })
                .await
                .map(|i| i.clone());
            let Ok(Instance::Live { generation, actor }) = current else {
                tracing::debug!(
                    entry = held.id(),
                    "redis: serving ended; the entry stays pending"
                );
                return;
            };
            match ActorRef::send(&actor, msg).await {
                Ok(()) => {
                    *order += 1;
                    let _ = self.to_acker.send(Work::Sent {
                        held,
                        generation,
                        actor,
                        outcome,
                    });
                    return;
                }
                Err(error) => {
                    let back = error.undelivered().and_then(|u| u.take_message::<A::Msg>());
                    let Some(back) = back else {
                        return;
                    };
                    msg = back;
                    after = generation;
                }
            }
        }
    }
}
