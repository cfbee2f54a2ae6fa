//! `Context<A>`: what a handler or hook knows about its actor and can ask of the runtime.

mod spawn;

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Mutex;

use crate::handle::AnyRef;
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::supervision::{Intensity, Supervision};
use crate::system::System;

/// The actor's view of the runtime, passed to hooks and to handlers that take a
/// `ctx: &mut Context<Self>` last parameter.
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, BoxError, Context};
///
/// struct Parent;
/// impl Actor for Parent {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         println!("{} starts with {} children", ctx.path(), ctx.children().len());
///         Ok(())
///     }
/// }
/// ```
pub struct Context<A> {
    me: AnyRef,
    system: System,
    /// What few actors need: allocated on first use (every idle actor's task carries this
    /// context, so it is kept to three pointers).
    rare: Option<Box<Rare>>,
    _actor: PhantomData<fn() -> A>,
}

/// The rarely used part of a context.
#[derive(Default)]
struct Rare {
    /// Whom to tell how `on_start` went, when a spawner waits for it.
    started: Option<tokio::sync::oneshot::Sender<Result<(), StopReason>>>,
    /// A stop asked for by the actor itself.
    stop: Option<StopReason>,
    /// How it supervises its children, and the restarts it has counted.
    supervision: Supervision,
    intensity: Intensity,
    /// What came with the message being handled, for its handler (a served job's state).
    #[cfg(feature = "redis")]
    scope: Option<crate::mailbox::Scope>,
    /// The streams its own task reads (`attach_stream_inline`), merged into one: typed by the
    /// stream module, which alone reads it. In a `Mutex` only for `Sync` (a handler may hold
    /// `&Context` across an await); it is only ever reached through `&mut`, never locked.
    inline: Option<Mutex<Box<dyn Any + Send>>>,
}

impl<A> Context<A> {
    pub(crate) fn new(me: AnyRef, system: System) -> Self {
        Context {
            me,
            system,
            rare: None,
            _actor: PhantomData,
        }
    }

