//! Spawning an actor: claim its address, join its parent, start its task, wait for `on_start`.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::finish::Finisher;
use super::on_demand;
use super::task::{Started, announce_running, run_actor};
use crate::actor::cell::{ActorCell, Restarts};
use crate::actor::{Dispatch, StartState};
use crate::cell::{CellControl, CellCore};
use crate::context::Context;
use crate::error::Error;
use crate::handle::{ActorRef, AnyRef};
use crate::mailbox::{self, MailboxReceiver};
use crate::panics::{self, panic_text};
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::supervision::{self, Restart};
use crate::system::System;

/// Spawns `actor` as a child of `parent`, and waits for its `on_start`: a round trip to the
/// new task, saved when `on_start` is known to do nothing (every hook left to its default).
pub(crate) async fn spawn_child<A: Dispatch>(
    system: &System,
    parent: &AnyRef,
    name: &str,
    actor: A,
) -> Result<ActorRef<A>, Error> {
    let path = parent.path().child(name)?;
    // Tests only: a probe registered for this address takes the actor's place.
    #[cfg(feature = "testkit")]
    if let Some(stand_in) = replaced::<A>(system, parent, &path) {
        return stand_in;
    }
    // The hooks are the defaults': `on_start` does nothing, so there is nothing to wait for,
    // nor anything to run before the first message.
    let start = if A::__DEFAULT_HOOKS {
        Start::OnDemand
    } else {
        Start::Waited
    };
    let (cell, started) = launch(system, Some(parent), path, actor, None, start)?;
    match started {
        Some(started) => await_start(cell, started).await,
        None => Ok(ActorRef::from_cell(cell)),
    }
}

/// Spawns a supervised child of `parent` from `factory`, restarted as `restart` says, and
/// waits for its first `on_start`.
pub(crate) async fn spawn_supervised_child<A: Dispatch>(
    system: &System,
    parent: &AnyRef,
    name: &str,
    restart: Restart,
    factory: supervision::Factory<A>,
) -> Result<ActorRef<A>, Error> {
    let path = parent.path().child(name)?;
    // Tests only: a probe registered for this address takes the place of the factory's
    // actors (the factory is not called; a probe is never restarted).
    #[cfg(feature = "testkit")]
    if let Some(stand_in) = replaced::<A>(system, parent, &path) {
        return stand_in;
    }
    let actor = supervision::make(&factory).map_err(|reason| Error::StartFailed {
        path: path.clone(),
        reason,
    })?;
    let plan = supervision::plan(factory, system, start_instance::<A>);
    let (cell, started) = launch(
        system,
        Some(parent),
        path,
        actor,
        Some((restart, plan)),
        Start::Waited,
    )?;
    await_start(cell, started.expect("a start that is waited for")).await
}

/// Spawns the kernel at `/`. Returns the ref and the signal of its start.
pub(crate) fn spawn_root<A: Dispatch>(
    system: &System,
    actor: A,
) -> Result<(Arc<ActorCell<A>>, Option<Started>), Error> {
    // A kernel whose hooks are the defaults' runs from now on (its task started at once: its
    // children are spawned from outside, so it has work before its first message).
    let start = if A::__DEFAULT_HOOKS {
        Start::Now
    } else {
        Start::Waited
    };
    launch(system, None, ActorPath::root(), actor, None, start)
}

/// How a new actor's first instance starts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// Its task runs `on_start`, which the spawner waits for.
    Waited,
    /// `on_start` does nothing: it runs from now on, its task started at once.
    Now,
    /// `on_start` does nothing, nor does anything else before its first message: it runs
    /// from now on, and its task starts when something wakes it (`on_demand`).
    OnDemand,
}

pub(crate) async fn await_start<A: Dispatch>(
    cell: Arc<ActorCell<A>>,
    started: Started,
) -> Result<ActorRef<A>, Error> {
    match started.await {
        Ok(Ok(())) => Ok(ActorRef::from_cell(cell)),
        Ok(Err(reason)) => Err(Error::StartFailed {
            path: cell.core.path.clone(),
            reason,
        }),
        // The task ended without a word: it was killed before `on_start` finished.
        Err(_) => Err(Error::StartFailed {
            path: cell.core.path.clone(),
            reason: StopReason::Killed,
        }),
    }
}

