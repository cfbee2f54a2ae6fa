//! The runtime of [aplay](https://docs.rs/aplay), an actor framework on tokio.
//!
//! Users depend on the `aplay` facade, which re-exports this crate and adds the `#[actor]`
//! macro; the guide and the examples live there. This crate holds the machinery: actors and
//! their hooks ([`Actor`]), handles ([`ActorRef`], [`AnyRef`]), mailboxes ([`Mailbox`]),
//! requests ([`request`]), the tree and its addresses ([`System`], [`ActorPath`]), and errors
//! ([`Error`], [`StopReason`]).
//!
//! # Layers
//!
//! The modules form layers, each importing only its own and those below (checked in CI by
//! the repository's `scripts/import-cycles` against `scripts/layers`); the guide's chapter
//! on the architecture (`aplay::guide::architecture`) walks one message through them.
//!
//! ```text
//! on top       local, pool, context::spawn, system::{kernel, spawn}, system_builder, testkit,
//!              redis, wire
//! runtime      runtime::{spawn, task, message_loop, finish}: an actor's task
//! supervision  supervision::restart: restarts, in one place
//! sending      request, handle::actor_ref, inbox, pubsub, attached, timer, stream,
//!              supervision::watch
//! stopping     stop::{actor, shutdown}, tree, observe::{json, readings}
//! actor types  actor (Actor, Dispatch, the typed cell, Handle, RawRef), AnyRef, System, Context
//! cell         cell (the untyped shared state: signals, children, lifecycle, the current
//!              actor), registry
//! values       time, path, stop, undelivered, error, mailbox, observe, supervision settings
//! ```
//!
//! # Examples
//!
//! An actor as users write it, through the facade: a struct, and an `impl` block whose
//! methods are its messages. `#[actor]` generates the message enum (`CounterMsg`), the typed
//! handle that `ActorRef<Counter>` dereferences to, and `impl Dispatch for Counter`.
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
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Error> {
//! let system = System::new();
//! let counter = system.spawn("counter", Counter::default()).await?;
//! counter.add(5).await?;
//! assert_eq!(counter.get().await?, 5);
//! system.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! This `Counter` is the one most examples in these docs spawn: their tests take it, defined
//! just so, from the repository's test-only crate `doc-actors/`. A few use its `Worker`, whose
//! one message is `fn job(&mut self, n: u32)`, or its `Gate`, which has room for one message
//! and handles it by waiting: `async fn wait(&self, open: Arc<Notify>)`.
//!
//! Without the macro, an actor's messages are written by hand (`#[actor]` does this for you):
//!
//! ```
//! use aplay_core::{Actor, BareHandle, Context, Dispatch, System};
//!
//! struct Counter { count: u64 }
//! enum CounterMsg { Add(u64) }
//!
//! impl Actor for Counter {}
//! impl Dispatch for Counter {
//!     type Msg = CounterMsg;
//!     type Handle = BareHandle<Self>;
//!     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
//!         match msg { CounterMsg::Add(n) => self.count += n }
//!     }
//!     fn message_name(_: &CounterMsg) -> &'static str { "add" }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), aplay_core::Error> {
//! let system = System::new();
//! let counter = system.spawn("counter", Counter { count: 0 }).await?;
//! aplay_core::ActorRef::send(&counter, CounterMsg::Add(2)).await?;
//! counter.stop().await;
//! # Ok(()) }
//! ```

mod actor;
mod attached;
mod cell;
mod context;
mod error;
mod handle;
mod inbox;
pub mod local;
mod mailbox;
pub mod observe;
mod panics;
mod path;
pub mod pool;
mod pubsub;
#[cfg(feature = "redis")]
pub mod redis;
mod registry;
pub mod request;
mod runtime;
mod stop;
mod stream;
mod supervision;
mod system;
mod system_builder;
#[cfg(feature = "testkit")]
pub mod testkit;
mod time;
mod timer;
mod tree;
mod undelivered;
#[cfg(feature = "serde")]
pub mod wire;

#[doc(hidden)]
pub mod __private;

pub use actor::{Actor, BoxError, Directive, Dispatch, HandlerError, StartState};
pub use attached::TaskHandle;
pub use cell::ActorState;
pub use context::Context;
pub use error::{Error, Undelivered};
pub use handle::{ActorRef, AnyRef, BareHandle, Handle, RawRef};
pub use inbox::{Inbox, Recipient};
pub use local::{Local, LocalDispatch};
pub use mailbox::{Mailbox, Priority};
pub use path::{ActorPath, validate_name};
pub use pool::{Pool, Routing};
pub use pubsub::{Published, Topic};
pub use stop::DEFAULT_SHUTDOWN_LIMIT;
pub use stop::{Failure, FailureKind, StopReason};
pub use supervision::{Restart, Strategy, Supervision};
pub use system::System;
pub use system_builder::SystemBuilder;
pub use tree::TreeNode;
pub use undelivered::{RECENT_UNDELIVERED, Refusal, UndeliveredNote};
