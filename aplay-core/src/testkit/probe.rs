//! `Probe<A>`: stands in for an actor of type `A` and asserts what it receives.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::DEFAULT_LIMIT;
use super::link::{self, Link, Phase};
use crate::actor::Dispatch;
use crate::handle::{ActorRef, stand_in};
use crate::mailbox::Mailbox;
use crate::path::ActorPath;
use crate::stop::StopReason;

/// Makes a probe standing in for an actor of type `A` named `name` (at `/{name}`), and its
/// ref: an [`ActorRef<A>`] like any other, with every generated method of `A`
/// (`counter.add(5)`, `counter.get()`), whose messages the probe receives. Give the ref to the
/// actor under test; assert with [`Probe::expect`] what it sent.
///
/// The stand-in is not registered in any system: it is reached only through its refs. To
/// have it found by address, or spawned in place of a child, use
/// [`TestKit::replace`](super::TestKit::replace).
///
/// # Panics
///
/// If `name` is not a valid actor name (see [`validate_name`](crate::validate_name)), or
/// outside a tokio runtime (the stand-in runs on a task).
///
/// # Examples
///
/// ```
/// use aplay_core::testkit;
/// # use aplay_doc_actors::{Worker, WorkerMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// // A stand-in for a `Worker` (`#[actor] impl Worker { fn job(&mut self, n: u32) .. }`).
/// let (worker, mut probe) = testkit::probe::<Worker>("worker");
/// worker.job(7).await?;
/// let WorkerMsg::Job { n, .. } = probe.expect().await;
/// assert_eq!(n, 7);
/// # Ok(()) }
/// ```
#[must_use = "the stand-in ends when its probe is dropped"]
pub fn probe<A: Dispatch>(name: &str) -> (ActorRef<A>, Probe<A>) {
    let path = ActorPath::root()
        .child(name)
        .unwrap_or_else(|error| panic!("testkit::probe: {error}"));
    let (actor_ref, stand_in) = stand_in::<A>(path.clone(), Mailbox::unbounded());
    let (probe, messages, link) = Probe::new(path);
    link::run(stand_in, messages, link);
    (actor_ref, probe)
}

/// Stands in for an actor of type `A` and asserts what it receives: made by [`probe`], or
/// by [`TestKit::replace`](super::TestKit::replace) for a child spawned later.
///
/// Its stand-in takes every message at once (senders never wait for room, and `try_tell`
/// never finds it full) and keeps them, in order, until an `expect` takes them. A stop or a
/// kill through a ref, or by the stand-in's parent, ends it promptly, whether or not the test
/// reads the probe; dropping the probe ends it too ([`StopReason::Normal`]).
///
/// Each `expect` waits at most a limit ([`DEFAULT_LIMIT`], or [`with_limit`](Self::with_limit)),
/// and **panics** when what it expects does not happen: these are test assertions, and a
/// panic is how a test fails. A panicking test does not hang: the probe's stand-in ends with
/// the runtime.
///
/// Asks reach the probe with their reply channel (`reply: Some(..)` in the generated
/// message); answer them with [`ReplyTo::send`](crate::request::ReplyTo::send), or let an
/// [`autopilot`](Self::autopilot) answer them as they come.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::{StopReason, testkit};
/// # use aplay_doc_actors::{Counter, CounterMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let (counter, mut probe) = testkit::probe::<Counter>("counter");
/// let mut probe = probe.with_limit(Duration::from_secs(1));
/// assert_eq!(probe.path(), "/counter");
/// assert_eq!(probe.actor_ref(), Some(counter.clone()));
///
/// // Record tells, and answer asks as they come.
/// probe.autopilot(|msg| {
///     if let CounterMsg::Get { reply } = msg {
///         if let Some(reply) = reply.take() { reply.send(7) }
///     }
/// });
/// counter.add(2).await?;
/// assert_eq!(counter.get().await?, 7);
/// let CounterMsg::Add { n, reply: None } = probe.expect().await else { panic!("expected an add") };
/// assert_eq!(n, 2);
/// let CounterMsg::Get { reply: None } = probe.expect_within(Duration::from_millis(100)).await else {
///     panic!("expected the get, its reply taken by the autopilot")
/// };
/// probe.expect_none(Duration::from_millis(10)).await;
///
/// counter.stop().await;
/// assert_eq!(probe.expect_stopped().await, StopReason::StoppedByPerson);
/// # Ok(()) }
/// ```
pub struct Probe<A: Dispatch> {
    path: ActorPath,
    messages: mpsc::UnboundedReceiver<A::Msg>,
    link: Arc<Link<A>>,
    limit: Duration,
}

