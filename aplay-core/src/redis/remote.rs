//! `RemoteRef<A>`: a ref to an actor served by another process, with the generated methods of
//! a local ref; and the task that forwards what it is sent to Redis.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::backoff::Backoff;
use super::conn::{pipeline, retrying, run_pipeline};
use super::entry::{MESSAGE, REPLY_TO, REQUEST};
use super::error::{RedisError, RedisErrorKind};
use super::station::Station;
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::{ActorRef, StandIn, stand_in};
use crate::mailbox::Mailbox;
use crate::path::ActorPath;
use crate::wire::{Wire, encode};

/// A ref to the actor of type `A` at a path served through Redis, usually by another process
/// (from [`RedisStation::lookup`](super::RedisStation::lookup) or
/// [`remote`](super::RedisStation::remote)).
///
/// It dereferences to `A`'s generated handle, as an [`ActorRef`] does, so the calls are the
/// same: `jobs.run(job).await?`, `jobs.count().await?`, `.timeout(d)`, `.try_tell()`, `.ask()`.
/// What they wait for differs:
///
/// - a **tell** (`jobs.run(job).await`) returns once the message is queued in this process,
///   on its way to Redis (waiting for room when [`remote_capacity`] messages are queued:
///   back-pressure). [`flushed`](Self::flushed) waits until Redis has them all.
/// - an **ask** (`jobs.count().await`, or `.ask()` on a unit method) returns once a worker
///   handled the message and its reply came back. Without a `.timeout(d)` it waits as long
///   as it takes (a message waits in the stream until a worker serves it).
/// - an ask whose message could not be handled (it went to the dead letters) resolves to
///   [`Error::NoReply`].
///
/// Clones share one queue and one forwarding task; the task ends, after forwarding what is
/// queued, when the last clone is dropped.
///
/// [`remote_capacity`]: super::StationConfig::remote_capacity
///
/// See the examples on [`RedisStation::serve`](super::RedisStation::serve) and [`RedisStation::remote`](super::RedisStation::remote).
pub struct RemoteRef<A: Dispatch> {
    actor: ActorRef<A>,
    link: Arc<Link>,
}

/// Held by every clone: dropping the last one closes the control channel, which ends the
/// forwarder once it has forwarded what is queued.
struct Link {
    control: mpsc::UnboundedSender<Control>,
}

enum Control {
    Flush(oneshot::Sender<()>),
}

pub(crate) fn remote_ref<A: Wire>(station: Arc<Station>, path: ActorPath) -> RemoteRef<A> {
    let (actor, holder) = stand_in::<A>(
        path.clone(),
        Mailbox::bounded(station.config.remote_capacity),
    );
    let (control, control_rx) = mpsc::unbounded_channel();
    tokio::spawn(forward(station, path, holder, control_rx));
    RemoteRef {
        actor,
        link: Arc::new(Link { control }),
    }
}

impl<A: Dispatch> RemoteRef<A> {
    /// The path of the remote actor.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn path(&self) -> &ActorPath {
        self.actor.path()
    }

    /// Waits until every message sent through this ref (or a clone) before the call is in
    /// Redis: appended to the mailbox stream, acknowledged by the server. While Redis cannot
    /// be reached, this waits for it to come back.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] (kind [`Closed`](RedisErrorKind::Closed)) if the forwarding task is
    /// gone (its runtime shut down).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future stops the waiting only.
    ///
    /// See the example on [`RedisStation::remote`](super::RedisStation::remote).
    pub async fn flushed(&self) -> Result<(), Error> {
        let (done, wait) = oneshot::channel();
        let closed = || {
            Error::Redis(RedisError::new(
                RedisErrorKind::Closed,
                format!("the forwarder of the remote ref {} is gone", self.path()),
            ))
        };
        self.link
            .control
            .send(Control::Flush(done))
            .map_err(|_| closed())?;
        wait.await.map_err(|_| closed())
    }

    /// The local stand-in as an [`ActorRef`], for code written against `ActorRef<A>`.
    /// Stopping it ends this remote ref's forwarding (after what is queued), not the remote
    /// actor.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # use aplay_core::wire::{self, Outcome, OutcomeReceiver, ReplyCompleter, Wire};
    /// # // What `#[actor(serde)]` in the `aplay` facade generates, written by hand.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # enum CounterMsg { Add(u64, #[serde(skip)] Option<ReplyTo<()>>), Get(#[serde(skip)] Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl Handle<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         TellRequest::new(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         AskRequest::new(&self.0, (), |(), reply| CounterMsg::Get(reply))
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
    /// # }
    /// # impl Wire for Counter {
    /// #     fn expect_outcome(msg: &mut CounterMsg) -> OutcomeReceiver {
    /// #         match msg { CounterMsg::Add(_, r) => wire::expect_outcome(r), CounterMsg::Get(r) => wire::expect_outcome(r) }
    /// #     }
    /// #     fn take_reply(msg: &mut CounterMsg) -> Option<ReplyCompleter> {
    /// #         match msg { CounterMsg::Add(_, r) => wire::take_reply(r), CounterMsg::Get(r) => wire::take_reply(r) }
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::redis::RedisStation;
    /// /// Code written for local actors takes remote ones too.
    /// async fn bump(counter: &ActorRef<Counter>) -> Result<(), Error> {
    ///     counter.add(1).await
    /// }
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let remote = station.remote::<Counter>("/counter")?;
    /// bump(remote.as_actor_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub fn as_actor_ref(&self) -> &ActorRef<A> {
        &self.actor
    }
}

