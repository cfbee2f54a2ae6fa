//! `Context<A>`: what a handler or hook knows about its actor and can ask of the runtime.

mod spawn;

use std::fmt;
use std::marker::PhantomData;

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

    /// Ends this actor after the current message with `reason` (a failure of its own,
    /// found by the runtime).
    pub(crate) fn stop_with(&mut self, reason: StopReason) {
        self.rare().stop = Some(reason);
    }

    #[inline]
    pub(crate) fn take_stop(&mut self) -> Option<StopReason> {
        self.rare.as_mut()?.stop.take()
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