impl<A: Dispatch> Probe<A> {
    /// A probe for the stand-in at `path`, the sending side of its queue, and their link.
    pub(super) fn new(path: ActorPath) -> (Self, mpsc::UnboundedSender<A::Msg>, Arc<Link<A>>) {
        let (sender, messages) = mpsc::unbounded_channel();
        let link = Link::new();
        let probe = Probe {
            path,
            messages,
            link: Arc::clone(&link),
            limit: DEFAULT_LIMIT,
        };
        (probe, sender, link)
    }

    /// The same probe, whose `expect`, `expect_stopped` and `expect_spawned` wait at most
    /// `limit`. `Duration::ZERO` expects what is there already; a limit past 30 years
    /// (`Duration::MAX`, say) is taken as 30 years, so that a failing test still ends.
    ///
    /// See the example on [`Probe`].
    pub fn with_limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// The address it stands in at.
    ///
    /// See the example on [`Probe`].
    pub fn path(&self) -> &ActorPath {
        &self.path
    }

    /// A ref to its stand-in; `None` while nothing has spawned the child it replaces.
    ///
    /// See the example on [`Probe`].
    pub fn actor_ref(&self) -> Option<ActorRef<A>> {
        match &*self.link.phase().borrow() {
            Phase::Spawned(actor) => Some(actor.clone()),
            Phase::Waiting | Phase::Refused(_) => None,
        }
    }

    /// Answers or looks at every message that comes from now on, before the probe records
    /// it: an ask from the actor under test is answered at once, without the test having to
    /// read the probe at the right moment. Take the reply out of the message
    /// (`reply.take()`) to answer it; the message, answered or not, is still recorded for
    /// `expect`. A new autopilot replaces the previous one.
    ///
    /// It runs on the stand-in's task. A panic in it is caught: the message it panicked on is
    /// dropped (an asker gets [`Error::NoReply`](crate::Error::NoReply)), the autopilot is
    /// turned off, and the probe's next `expect` panics with it.
    ///
    /// The guide's Testing chapter has an example: a probe that answers an actor's asks.
    ///
    /// See the example on [`Probe`].
    pub fn autopilot(&self, pilot: impl FnMut(&mut A::Msg) + Send + 'static) {
        self.link.set_autopilot(Box::new(pilot));
    }

    /// The next message, waiting at most the probe's limit.
    ///
    /// # Panics
    ///
    /// When no message comes within the limit, when the stand-in stopped with nothing left to
    /// read, when the spawn it was waiting for went to another type, or when its autopilot
    /// panicked.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is never lost by dropping this future.
    ///
    /// See the example on [`Probe`].
    pub async fn expect(&mut self) -> A::Msg {
        self.expect_within(self.limit).await
    }

    /// The next message, waiting at most `limit`: `Duration::ZERO` takes one already there;
    /// a limit past 30 years (`Duration::MAX`, say) is taken as 30 years.
    ///
    /// # Panics
    ///
    /// As [`expect`](Self::expect).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`Probe`].
    pub async fn expect_within(&mut self, limit: Duration) -> A::Msg {
        self.check_autopilot();
        match super::within(limit, self.messages.recv()).await {
            Some(Some(msg)) => msg,
            Some(None) => panic!(
                "probe {}: expected a message, but it stopped ({}) with none left",
                self.path,
                self.end_text()
            ),
            None => panic!(
                "probe {}: expected a message within {limit:?}, none came{}",
                self.path,
                self.waiting_text()
            ),
        }
    }

    /// Asserts that no message comes within `within` (a stop meanwhile is not a message: it
    /// returns then, since none can come any more). `Duration::ZERO` asserts that none is
    /// there now; a limit past 30 years (`Duration::MAX`, say) is taken as 30 years, on the
    /// paused clock once every timer due within has fired.
    ///
    /// # Panics
    ///
    /// When a message comes (or one was already waiting), naming its handler; or when the
    /// autopilot panicked.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message that comes meanwhile stays in the probe.
    ///
    /// See the example on [`Probe`].
    pub async fn expect_none(&mut self, within: Duration) {
        self.check_autopilot();
        if let Some(Some(msg)) = super::within(within, self.messages.recv()).await {
            panic!(
                "probe {}: expected no message within {within:?}, got `{}`",
                self.path,
                A::message_name(&msg)
            );
        }
    }

    /// Waits until the stand-in has stopped, at most the probe's limit, and says why: a
    /// person's stop ([`StopReason::StoppedByPerson`]), its parent's stop or a shutdown
    /// ([`StopReason::Shutdown`]), a kill ([`StopReason::Killed`]). Messages not read yet stay
    /// readable.
    ///
    /// # Panics
    ///
    /// When it is still running after the limit, or was never spawned.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`Probe`].
    pub async fn expect_stopped(&mut self) -> StopReason {
        self.expect_stopped_within(self.limit).await
    }

