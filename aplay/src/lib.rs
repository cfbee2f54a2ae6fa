//! Actors for tokio: write a struct and its handler methods; `#[actor]` gives you typed
//! handles, and the runtime gives you mailboxes with back-pressure, a supervision tree,
//! hierarchical addresses and clean shutdown.
//!
//! ```
//! use aplay::prelude::*;
//!
//! #[actor]
//! #[derive(Default)]
//! struct Counter { count: u64 }
//!
//! #[actor]
//! impl Counter {
//!     /// A tell: it returns nothing, so awaiting it only waits for room in the mailbox.
//!     fn add(&mut self, n: u64) { self.count += n; }
//!     /// An ask: awaiting it returns the reply.
//!     fn get(&self) -> u64 { self.count }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     let system = System::new();
//!     let counter = system.spawn("counter", Counter::default()).await?;
//!     counter.add(5).await?;
//!     assert_eq!(counter.get().await?, 5);
//!     assert_eq!(counter.path(), "/counter");
//!     system.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! The guide is in [`guide`]; the examples in the repository's `examples/` each run with
//! `cargo run --example NAME`.
//!
//! # Features
//!
//! - `tracing` (default): a span per actor (with its path) and per handled message.
//! - `serde`: `Serialize`/`Deserialize` for [`ActorPath`] and [`StopReason`]; serializable
//!   messages with `#[actor(serde)]` and the `wire` module (see the guide's chapter
//!   "Messages that cross processes").
//! - `redis`: durable mailboxes on Redis streams, remote refs, worker pools and topics across
//!   processes ([`redis`](mod@redis), [`guide::task_queue`], [`guide::pubsub`]); implies
//!   `serde`.
//! - `testkit`: `aplay::testkit`, probes and a paused clock for testing actors (usually
//!   enabled for tests only; see [the Testing chapter](guide::testing)).
//! - `observe`: the tree as JSON (`TreeNode::to_json`); see [`guide::observability`] (the
//!   `aplay-dashboard` crate serves it, with pages and Prometheus metrics).

pub use aplay_core::{
    Actor, ActorPath, ActorRef, ActorState, AnyRef, BareHandle, BoxError, Context,
    DEFAULT_SHUTDOWN_LIMIT, Directive, Dispatch, Error, Failure, FailureKind, Handle, HandlerError,
    Inbox, Local, LocalDispatch, Mailbox, Pool, Priority, Published, RawRef, Recipient, Restart,
    Routing, StartState, StopReason, Strategy, Supervision, System, TaskHandle, Topic, TreeNode,
    Undelivered, request, validate_name,
};
// The mail the system's mailboxes refused (`System::recent_undelivered`).
pub use aplay_core::{RECENT_UNDELIVERED, Refusal, UndeliveredNote};
pub use aplay_core::{SystemBuilder, local, observe, pool};

#[cfg(feature = "serde")]
pub use aplay_core::wire;

/// Redis: durable mailboxes, shared addresses, remote refs, worker pools across processes
/// (feature `redis`). The guide's chapter [`guide::redis`] tells how.
#[cfg(feature = "redis")]
pub use aplay_core::redis;

/// Testing actors: probes that stand in for actors and recipients, children replaced by
/// probes, and a paused clock; see [the guide's Testing chapter](crate::guide::testing).
#[cfg(feature = "testkit")]
pub use aplay_core::testkit;

/// Turns an `impl` block into an actor's messages, or gives a struct or enum the default
/// lifecycle.
///
/// On an `impl Name { .. }` block, every method with `&self` or `&mut self` is a message
/// handler: its arguments are the message's fields, an optional last `ctx: &mut Context<Self>`
/// parameter gives the actor's context, and its return type is the reply. The macro generates
///
/// - `NameMsg`, an enum with one variant per handler (`fn add_slowly` is `AddSlowly`), each
///   with the arguments as fields and a `reply` channel;
/// - `NameHandle`, which `ActorRef<Name>` dereferences to, with one method per handler:
///   `r.add(5).await` is a tell when the handler returns `()`, an ask otherwise (see
///   [`request`] for `.ask()`, `.tell()`, `.try_tell()` and `.timeout(..)`);
/// - `impl Dispatch for Name`, which runs the handlers and sends their replies.
///
/// Functions without a receiver stay ordinary associated functions; a method marked `#[skip]`
/// stays an ordinary method. A handler returning `Result<T, E>` (with `E: Display`) passes the
/// whole `Result` to an asker; when told, an `Err` goes to [`Actor::on_error`].
///
/// On a struct or enum, `#[actor]` writes `impl Actor for Name {}`: the default lifecycle.
/// To write hooks, implement [`Actor`] by hand instead.
///
/// `#[actor(crate = path::to::aplay)]` names the facade when it is re-exported under
/// another path; `#[actor(vis = pub(crate))]` sets the visibility of the generated enum and
/// handle. `#[actor(serde)]` (with the `serde` feature) also makes the message enum
/// `Serialize + Deserialize` and implements `wire::Wire` for the actor, so that messages and
/// replies can cross process boundaries; every argument and reply must then be serializable.
///
/// # Examples
///
/// ```
/// use aplay::prelude::*;
///
/// #[actor]
/// struct Greeter;
///
/// #[actor]
/// impl Greeter {
///     fn new() -> Self { Greeter }               // an ordinary function
///
///     /// Says hello.
///     async fn greet(&self, name: String, ctx: &mut Context<Self>) -> String {
///         format!("hello {name}, from {}", ctx.path())
///     }
///
///     #[skip]
///     fn helper(&self) -> u8 { 7 }               // an ordinary method
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let system = System::new();
/// let greeter = system.spawn("greeter", Greeter::new()).await?;
/// assert_eq!(greeter.greet("Ada".into()).await?, "hello Ada, from /greeter");
/// # Ok(()) }
/// ```
pub use aplay_macros::actor;

