//! The `Actor` trait: lifecycle hooks, with a default for each.

pub(crate) mod cell;
// Crate-visible for `__private`, which re-exports the seal of `Handle` from it.
pub(crate) mod raw;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::context::Context;
use crate::handle::AnyRef;
use crate::mailbox::Mailbox;
use crate::stop::StopReason;
use crate::supervision::Supervision;

/// An error an actor's hook or handler gives back; anything that converts into it works with
/// `?` (every `std::error::Error`, `String`, `&str`, `anyhow::Error`).
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, BoxError, Context};
/// struct Config { port: u16 }
/// impl Actor for Config {
///     async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         // Any error type converts with `?`, and so do strings.
///         self.port = "8080".parse()?;
///         if self.port == 0 { return Err("port 0".into()); }
///         Ok(())
///     }
/// }
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The lifecycle of an actor. Every hook has a default, so `impl Actor for MyActor {}` (which
/// `#[actor]` on the struct writes for you) is a complete actor; its messages come from
/// `#[actor]` on an `impl` block.
///
/// Hooks run inside the actor's own task, one at a time with its messages: they may change the
/// actor's state freely.
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, BoxError, Context, StopReason};
///
/// struct Logger { lines: Vec<String> }
///
/// impl Actor for Logger {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         self.lines.push(format!("{} started", ctx.path()));
///         Ok(())
///     }
///
///     async fn on_stop(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
///         println!("flushing {} lines ({reason})", self.lines.len());
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an actor",
    label = "this type has no `impl Actor`",
    note = "put `#[actor]` on the struct for the default lifecycle, or write `impl aplay::Actor for {Self} {{}}` with the hooks you need"
)]
pub trait Actor: Send + Sized + 'static {
    /// Whether every hook keeps its default, as in the `impl Actor` that `#[actor]` on a
    /// struct writes: `on_start` then does nothing, and a spawn need not wait for the actor's
    /// task to run it. Set by that macro only.
    //
    // Hidden, yet on the trait rather than in `__private`: the runtime reads it for every
    // `A: Actor`, and only an `impl Actor` can say whether it keeps every default. Another
    // trait would need an impl from every hand-written actor too (stable Rust has no
    // specialization to default it), breaking `impl Actor for Name {}`.
    #[doc(hidden)]
    const __DEFAULT_HOOKS: bool = false;

    /// Runs once before the first message (actorio's `mainloop_setup`, aplay's
    /// `prepare_children`): spawn children here. An error or a panic stops the actor with a
    /// failure, and the spawner gets [`Error::StartFailed`](crate::Error::StartFailed).
    ///
    /// See the example on [`Actor`], and [`Context::spawn`](crate::Context::spawn) for children spawned here.
    fn on_start(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Runs once when the actor stops, after its children have stopped and before its address
    /// is free again. Not run when the actor is killed or failed to start.
    ///
    /// See the example on [`Actor`].
    fn on_stop(
        &mut self,
        ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, reason);
        async {}
    }

    /// Runs when one of this actor's children stops, for any reason (actorio's
    /// `handle_child_stopped`), between two messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, AnyRef, BoxError, Context, Inbox, Recipient, StopReason, System};
    /// # use aplay_doc_actors::Counter;
    ///
    /// /// Keeps a child running: starts a new one whenever one stops.
    /// struct Keeper { out: Recipient<String> }
    /// impl Actor for Keeper {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         ctx.spawn("child", Counter::default()).await?;
    ///         Ok(())
    ///     }
    ///     async fn on_child_stopped(&mut self, ctx: &mut Context<Self>, child: &AnyRef, reason: &StopReason) {
    ///         let _ = self.out.tell(format!("{} {reason}", child.path())).await;
    ///         if *reason == StopReason::StoppedByPerson {
    ///             let _ = ctx.spawn("child", Counter::default()).await;
    ///         }
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Keeper {} // no messages
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let mut out = Inbox::new();
    /// system.spawn("keeper", Keeper { out: out.recipient() }).await?;
    /// system.address::<Counter>("/keeper/child")?.stop().await;
    /// assert_eq!(out.recv().await, "/keeper/child stopped by a person");
    /// # Ok(()) }
    /// ```
    fn on_child_stopped(
        &mut self,
        ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, child, reason);
        async {}
    }

    /// Whether to start (aplay's `decide_to_start`). Asked before the first start; a `false`
    /// refuses the spawn with [`Error::StartDeclined`](crate::Error::StartDeclined).
    /// By default only a stop by a person prevents a start.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, Error, StartState, System};
    ///
    /// /// Starts only during business hours (here: never).
    /// struct Clerk;
    /// impl Actor for Clerk {
    ///     fn decide_to_start(&self, _state: &StartState) -> bool { false }
    /// }
    /// #[aplay::actor]
    /// impl Clerk {} // no messages
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// assert!(matches!(system.spawn("clerk", Clerk).await, Err(Error::StartDeclined { .. })));
    /// # Ok(()) }
    /// ```
    fn decide_to_start(&self, state: &StartState) -> bool {
        !state.stopped_by_person
    }

    /// What to do when a message sent as a tell (nobody waits for the reply) returns an `Err`
    /// (aplay's `user_task_callback`). By default: log it and go on.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::{Actor, Context};
    /// use aplay_core::{Directive, HandlerError};
    /// struct Importer { errors: u32 }
    /// impl Actor for Importer {
    ///     // A told handler's `Err` (from `#[actor]` handlers that return `Result`) comes here.
    ///     fn on_error(&mut self, _ctx: &mut Context<Self>, error: HandlerError) -> Directive {
    ///         self.errors += 1;
    ///         eprintln!("{} failed: {}", error.handler(), error.message());
    ///         if self.errors < 3 { Directive::Resume } else { Directive::Fail }
    ///     }
    /// }
    /// ```
    fn on_error(&mut self, ctx: &mut Context<Self>, error: HandlerError) -> Directive {
        tracing::warn!(actor = %ctx.path(), handler = error.handler(), error = %error, "a told message failed");
        Directive::Resume
    }

    /// The mailbox this actor gets (aplay's `prepare_mailbox`). By default bounded, with room
    /// for [`Mailbox::DEFAULT_CAPACITY`] messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, Mailbox};
    /// struct Logger;
    /// impl Actor for Logger {
    ///     // Senders never wait on it; memory grows if it falls behind.
    ///     fn mailbox(&self) -> Mailbox { Mailbox::unbounded() }
    /// }
    /// assert_eq!(Logger.mailbox().capacity(), None);
    /// ```
    fn mailbox(&self) -> Mailbox {
        Mailbox::default()
    }

    /// How this actor supervises its children: the strategy, and how many restarts it allows
    /// within a period before it gives up and fails itself. One-for-one, at most
    /// [`Supervision::DEFAULT_MAX_RESTARTS`] within [`Supervision::DEFAULT_WITHIN`], by default.
    ///
    /// See the examples on [`Supervision`] and [`Strategy`](crate::Strategy).
    fn supervision(&self) -> Supervision {
        Supervision::default()
    }

    /// How long its parent (or a system shutdown) lets this actor take to stop (its queued
    /// messages, its children, `on_stop`) before killing it. Five seconds by default.
    ///
    /// `Duration::MAX` (or any limit too long for the clock to count) is no limit: it is waited
    /// for, never killed. `Duration::ZERO` gives it no time: it is killed as soon as it is
    /// asked to stop, its queue and `on_stop` skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use aplay_core::Actor;
    /// struct Flusher;
    /// impl Actor for Flusher {
    ///     // Its `on_stop` writes a file: give it a minute.
    ///     fn shutdown_timeout(&self) -> Duration { Duration::from_secs(60) }
    /// }
    /// ```
    fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(5)
    }
}