/// Claims the address, joins the parent and starts the first instance as `start` says;
/// `supervised` is the restart type and plan of an actor spawned from a factory.
pub(crate) fn launch<A: Dispatch>(
    system: &System,
    parent: Option<&AnyRef>,
    path: ActorPath,
    actor: A,
    supervised: Option<(Restart, Box<dyn Restarts<A>>)>,
    start: Start,
) -> Result<(Arc<ActorCell<A>>, Option<Started>), Error> {
    // These hooks run in the spawner's task: a panic in one is the new actor's start
    // failure, not the spawner's.
    let hooks = panics::catch(|| {
        (
            actor.decide_to_start(&StartState::default()),
            actor.mailbox(),
            actor.shutdown_timeout(),
        )
    });
    let (decided_to_start, mailbox, shutdown_timeout) = match hooks {
        Ok(hooks) => hooks,
        Err(panic) => {
            let failure = Failure::new(FailureKind::StartPanic, panic_text(&*panic));
            return Err(Error::StartFailed {
                path,
                reason: StopReason::Failed(failure),
            });
        }
    };
    if !decided_to_start {
        return Err(Error::StartDeclined { path });
    }
    if let Some(parent) = parent
        && !parent.core().accepts_children()
    {
        return Err(Error::ParentStopping {
            parent: parent.path().clone(),
        });
    }
    // An actor started on demand gets its receiving side when its task starts.
    let (sender, receiver) = match start {
        Start::OnDemand => (mailbox::sender(mailbox), None),
        _ => {
            let (sender, receiver) = mailbox::channel(mailbox);
            (sender, Some(receiver))
        }
    };
    let (restart, restarts) =
        supervised.map_or((Restart::Temporary, None), |(r, plan)| (r, Some(plan)));
    let cell = Arc::new(ActorCell::<A> {
        core: CellCore::new(
            path,
            parent.map(|p| Arc::downgrade(p.cell())),
            shutdown_timeout,
            restart,
        )
        .metered(system.observing().metered)
        .logs_undelivered(system.undelivered_log()),
        mailbox: sender,
        restarts,
        unstarted: parking_lot::Mutex::new(None),
    });
    let me = AnyRef::new(Arc::clone(&cell) as Arc<dyn CellControl>);
    system.registry().claim(Arc::clone(me.cell()))?;
    if let Some(parent) = parent
        && !parent.core().adopt(Arc::clone(me.cell()))
    {
        system.registry().release(me.path(), me.core());
        return Err(Error::ParentStopping {
            parent: parent.path().clone(),
        });
    }
    let Some(receiver) = receiver else {
        announce_running(&cell.core, system);
        on_demand::park(&cell, me, system, actor);
        return Ok((cell, None));
    };
    let started = start_instance(&cell, me, system, actor, receiver, start == Start::Waited);
    Ok((cell, started))
}

/// Spawns the task of one instance.
pub(crate) fn start_instance<A: Dispatch>(
    cell: &Arc<ActorCell<A>>,
    me: AnyRef,
    system: &System,
    actor: A,
    receiver: MailboxReceiver<A::Msg>,
    wait_for_start: bool,
) -> Option<Started> {
    let mut ctx = Context::new(me, system.clone());
    let started = if wait_for_start {
        let (tx, rx) = oneshot::channel();
        ctx.set_started(tx);
        Some(rx)
    } else {
        // Nobody waits: `on_start` does nothing, the actor counts as running from now on.
        announce_running(&cell.core, system);
        None
    };
    let life = Finisher::new(ctx);
    let task = system.spawn_task(run_actor(actor, life, receiver, !wait_for_start));
    cell.core.set_task(task.id(), task.abort_handle());
    started
}

/// Tests only: what the system's spawn hook (a test kit's probes) puts at `path` in place of
/// an `A`, if anything.
#[cfg(feature = "testkit")]
fn replaced<A: Dispatch>(
    system: &System,
    parent: &AnyRef,
    path: &ActorPath,
) -> Option<Result<ActorRef<A>, Error>> {
    let hook = system.spawn_hook()?;
    let spawned = hook.spawn(
        system,
        parent,
        path,
        std::any::TypeId::of::<A>(),
        std::any::type_name::<A>(),
    )?;
    Some(spawned.map(|actor| {
        *actor
            .downcast::<ActorRef<A>>()
            .expect("a spawn hook puts an actor of the type asked for")
    }))
}