impl<A: Dispatch> Deref for RemoteRef<A> {
    type Target = A::Handle;

    fn deref(&self) -> &A::Handle {
        &self.actor
    }
}

impl<A: Dispatch> Clone for RemoteRef<A> {
    fn clone(&self) -> Self {
        RemoteRef {
            actor: self.actor.clone(),
            link: Arc::clone(&self.link),
        }
    }
}

impl<A: Dispatch> fmt::Debug for RemoteRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRef")
            .field("path", self.path())
            .field("actor", &std::any::type_name::<A>())
            .finish()
    }
}

/// Moves messages from the stand-in to the mailbox stream, in order, a batch per pipeline.
async fn forward<A: Wire>(
    station: Arc<Station>,
    path: ActorPath,
    mut holder: StandIn<A>,
    mut control: mpsc::UnboundedReceiver<Control>,
) {
    let stream = station.keys.mailbox(path.as_str());
    let mut forwarder = Forwarder {
        station: &station,
        stream: &stream,
        backoff: Backoff::new(
            station.config.reconnect_initial,
            station.config.reconnect_max,
        ),
    };
    let batch = station.config.read_batch;
    let mut msgs = Vec::with_capacity(batch);
    loop {
        tokio::select! {
            biased;
            ctrl = control.recv() => match ctrl {
                Some(Control::Flush(done)) => {
                    forwarder.drain(&mut holder, &mut msgs, batch).await;
                    let _ = done.send(());
                }
                None => {
                    // The last ref is gone: forward what is queued, then end.
                    forwarder.drain(&mut holder, &mut msgs, batch).await;
                    return;
                }
            },
            msg = holder.recv() => match msg {
                Some(msg) => {
                    msgs.push(msg);
                    while msgs.len() < batch {
                        match holder.try_recv() {
                            Some(msg) => msgs.push(msg),
                            None => break,
                        }
                    }
                    forwarder.send::<A>(&mut msgs).await;
                }
                None => return,
            },
        }
    }
}

struct Forwarder<'a> {
    station: &'a Station,
    stream: &'a str,
    backoff: Backoff,
}

impl Forwarder<'_> {
    /// Forwards everything queued now.
    async fn drain<A: Wire>(
        &mut self,
        holder: &mut StandIn<A>,
        msgs: &mut Vec<A::Msg>,
        batch: usize,
    ) {
        loop {
            while msgs.len() < batch {
                match holder.try_recv() {
                    Some(msg) => msgs.push(msg),
                    None => break,
                }
            }
            if msgs.is_empty() {
                return;
            }
            self.send::<A>(msgs).await;
        }
    }

    /// Appends `msgs` to the stream in one pipeline, retried until Redis takes it.
    async fn send<A: Wire>(&mut self, msgs: &mut Vec<A::Msg>) {
        let mut pipe = pipeline();
        let mut appended = 0;
        let replies = &self.station.replies;
        for mut msg in msgs.drain(..) {
            let asker = A::take_reply(&mut msg);
            let bytes = match encode(&msg) {
                Ok(bytes) => bytes,
                Err(error) => {
                    // The asker, if any, gets `Error::NoReply` as `asker` drops.
                    tracing::error!(%error, handler = A::message_name(&msg), "redis: a message that cannot be encoded is dropped");
                    continue;
                }
            };
            let add = pipe
                .cmd("XADD")
                .arg(self.stream)
                .arg("*")
                .arg(MESSAGE)
                .arg(bytes);
            if let Some(asker) = asker {
                // Registered before the message leaves: the reply may come back at once.
                let id = replies.register(asker);
                add.arg(REPLY_TO).arg(&replies.key).arg(REQUEST).arg(id);
            }
            appended += 1;
        }
        if appended == 0 {
            return;
        }
        let conn = self.station.connections.shared();
        let pipe = &pipe;
        let refused = retrying("appending messages", &mut self.backoff, || {
            let mut conn = conn.clone();
            async move { run_pipeline(&mut conn, pipe).await }
        })
        .await;
        for error in refused {
            // The asker of a refused message, if any, waits for its timeout.
            tracing::error!(stream = self.stream, %error, "redis: a message was refused");
        }
    }
}
