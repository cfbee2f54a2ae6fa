//! `Context<A>`: what a handler or hook knows about its actor and can ask of the runtime.

use std::fmt;
use std::marker::PhantomData;

use crate::actor::{Directive, Dispatch, HandlerError};
use crate::error::Error;
use crate::handle::{ActorRef, AnyRef};
use crate::path::ActorPath;
use crate::runtime;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::supervision::{Intensity, Restart, Supervision};
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
    /// still queued are not handled (their askers get [`Error::NoReply`]), children stop, then
    /// `on_stop` runs with [`StopReason::Normal`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::{BareHandle, StopReason};
    /// /// Stops after its first job.
    /// struct OneShot;
    /// enum OneShotMsg { Job }
    /// impl Actor for OneShot {}
    /// impl Dispatch for OneShot {
    ///     type Msg = OneShotMsg;
    ///     type Handle = BareHandle<Self>;
    ///     async fn dispatch(&mut self, msg: OneShotMsg, ctx: &mut Context<Self>) {
    ///         match msg { OneShotMsg::Job => ctx.stop() } // what a handler with `ctx` writes
    ///     }
    ///     fn message_name(_: &OneShotMsg) -> &'static str { "job" }
    /// }
    ///
    /// let system = System::new();
    /// let one = system.spawn("one", OneShot).await?;
    /// ActorRef::send(&one, OneShotMsg::Job).await?;
    /// assert_eq!(one.join().await, StopReason::Normal);
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
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::{BareHandle, StopReason};
    /// struct Parser;
    /// enum ParserMsg { Line(String) }
    /// impl Actor for Parser {}
    /// impl Dispatch for Parser {
    ///     type Msg = ParserMsg;
    ///     type Handle = BareHandle<Self>;
    ///     async fn dispatch(&mut self, msg: ParserMsg, ctx: &mut Context<Self>) {
    ///         let ParserMsg::Line(line) = msg;
    ///         if line.is_empty() {
    ///             ctx.fail("an empty line"); // a supervising parent would restart it
    ///         }
    ///     }
    ///     fn message_name(_: &ParserMsg) -> &'static str { "line" }
    /// }
    ///
    /// let system = System::new();
    /// let parser = system.spawn("parser", Parser).await?;
    /// ActorRef::send(&parser, ParserMsg::Line(String::new())).await?;
    /// let reason = parser.join().await;
    /// assert!(reason.is_failure());
    /// assert!(matches!(reason, StopReason::Failed(f) if f.message() == "an empty line"));
    /// # Ok(()) }
    /// ```
    pub fn fail(&mut self, message: impl Into<String>) {
        let failure = Failure::new(FailureKind::HandlerError, message.into());
        self.rare().stop = Some(StopReason::Failed(failure));
    }

    /// Spawns a child named `name`, at `{this path}/{name}`, and returns once its `on_start`
    /// has finished. The child is never restarted; it stops before this actor does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`], [`Error::NameTaken`] (nothing is spawned),
    /// [`Error::StartFailed`], [`Error::StartDeclined`], [`Error::ParentStopping`].
    ///
    /// # Cancel safety
    ///
    /// Once the first poll has spawned the child, dropping this future does not stop it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::BoxError;
    /// struct Parent;
    /// impl Actor for Parent {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         assert_eq!(ctx.path(), "/parent");
    ///         assert_eq!(ctx.name(), "parent");
    ///         let child = ctx.spawn("count", Counter::default()).await?;
    ///         assert_eq!(child.path(), "/parent/count");
    ///         assert_eq!(ctx.children().len(), 1);
    ///         assert_eq!(ctx.parent().map(|p| p.path().to_string()), Some("/".to_owned()));
    ///         assert!(ctx.myself_any().same_actor(&ActorRef::to_any(&ctx.myself())));
    ///         // The system, to find actors by address:
    ///         assert!(ctx.system().lookup::<Counter>("/parent/count").is_some());
    ///         Ok(())
    ///     }
    /// }
    /// # impl Dispatch for Parent {
    /// #     type Msg = std::convert::Infallible;
    /// #     type Handle = aplay_core::BareHandle<Self>;
    /// #     async fn dispatch(&mut self, msg: Self::Msg, _: &mut Context<Self>) { match msg {} }
    /// #     fn message_name(msg: &Self::Msg) -> &'static str { match *msg {} }
    /// # }
    ///
    /// let system = System::new();
    /// system.spawn("parent", Parent).await?;
    /// let count = system.address::<Counter>("/parent/count")?;
    /// count.add(1).await?;
    /// system.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn spawn<B: Dispatch>(&self, name: &str, actor: B) -> Result<ActorRef<B>, Error> {
        runtime::spawn_child(&self.system, &self.me, name, actor).await
    }

    /// Spawns a supervised child named `name`, built by `factory`: when it ends, this actor's
    /// [`Supervision`] decides, by `restart`, whether a fresh instance from `factory` takes
    /// its place, at the same address, with the same mailbox (queued tells are kept, queued
    /// asks get [`Error::NoReply`]). Returns once its first `on_start` has finished.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn). A failed first start also counts toward this actor's
    /// restart limit; past it, this actor fails after the current message.
    ///
    /// # Cancel safety
    ///
    /// As [`spawn`](Self::spawn): once the first poll has spawned the child, dropping this
    /// future does not stop it (a failed first start is then not counted toward the limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context, Restart};
    /// # use aplay_core::{BareHandle, Dispatch};
    /// # struct Worker;
    /// # impl Actor for Worker {}
    /// # impl Dispatch for Worker {
    /// #     type Msg = std::convert::Infallible;
    /// #     type Handle = BareHandle<Self>;
    /// #     async fn dispatch(&mut self, msg: Self::Msg, _: &mut Context<Self>) { match msg {} }
    /// #     fn message_name(msg: &Self::Msg) -> &'static str { match *msg {} }
    /// # }
    ///
    /// struct Service;
    /// impl Actor for Service {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         // Restarted after any stop but a deliberate one, with a fresh state each time.
    ///         ctx.spawn_supervised("worker", Restart::Permanent, || Worker).await?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub async fn spawn_supervised<B, F>(
        &mut self,
        name: &str,
        restart: Restart,
        factory: F,
    ) -> Result<ActorRef<B>, Error>
    where
        B: Dispatch,
        F: Fn() -> B + Send + Sync + 'static,
    {
        let factory: runtime::Factory<B> = std::sync::Arc::new(factory);
        let spawned =
            runtime::spawn_supervised_child(&self.system, &self.me, name, restart, factory).await;
        if let Err(Error::StartFailed { .. }) = &spawned
            && !self.count_restart()
        {
            let (max, within) = self.supervision().limit();
            let failure = Failure::new(
                FailureKind::RestartLimit,
                format!(
                    "the limit of {max} failed starts and restarts within {within:?} was reached"
                ),
            );
            self.rare().stop = Some(StopReason::Failed(failure));
        }
        spawned
    }

    /// How this actor supervises its children (from [`Actor::supervision`](crate::Actor::supervision)).
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

    #[inline]
    pub(crate) fn take_stop(&mut self) -> Option<StopReason> {
        self.rare.as_mut()?.stop.take()
    }

    pub(crate) fn apply(&mut self, directive: Directive, error: &HandlerError) {
        match directive {
            Directive::Resume => {}
            Directive::Stop => self.stop(),
            Directive::Fail => self.fail(error.to_string()),
        }
    }
}

impl<A: Dispatch> Context<A> {
    /// This actor's own ref, to give to others.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn myself(&self) -> ActorRef<A> {
        self.me
            .downcast::<A>()
            .expect("a context belongs to an actor of its own type")
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
