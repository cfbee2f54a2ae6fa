//! Watching and linking: hearing of another actor's end, and sharing failures with it.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;

use crate::actor::Dispatch;
use crate::attached::TaskHandle;
use crate::cell::SystemMsg;
use crate::context::Context;
use crate::handle::AnyRef;
use crate::stop::{Failure, FailureKind, StopReason, panic_text};

impl<A: Dispatch> Context<A> {
    /// Watches `target`: when it stops for good, this actor gets `on_stop(reason)` as a
    /// message, exactly once, at once if `target` has already stopped. A supervised target
    /// that is restarted has not stopped; its final stop is what counts. The watch ends with
    /// this actor (or this instance of it), or with [`TaskHandle::cancel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, AnyRef, Context, StopReason};
    /// # use aplay_core::{BareHandle, Dispatch};
    ///
    /// struct Guard { gone: Vec<String> }
    /// enum GuardMsg { Gone(String, StopReason) }
    /// impl Actor for Guard {}
    /// # impl Dispatch for Guard {
    /// #     type Msg = GuardMsg;
    /// #     type Handle = BareHandle<Self>;
    /// #     async fn dispatch(&mut self, msg: GuardMsg, _: &mut Context<Self>) {
    /// #         let GuardMsg::Gone(path, _) = msg; self.gone.push(path);
    /// #     }
    /// #     fn message_name(_: &GuardMsg) -> &'static str { "gone" }
    /// # }
    ///
    /// fn watch_it(ctx: &mut Context<Guard>, target: &AnyRef) {
    ///     let path = target.path().to_string();
    ///     ctx.watch(target, move |reason| GuardMsg::Gone(path, reason));
    /// }
    /// ```
    pub fn watch<F>(&mut self, target: &AnyRef, on_stop: F) -> TaskHandle
    where
        F: FnOnce(StopReason) -> A::Msg + Send + 'static,
    {
        let target = target.clone();
        self.spawn_attached(move |me| async move {
            let reason = target.join().await;
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
    /// # use aplay_core::{Actor, ActorRef, BareHandle, BoxError, Context, Dispatch, Inbox, Recipient, Restart, System};
    /// # /// Reports each start; fails when told to.
    /// # struct Flaky { starts: Recipient<u32> }
    /// # enum FlakyMsg { Crash }
    /// # impl Actor for Flaky {
    /// #     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    /// #         self.starts.tell(ctx.myself_any().restarts()).await?;
    /// #         Ok(())
    /// #     }
    /// # }
    /// # impl Dispatch for Flaky {
    /// #     type Msg = FlakyMsg;
    /// #     type Handle = BareHandle<Self>;
    /// #     async fn dispatch(&mut self, msg: FlakyMsg, ctx: &mut Context<Self>) {
    /// #         let FlakyMsg::Crash = msg;
    /// #         ctx.fail("told to");
    /// #     }
    /// #     fn message_name(_: &FlakyMsg) -> &'static str { "crash" }
    /// # }
    /// # struct Boss { starts: Recipient<u32>, restart: Restart }
    /// # impl Dispatch for Boss {
    /// #     type Msg = std::convert::Infallible;
    /// #     type Handle = BareHandle<Self>;
    /// #     async fn dispatch(&mut self, msg: Self::Msg, _: &mut Context<Self>) { match msg {} }
    /// #     fn message_name(msg: &Self::Msg) -> &'static str { match *msg {} }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// impl Actor for Boss {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let starts = self.starts.clone();
    ///         let flaky = ctx.spawn("flaky", Flaky { starts }).await?;
    ///         // Linked: the boss fails when the flaky child fails.
    ///         ctx.link(&ActorRef::to_any(&flaky));
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let system = System::new();
    /// let mut starts = Inbox::new();
    /// let boss = system.spawn("boss", Boss { starts: starts.recipient(), restart: Restart::Temporary }).await?;
    /// starts.recv().await;
    /// ActorRef::send(&system.address::<Flaky>("/boss/flaky")?, FlakyMsg::Crash).await?;
    /// let reason = boss.join().await;
    /// assert!(matches!(reason, aplay_core::StopReason::Failed(f) if *f.kind() == aplay_core::FailureKind::LinkedFailure));
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
        let reason = from.join().await;
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
    AssertUnwindSafe(actor.on_child_stopped(ctx, child, reason))
        .catch_unwind()
        .await
        .map_err(|panic| Failure::new(FailureKind::HookPanic, panic_text(&*panic)))
}
