//! The instances of a served actor: a fresh one from the factory after each failure, so a
//! handler that panics does not end the serving.

use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::ActorRef;
use crate::panics::panic_text;
use crate::redis::backoff::Backoff;
use crate::system::System;

/// What makes the instances.
pub(crate) type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

/// The instance messages go to now.
pub(crate) enum Instance<A: Dispatch> {
    /// Running; `generation` counts the instances (1 for the first).
    Live { generation: u64, actor: ActorRef<A> },
    /// The instance `generation` failed; the next one is being started.
    Restarting { generation: u64 },
    /// Serving ended: no instance will come.
    Ended,
}

impl<A: Dispatch> Clone for Instance<A> {
    fn clone(&self) -> Self {
        match self {
            Instance::Live { generation, actor } => Instance::Live {
                generation: *generation,
                actor: actor.clone(),
            },
            Instance::Restarting { generation } => Instance::Restarting {
                generation: *generation,
            },
            Instance::Ended => Instance::Ended,
        }
    }
}

/// Watches the running instance; after a failure starts the next one at the same address.
/// Any other end (a shutdown, a person's stop, a stop requested by `Serving::stop`) ends the
/// serving.
pub(crate) async fn supervise<A: Dispatch>(
    shared: Arc<Shared<A>>,
    system: System,
    factory: Factory<A>,
    first: ActorRef<A>,
) {
    let mut actor = first;
    let mut generation = 1;
    let mut backoff = Backoff::new(
        shared.config().reconnect_initial,
        shared.config().reconnect_max,
    );
    'serving: loop {
        let reason = actor.wait_stopped().await;
        if !reason.is_failure() || shared.is_stopping() {
            break;
        }
        tracing::warn!(path = %shared.path, %reason, "redis: the served actor failed; starting a fresh instance");
        shared
            .instances
            .send_replace(Instance::Restarting { generation });
        loop {
            if shared.is_stopping() {
                break 'serving;
            }
            let made = crate::panics::catch(|| factory());
            let spawned = match made {
                Ok(instance) => system.spawn(shared.path.name(), instance).await,
                Err(panic) => {
                    tracing::error!(path = %shared.path, panic = %panic_text(&*panic), "redis: the factory of a served actor panicked");
                    backoff.wait().await;
                    continue;
                }
            };
            match spawned {
                Ok(next) => {
                    backoff.reset();
                    generation += 1;
                    actor = next;
                    shared.instances.send_replace(Instance::Live {
                        generation,
                        actor: actor.clone(),
                    });
                    continue 'serving;
                }
                Err(Error::ParentStopping { .. }) => break 'serving,
                Err(error) => {
                    tracing::warn!(path = %shared.path, %error, "redis: cannot start a fresh instance; retrying");
                    backoff.wait().await;
                }
            }
        }
    }
    shared.stopping.send_replace(true);
    shared.instances.send_replace(Instance::Ended);
}