/// What `on_error` decides about a failed tell.
///
/// See the example on [`Actor::on_error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Directive {
    /// Go on with the next message.
    Resume,
    /// Stop normally after this message, as `ctx.stop()` does.
    Stop,
    /// Stop with a failure, so the parent's supervision applies.
    Fail,
}

/// Hands the error of a told message to the actor's [`on_error`](Actor::on_error) and does
/// what it decides: the one place a handler's `Err` with nobody asking is reported, for
/// ordinary and local actors alike.
pub(crate) fn report_error<A: Actor>(actor: &mut A, ctx: &mut Context<A>, error: HandlerError) {
    ctx.myself_any().core().note_error(error.to_string());
    match actor.on_error(ctx, error.clone()) {
        Directive::Resume => {}
        Directive::Stop => ctx.stop(),
        Directive::Fail => ctx.fail(error.to_string()),
    }
}

/// What `decide_to_start` knows when it decides.
///
/// See the example on [`Actor::decide_to_start`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct StartState {
    /// Whether a person stopped this actor through its ref.
    pub stopped_by_person: bool,
    /// How many times it was started before.
    pub restarts: u32,
}

/// An error returned by a handler whose reply nobody awaited (a tell), given to `on_error`.
///
/// # Examples
///
/// ```
/// use aplay_core::HandlerError;
/// let error = HandlerError::new("import", &"line 3: not a number");
/// assert_eq!(error.handler(), "import");
/// assert_eq!(error.message(), "line 3: not a number");
/// assert_eq!(error.to_string(), "import: line 3: not a number");
/// ```
#[derive(Clone)]
pub struct HandlerError {
    handler: &'static str,
    message: String,
}

