//! Spawning an actor: claim its address, join its parent, start its task, wait for `on_start`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::task::{Started, run_actor};
use crate::actor::{Dispatch, StartState};
use crate::cell::{ActorCell, CellControl, CellCore};
use crate::context::Context;
use crate::error::Error;
use crate::handle::{ActorRef, AnyRef};
use crate::mailbox;
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason, panic_text};
use crate::system::System;

/// Spawns `actor` as a child of `parent`, and waits for its `on_start`.
pub(crate) async fn spawn_child<A: Dispatch>(
    system: &System,
    parent: &AnyRef,
    name: &str,
    actor: A,
) -> Result<ActorRef<A>, Error> {
    let path = parent.path().child(name)?;
    let (cell, started) = launch(system, Some(parent), path, actor)?;
    await_start(cell, started).await
}

/// Spawns the kernel at `/`. Returns the ref and the signal of its start.
pub(crate) fn spawn_root<A: Dispatch>(
    system: &System,
    actor: A,
) -> Result<(Arc<ActorCell<A>>, Started), Error> {
    launch(system, None, ActorPath::root(), actor)
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

fn launch<A: Dispatch>(
    system: &System,
    parent: Option<&AnyRef>,
    path: ActorPath,
    actor: A,
) -> Result<(Arc<ActorCell<A>>, Started), Error> {
    // These hooks run in the spawner's task: a panic in one is the new actor's start
    // failure, not the spawner's.
    let hooks = std::panic::catch_unwind(AssertUnwindSafe(|| {
        (
            actor.decide_to_start(&StartState::default()),
            actor.mailbox(),
            actor.shutdown_timeout(),
        )
    }));
    let (start, mailbox, shutdown_timeout) = match hooks {
        Ok(hooks) => hooks,
        Err(panic) => {
            let failure = Failure::new(FailureKind::StartPanic, panic_text(&*panic));
            return Err(Error::StartFailed {
                path,
                reason: StopReason::Failed(failure),
            });
        }
    };
    if !start {
        return Err(Error::StartDeclined { path });
    }
    if let Some(parent) = parent {
        if !parent.core().accepts_children() {
            return Err(Error::ParentStopping {
                parent: parent.path().clone(),
            });
        }
    }
    let (sender, receiver) = mailbox::channel(mailbox);
    let cell = Arc::new(ActorCell::<A> {
        core: CellCore::new(
            path,
            std::any::type_name::<A>(),
            parent.map(|p| Arc::downgrade(p.cell())),
            shutdown_timeout,
        ),
        mailbox: sender,
    });
    let me = AnyRef::new(Arc::clone(&cell) as Arc<dyn CellControl>);
    system.registry().claim(me.clone())?;
    if let Some(parent) = parent {
        if !parent.core().adopt(me.clone()) {
            system.registry().release(me.path(), me.core());
            return Err(Error::ParentStopping {
                parent: parent.path().clone(),
            });
        }
    }
    let (started_tx, started_rx) = oneshot::channel();
    let ctx = Context::new(me, system.clone());
    let task = tokio::spawn(run_actor(actor, ctx, receiver, started_tx));
    cell.core.set_task_id(task.id());
    cell.core.set_abort_handle(task.abort_handle());
    Ok((cell, started_rx))
}