    /// [`expect_stopped`](Self::expect_stopped), waiting at most `limit`: `Duration::ZERO`
    /// expects it stopped already; a limit past 30 years (`Duration::MAX`, say) is taken as
    /// 30 years.
    ///
    /// # Panics
    ///
    /// As `expect_stopped`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use aplay_core::{Failure, FailureKind, StopReason, testkit};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let (counter, mut probe) = testkit::probe::<Counter>("counter");
    /// // A crash, as the actor it stands in for could have had; its parent would hear it.
    /// let crash = StopReason::Failed(Failure::new(FailureKind::HandlerPanic, "boom"));
    /// probe.stop_with(crash.clone());
    /// assert_eq!(probe.expect_stopped_within(Duration::from_secs(1)).await, crash);
    /// assert!(!counter.is_alive());
    /// # Ok(()) }
    /// ```
    pub async fn expect_stopped_within(&mut self, limit: Duration) -> StopReason {
        let stopped = async {
            let actor = self.spawned().await;
            actor.wait_stopped().await
        };
        match super::within(limit, stopped).await {
            Some(reason) => reason,
            None => panic!(
                "probe {}: expected it to stop within {limit:?}, it is still {}",
                self.path,
                match self.actor_ref() {
                    Some(_) => "running",
                    None => "not spawned",
                }
            ),
        }
    }

    /// Waits until something spawns the child this probe replaces (at once for a probe
    /// made by [`probe`]), at most the probe's limit, and returns the stand-in's ref.
    ///
    /// # Panics
    ///
    /// When nothing spawns it within the limit, or the spawn at its address was of another
    /// type, or failed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::testkit::TestKit;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let kit = TestKit::new();
    /// let mut probe = kit.replace::<Counter>("/counter");
    /// assert!(probe.actor_ref().is_none()); // nothing spawned it yet
    /// let spawned = kit.system().spawn("counter", Counter::default()).await?;
    /// assert_eq!(probe.expect_spawned().await, spawned);
    /// # Ok(()) }
    /// ```
    pub async fn expect_spawned(&mut self) -> ActorRef<A> {
        let limit = self.limit;
        match super::within(limit, self.spawned()).await {
            Some(actor) => actor,
            None => panic!(
                "probe {}: expected a spawn at {} within {limit:?}, none came",
                self.path, self.path
            ),
        }
    }

    /// Ends the stand-in with `reason`, as if the actor it stands in for had stopped so (a
    /// [`StopReason::Failed`] for a crash): its parent's `on_child_stopped` hears that reason,
    /// and its refs see it stopped. Messages already recorded stay readable; for a child not
    /// spawned yet, it ends as soon as it is spawned.
    ///
    /// See the example on [`expect_stopped_within`](Self::expect_stopped_within).
    pub fn stop_with(&self, reason: StopReason) {
        self.link.end_with(reason);
    }

    /// The stand-in's ref once spawned, without a limit.
    async fn spawned(&self) -> ActorRef<A> {
        let mut phase = self.link.phase();
        let phase = phase
            .wait_for(|phase| !matches!(phase, Phase::Waiting))
            .await
            .expect("the probe holds the link, and so the sender");
        match &*phase {
            Phase::Spawned(actor) => actor.clone(),
            Phase::Refused(why) => panic!("probe {}: {why}", self.path),
            Phase::Waiting => unreachable!("waited for another phase"),
        }
    }

    fn check_autopilot(&self) {
        if let Some(crash) = self.link.crash() {
            panic!("probe {}: its autopilot panicked {crash}", self.path);
        }
    }

    /// Why it stopped, for a panic message.
    fn end_text(&self) -> String {
        match &*self.link.phase().borrow() {
            Phase::Spawned(actor) => ActorRef::to_any(actor)
                .stop_reason()
                .map_or_else(|| "it was dropped".to_owned(), |reason| reason.to_string()),
            Phase::Waiting => format!(
                "its test kit is gone, and nothing was spawned at {}",
                self.path
            ),
            Phase::Refused(why) => why.clone(),
        }
    }

    /// What it still waits for, for a panic message.
    fn waiting_text(&self) -> String {
        match &*self.link.phase().borrow() {
            Phase::Waiting => format!(" (nothing was spawned at {} yet)", self.path),
            Phase::Refused(why) => format!(" ({why})"),
            Phase::Spawned(_) => String::new(),
        }
    }
}

impl<A: Dispatch> fmt::Debug for Probe<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Probe")
            .field("path", &self.path)
            .field("for", &std::any::type_name::<A>())
            .field("unread", &self.messages.len())
            .finish()
    }
}
