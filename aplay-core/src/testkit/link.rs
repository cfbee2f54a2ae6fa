//! What a probe shares with the task that runs its stand-in: where the stand-in is in its life,
//! the autopilot, and the holder's request to end it.

use std::sync::Arc;

use parking_lot::Mutex;

use tokio::sync::{Notify, mpsc, watch};

use crate::actor::Dispatch;
use crate::handle::{ActorRef, StandIn};
use crate::panics::panic_text;
use crate::stop::StopReason;

/// What answers (or looks at) each message before the probe records it.
pub(super) type Autopilot<A> = Box<dyn FnMut(&mut <A as Dispatch>::Msg) + Send>;

/// Where a probe's stand-in is in its life.
pub(super) enum Phase<A: Dispatch> {
    /// A replaced child nobody has spawned yet.
    Waiting,
    /// Spawned (or made at once, for a free-standing probe): its ref, also after it stopped.
    Spawned(ActorRef<A>),
    /// The spawn at the replaced address did not give the probe a stand-in: why.
    Refused(String),
}

/// The autopilot, or the panic that ended it.
enum Pilot<A: Dispatch> {
    Off,
    On(Autopilot<A>),
    Crashed(String),
}

/// Shared by a probe and the task that runs its stand-in.
pub(super) struct Link<A: Dispatch> {
    phase: watch::Sender<Phase<A>>,
    pilot: Mutex<Pilot<A>>,
    /// The reason the holder wants the stand-in to end with.
    end: Mutex<Option<StopReason>>,
    end_requested: Notify,
}

impl<A: Dispatch> Link<A> {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Link {
            phase: watch::Sender::new(Phase::Waiting),
            pilot: Mutex::new(Pilot::Off),
            end: Mutex::new(None),
            end_requested: Notify::new(),
        })
    }

    pub(super) fn phase(&self) -> watch::Receiver<Phase<A>> {
        self.phase.subscribe()
    }

    pub(super) fn refuse(&self, why: String) {
        self.phase.send_replace(Phase::Refused(why));
    }

    pub(super) fn set_autopilot(&self, pilot: Autopilot<A>) {
        *self.pilot.lock() = Pilot::On(pilot);
    }

    /// The panic of the autopilot, if it panicked.
    pub(super) fn crash(&self) -> Option<String> {
        match &*self.pilot.lock() {
            Pilot::Crashed(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// Asks the task to end the stand-in with `reason`.
    pub(super) fn end_with(&self, reason: StopReason) {
        *self.end.lock() = Some(reason);
        self.end_requested.notify_one();
    }

    /// Runs the autopilot on `msg`; `false` if it panicked. A panic turns it off, and the
    /// probe reports it at its next `expect`.
    fn pilot(&self, msg: &mut A::Msg) -> bool {
        let mut pilot = self.pilot.lock();
        let Pilot::On(autopilot) = &mut *pilot else {
            return true;
        };
        if let Err(panic) = crate::panics::catch(|| autopilot(msg)) {
            let text = format!("on `{}`: {}", A::message_name(msg), panic_text(&*panic));
            *pilot = Pilot::Crashed(text);
            return false;
        }
        true
    }
}

/// Runs `stand_in` for its probe, on a task of its own: every message goes through the
/// autopilot to the probe's queue, at once, so the stand-in's mailbox never fills and a
/// stop or a kill ends it promptly, whether or not the test reads the probe.
///
/// The stand-in ends (its refs see it stopped, its parent hears of it) when it is stopped or
/// killed through a ref or by its parent, when the probe asks for it, or when the probe is
/// dropped.
pub(super) fn run<A: Dispatch>(
    stand_in: StandIn<A>,
    messages: mpsc::UnboundedSender<A::Msg>,
    link: Arc<Link<A>>,
) {
    link.phase
        .send_replace(Phase::Spawned(stand_in.actor_ref()));
    tokio::spawn(forward(stand_in, messages, link));
}

async fn forward<A: Dispatch>(
    mut stand_in: StandIn<A>,
    messages: mpsc::UnboundedSender<A::Msg>,
    link: Arc<Link<A>>,
) {
    loop {
        let received = tokio::select! {
            biased;
            () = link.end_requested.notified() => break,
            // The probe was dropped: nobody will read what comes.
            () = messages.closed() => break,
            received = stand_in.recv() => received,
        };
        // `None`: stopped or killed through a ref or by its parent.
        let Some(mut msg) = received else { break };
        if !link.pilot(&mut msg) {
            // What the autopilot panicked on is dropped, so that an asker is not left waiting
            // (it gets `NoReply`); the probe's next `expect` reports the panic.
            continue;
        }
        if messages.send(msg).is_err() {
            break;
        }
    }
    match link.end.lock().take() {
        Some(reason) => stand_in.end_with(reason),
        None => drop(stand_in),
    }
}
