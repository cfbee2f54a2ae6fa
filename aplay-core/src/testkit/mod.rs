//! Testing actors (the `testkit` feature): probes that stand in for actors and recipients and
//! assert what they receive, children replaced by probes, and a paused clock for timers.
//!
//! - [`probe`] makes an [`ActorRef<A>`](crate::ActorRef) whose messages a [`Probe`] receives:
//!   give it to the actor under test, then [`expect`](Probe::expect) what it sent,
//!   [`expect_none`](Probe::expect_none) within a time, or
//!   [`expect_stopped`](Probe::expect_stopped); asks are answered through the reply they
//!   carry, or by an [`autopilot`](Probe::autopilot).
//! - [`recipient_probe`] does the same for a [`Recipient<M>`](crate::Recipient).
//! - [`TestKit`] builds a system in which chosen child addresses get probes instead of actors:
//!   the actor under test spawns its children as usual, and the test reads what it sends them.
//! - [`paused`] runs a test on tokio's paused clock, where [`advance`] moves time exactly and
//!   [`settle`] waits for the actors to be done with what happened.
//!
//! Every `expect` **panics** when what it expects does not happen within its limit
//! ([`DEFAULT_LIMIT`] unless told otherwise): they are assertions, and a panic is how a Rust
//! test fails. The panic message says what was expected and what came instead. A limit of
//! `Duration::ZERO` expects what is there already; one past 30 years (`Duration::MAX`, say) is
//! taken as 30 years, so that a failing test still ends (at once on the paused clock).
//!
//! The guide's Testing chapter tests each of the seed examples with these.
//!
//! # Examples
//!
//! ```
//! use aplay_core::StopReason;
//! use aplay_core::testkit;
//! # use aplay_doc_actors::{Worker, WorkerMsg};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (worker, mut probe) = testkit::probe::<Worker>("worker");
//! worker.job(7).await.unwrap();
//! let WorkerMsg::Job { n, .. } = probe.expect().await;
//! assert_eq!(n, 7);
//! worker.stop().await;
//! assert_eq!(probe.expect_stopped().await, StopReason::StoppedByPerson);
//! # }
//! ```

mod clock;
mod kit;
mod link;
mod probe;
mod recipient;
mod replacements;

pub use clock::{advance, paused, settle};
pub use kit::TestKit;
pub use probe::{Probe, probe};
pub use recipient::{RecipientProbe, recipient_probe};

use std::time::Duration;

/// How long an `expect` waits before it fails the test, unless the probe was made
/// [`with_limit`](Probe::with_limit): three seconds, long for a machine under load, short for
/// a person waiting on a failing test. On the [`paused`] clock it passes at once when nothing
/// else can happen.
///
/// See [`Probe::with_limit`] for a probe with another limit.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(3);

/// The longest an `expect` or [`advance`] waits, whatever it is told: a limit past it
/// (`Duration::MAX`, say) is taken as 30 years, a limit still, so that a failing test ends (on
/// the [`paused`] clock, at once when nothing else can happen).
const LONGEST_LIMIT: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// `fut`'s output if it is ready within `limit` (at most [`LONGEST_LIMIT`]), else `None`; a
/// zero limit takes only what is ready at once.
async fn within<F: std::future::Future>(limit: Duration, fut: F) -> Option<F::Output> {
    crate::time::within(limit.min(LONGEST_LIMIT), fut).await
}
