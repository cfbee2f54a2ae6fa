//! Watching and linking: hearing of another actor's end, and sharing failures with it.

use crate::actor::Dispatch;
use crate::attached::TaskHandle;
use crate::cell::SystemMsg;
use crate::context::Context;
use crate::handle::AnyRef;
use crate::panics::{self, panic_text};
use crate::stop::{Failure, FailureKind, StopReason};

impl<A: Dispatch> Context<A> {
    /// Watches `target`: when it stops for good, this actor gets `on_stop(reason)` as a
    /// message, exactly once, at once if `target` has already stopped. A supervised target
    /// that is restarted has not stopped; its final stop is what counts. The watch ends with
    /// this actor (or this instance of it), or with [`TaskHandle::cancel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{AnyRef, Context, StopReason};
    ///
    /// #[aplay::actor]
    /// struct Guard { gone: Vec<String> }
    ///
    /// #[aplay::actor]
    /// impl Guard {
    ///     fn gone(&mut self, path: String, reason: StopReason) {
    ///         self.gone.push(format!("{path}: {reason}"));
    ///     }
    /// }
    ///
    /// fn watch_it(ctx: &mut Context<Guard>, target: &AnyRef) {
    ///     let path = target.path().to_string();
    ///     ctx.watch(target, move |reason| GuardMsg::gone(path, reason));
    /// }
    /// ```
    pub fn watch<F>(&mut self, target: &AnyRef, on_stop: F) -> TaskHandle
    where
        F: FnOnce(StopReason) -> A::Msg + Send + 'static,
    {
        let target = target.clone();
        self.spawn_attached(move |me| async move {
            let reason = target.wait_stopped().await;
            let _ = me.send(on_stop(reason)).await;
        })
    }

    /// Links this actor and `partner` (OTP's `link`): when either stops for good with a
    /// failure, the other fails too, with a reason naming it. Normal stops do not travel
    /// through a link. The link ends when either actor stops or is restarted: as in OTP,
    /// where a restarted child is a new process, a new instance links again (in `on_start`).
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, ActorRef, BoxError, Context, FailureKind, Inbox, Recipient, StopReason, System};
    /// # use aplay_doc_actors::Flaky;
    ///
    /// // `Flaky` reports each start on `starts`, and fails when told to `crash`.
    /// struct Boss { starts: Recipient<u32> }
    /// impl Actor for Boss {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let starts = self.starts.clone();
    ///         let flaky = ctx.spawn("flaky", Flaky { starts }).await?;
    ///         // Linked: the boss fails when the flaky child fails.
    ///         ctx.link(&ActorRef::to_any(&flaky));
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Boss {} // no messages
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let mut starts = Inbox::new();
    /// let boss = system.spawn("boss", Boss { starts: starts.recipient() }).await?;
    /// starts.recv().await;
    /// system.address::<Flaky>("/boss/flaky")?.crash().await?;
    /// let reason = boss.wait_stopped().await;
    /// assert!(matches!(reason, StopReason::Failed(f) if *f.kind() == FailureKind::LinkedFailure));
    /// # Ok(()) }
    /// ```
    pub fn link(&mut self, partner: &AnyRef) {
        let me = self.myself_any().clone();
        spread_failure(&me, partner);
        spread_failure(partner, &me);
    }
}

/// When `from` stops with a failure, `to` fails too; the task belongs to `to`.
fn spread_failure(from: &AnyRef, to: &AnyRef) {
    let (from, target) = (from.clone(), to.clone());
    let task = tokio::spawn(async move {
        let reason = from.wait_stopped().await;
        if reason.is_failure() {
            target.cell().post_system(SystemMsg::LinkedFailed {
                partner: from.path().clone(),
                reason,
            });
        }
    });
    to.core().attach(task.abort_handle());
}

/// Runs `on_child_stopped`, turning a panic into this actor's failure.
pub(crate) async fn child_stopped_hook<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    child: &AnyRef,
    reason: &StopReason,
) -> Result<(), Failure> {
    panics::catch_future(actor.on_child_stopped(ctx, child, reason))
        .await
        .map_err(|panic| Failure::new(FailureKind::HookPanic, panic_text(&*panic)))
}