    /// This actor's address.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn path(&self) -> &ActorPath {
        self.me.path()
    }

    /// This actor's name (the last segment of its path).
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn name(&self) -> &str {
        self.me.name()
    }

    /// The system this actor runs in: lookups by address, spawning at the top.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn system(&self) -> &System {
        &self.system
    }

    /// The parent, `None` for the kernel at `/`.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn parent(&self) -> Option<AnyRef> {
        let parent = self.me.core().parent.as_ref()?.upgrade()?;
        Some(AnyRef::new(parent))
    }

    /// The running children, in start order.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn children(&self) -> Vec<AnyRef> {
        self.me.children()
    }

    /// This actor as an untyped handle.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn myself_any(&self) -> &AnyRef {
        &self.me
    }

    /// Stops this actor after the current message or hook (actorio's `EndMainLoop`): messages
    /// still queued are not handled (their askers get [`Error::NoReply`](crate::Error::NoReply)), children stop, then
    /// `on_stop` runs with [`StopReason::Normal`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Context, StopReason, System};
    ///
    /// /// Stops after its first job.
    /// #[aplay::actor]
    /// struct OneShot;
    ///
    /// #[aplay::actor]
    /// impl OneShot {
    ///     fn job(&mut self, ctx: &mut Context<Self>) {
    ///         ctx.stop();
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let one = system.spawn("one", OneShot).await?;
    /// one.job().await?;
    /// assert_eq!(one.wait_stopped().await, StopReason::Normal);
    /// # Ok(()) }
    /// ```
    pub fn stop(&mut self) {
        self.rare().stop.get_or_insert(StopReason::Normal);
    }

    /// Stops this actor after the current message with a failure, so its parent's supervision
    /// applies, as a panic would but without unwinding.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Context, StopReason, System};
    ///
    /// #[aplay::actor]
    /// struct Parser;
    ///
    /// #[aplay::actor]
    /// impl Parser {
    ///     fn line(&mut self, line: String, ctx: &mut Context<Self>) {
    ///         if line.is_empty() {
    ///             ctx.fail("an empty line"); // a supervising parent would restart it
    ///         }
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let parser = system.spawn("parser", Parser).await?;
    /// parser.line(String::new()).await?;
    /// let reason = parser.wait_stopped().await;
    /// assert!(reason.is_failure());
    /// assert!(matches!(reason, StopReason::Failed(f) if f.message() == "an empty line"));
    /// # Ok(()) }
    /// ```
    pub fn fail(&mut self, message: impl Into<String>) {
        let failure = Failure::new(FailureKind::HandlerError, message.into());
        self.rare().stop = Some(StopReason::Failed(failure));
    }

    /// How this actor supervises its children (from [`Actor::supervision`](crate::Actor::supervision)).
    /// What came with the message being handled (see `Envelope::scoped`), if anything.
    #[cfg(feature = "redis")]
    pub(crate) fn scope(&self) -> Option<&crate::mailbox::Scope> {
        self.rare.as_ref()?.scope.as_ref()
    }

    /// Sets what came with the message about to be handled, or clears it (`None`) after.
    #[cfg(feature = "redis")]
    pub(crate) fn set_scope(&mut self, scope: Option<crate::mailbox::Scope>) {
        match scope {
            Some(scope) => self.rare().scope = Some(scope),
            None => {
                if let Some(rare) = self.rare.as_mut() {
                    rare.scope = None;
                }
            }
        }
    }

    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    pub(crate) fn supervision(&self) -> Supervision {
        self.rare
            .as_ref()
            .map_or_else(Supervision::default, |rare| rare.supervision)
    }

    pub(crate) fn set_supervision(&mut self, supervision: Supervision) {
        if self.rare.is_some() || supervision != Supervision::default() {
            self.rare().supervision = supervision;
        }
    }

    /// Counts a restart of a child; `false` past the limit.
    pub(crate) fn count_restart(&mut self) -> bool {
        let rare = self.rare();
        rare.intensity.allow(&rare.supervision)
    }

    /// Someone waits to hear how `on_start` goes.
    pub(crate) fn set_started(
        &mut self,
        started: tokio::sync::oneshot::Sender<Result<(), StopReason>>,
    ) {
        self.rare().started = Some(started);
    }

    /// Whom to tell how `on_start` went, if someone waits.
    pub(crate) fn take_started(
        &mut self,
    ) -> Option<tokio::sync::oneshot::Sender<Result<(), StopReason>>> {
        self.rare.as_mut()?.started.take()
    }

    /// Ends this actor after the current message with `reason` (a failure of its own,
    /// found by the runtime).
    pub(crate) fn stop_with(&mut self, reason: StopReason) {
        self.rare().stop = Some(reason);
    }

    #[inline]
    pub(crate) fn take_stop(&mut self) -> Option<StopReason> {
        self.rare.as_mut()?.stop.take()
    }

    /// Takes the streams read by the actor's own task, if there are any.
    pub(crate) fn take_inline(&mut self) -> Option<Box<dyn Any + Send>> {
        let inline = self.rare.as_mut()?.inline.take()?;
        Some(
            inline
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Sets the streams read by the actor's own task.
    pub(crate) fn set_inline(&mut self, inline: Box<dyn Any + Send>) {
        self.myself_any().core().note_reads_streams();
        self.rare().inline = Some(Mutex::new(inline));
    }

    /// The streams read by the actor's own task, if there are any.
    #[inline]
    pub(crate) fn inline(&mut self) -> Option<&mut Box<dyn Any + Send>> {
        let inline = self.rare.as_mut()?.inline.as_mut()?;
        Some(match inline.get_mut() {
            Ok(inline) => inline,
            Err(poisoned) => poisoned.into_inner(),
        })
    }

    /// Drops the streams read by the actor's own task: the instance stops reading.
    pub(crate) fn end_inline(&mut self) {
        if let Some(rare) = self.rare.as_mut() {
            rare.inline = None;
        }
    }
}

impl<A> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("path", self.path())
            .field(
                "stop_requested",
                &self.rare.as_ref().is_some_and(|rare| rare.stop.is_some()),
            )
            .finish()
    }
}