/// What most programs need: `use aplay::prelude::*;`.
///
/// # Examples
///
/// ```
/// use aplay::prelude::*;
///
/// #[actor]
/// struct Echo;
///
/// #[actor]
/// impl Echo {
///     fn echo(&self, text: String) -> String { text }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let system = System::new();
/// let echo: ActorRef<Echo> = system.spawn("echo", Echo).await?;
/// assert_eq!(echo.echo("hi".into()).await?, "hi");
/// system.shutdown().await;
/// # Ok(()) }
/// ```
pub mod prelude {
    pub use crate::{
        Actor, ActorPath, ActorRef, ActorState, AnyRef, BoxError, Context, Directive, Error,
        HandlerError, Inbox, Mailbox, Pool, Priority, Recipient, Restart, Routing, StopReason,
        Strategy, Supervision, System, Topic, actor,
    };
}

/// The guide: one chapter per concept, every code block compiled and run as a test.
pub mod guide {
    #[doc = include_str!("../docs/getting-started.md")]
    pub mod getting_started {}
    #[doc = include_str!("../docs/defining-actors.md")]
    pub mod defining_actors {}
    #[doc = include_str!("../docs/tell-and-ask.md")]
    pub mod tell_and_ask {}
    #[doc = include_str!("../docs/addresses.md")]
    pub mod addresses {}
    #[doc = include_str!("../docs/children.md")]
    pub mod children {}
    #[doc = include_str!("../docs/stopping.md")]
    pub mod stopping {}
    #[doc = include_str!("../docs/supervision.md")]
    pub mod supervision {}
    #[doc = include_str!("../docs/input-streams.md")]
    pub mod input_streams {}
    #[doc = include_str!("../docs/timers.md")]
    pub mod timers {}
    #[doc = include_str!("../docs/inboxes.md")]
    pub mod inboxes {}
    #[doc = include_str!("../docs/pools.md")]
    pub mod pools {}
    #[cfg(feature = "serde")]
    #[doc = include_str!("../docs/serialization.md")]
    pub mod serialization {}
    #[cfg(feature = "redis")]
    #[doc = include_str!("../docs/redis.md")]
    pub mod redis {}
    #[cfg_attr(feature = "redis", doc = include_str!("../docs/task-queue.md"))]
    #[cfg_attr(
        not(feature = "redis"),
        doc = "A task queue on Redis: this chapter needs the `redis` feature (`cargo doc --features redis`)."
    )]
    pub mod task_queue {}
    #[cfg_attr(feature = "redis", doc = include_str!("../docs/pubsub.md"))]
    #[cfg_attr(
        not(feature = "redis"),
        doc = "Publish/subscribe across processes: this chapter needs the `redis` feature (`cargo doc --features redis`)."
    )]
    pub mod pubsub {}
    #[cfg_attr(feature = "testkit", doc = include_str!("../docs/testing.md"))]
    #[cfg_attr(
        not(feature = "testkit"),
        doc = "Testing actors: this chapter needs the `testkit` feature (`cargo doc --features testkit`)."
    )]
    pub mod testing {}
    #[doc = include_str!("../docs/seed-map.md")]
    pub mod seed_map {}
    #[doc = include_str!("../docs/migrating.md")]
    pub mod migrating {}
    #[doc = include_str!("../docs/observability.md")]
    pub mod observability {}
    #[doc = include_str!("../docs/architecture.md")]
    pub mod architecture {}
    #[cfg_attr(feature = "testkit", doc = include_str!("../docs/service.md"))]
    #[cfg_attr(
        not(feature = "testkit"),
        doc = "A service, start to finish: this chapter needs the `testkit` feature (`cargo doc --features testkit`)."
    )]
    pub mod service {}
}

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc(hidden)]
pub mod __private {
    pub use aplay_core::__private::*;
}