impl HandlerError {
    /// An error from the handler method named `handler`.
    ///
    /// See the example on [`HandlerError`], and [`Actor::on_error`] where it is given.
    pub fn new(handler: &'static str, error: &dyn fmt::Display) -> Self {
        HandlerError {
            handler,
            message: error.to_string(),
        }
    }

    /// The name of the handler method that failed.
    ///
    /// See the example on [`HandlerError`], and [`Actor::on_error`] where it is given.
    pub fn handler(&self) -> &'static str {
        self.handler
    }

    /// The error's message.
    ///
    /// See the example on [`HandlerError`], and [`Actor::on_error`] where it is given.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.handler, self.message)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("handler", &self.handler)
            .field("message", &self.message)
            .finish()
    }
}

/// The messages of an actor: implemented by `#[actor]` on its `impl` block, which generates
/// the message enum, the dispatch and the typed handle. Not meant to be written by hand.
///
/// # Examples
///
/// The crate-level example writes one by hand, with [`BareHandle`](crate::BareHandle) for an
/// actor without generated message methods; in the `aplay` facade, `#[actor]` writes it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no messages",
    label = "no `#[actor]` impl block for this type",
    note = "put `#[actor]` on an `impl {Self} {{ .. }}` block (it may be empty) to give the actor its messages and handle"
)]
pub trait Dispatch: Actor {
    /// The generated message enum, `{Actor}Msg`.
    type Msg: Send + 'static;
    /// The generated handle with one method per message, reached through `ActorRef<Self>`.
    type Handle: crate::handle::Handle<Self>;

    /// Runs the handler a message is for, and sends its reply.
    fn dispatch(
        &mut self,
        msg: Self::Msg,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send;

    /// The name of the handler a message is for, for logs and spans.
    fn message_name(msg: &Self::Msg) -> &'static str;

    /// Whether someone waits for this message's reply. When a supervised actor restarts,
    /// queued asks are answered with an error (the instance they were for is gone) while
    /// tells are kept for the next instance. By default, no message is an ask.
    fn is_ask(msg: &Self::Msg) -> bool {
        let _ = msg;
        false
    }

    /// The priority a message is sent with unless its send says otherwise: `#[actor]` gives
    /// the messages of handlers marked `#[handler(priority = high)]`
    /// [`Priority::High`](crate::Priority::High). By default, every message is normal.
    #[inline(always)]
    fn priority(msg: &Self::Msg) -> crate::mailbox::Priority {
        let _ = msg;
        crate::mailbox::Priority::Normal
    }
}
