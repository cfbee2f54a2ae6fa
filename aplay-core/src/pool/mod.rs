//! In-process pools: one typed handle over N supervised instances of an actor.
//!
//! A pool is an actor (a [`PoolActor`]) at its own address whose children `0..N` are the
//! workers, each restarted by the pool's one-for-one supervision as
//! [`Restart::Permanent`]. The [`Pool`] handle dereferences to the handle of one worker,
//! chosen per method call by its [`Routing`], so `pool.work(x).await` reads like one actor.

mod slots;

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::oneshot;

use crate::actor::{Actor, BoxError, Dispatch};
use crate::cell::ActorState;
use crate::context::Context;
use crate::error::Error;
use crate::handle::{ActorRef, BareHandle, Handle};
use crate::path::ActorPath;
use crate::stop::StopReason;
use crate::supervision::Restart;
use crate::system::System;

use slots::Slots;

/// How a [`Pool`] picks the worker for each call through it.
///
/// Either way, a worker that is not running (restarting after a failure, or stopping) is
/// skipped while another one runs; when none runs, the worker in turn gets the message, and
/// its mailbox keeps tells for its next instance (asks queued at a restart get
/// [`Error::NoReply`], as for every supervised actor).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Routing {
    /// Each worker in turn (one atomic counter shared by the pool's handles).
    #[default]
    RoundRobin,
    /// The worker with the fewest messages waiting in its mailbox (the one being handled
    /// does not count); ties go round robin. Costs one look under each worker's mailbox
    /// lock per call.
    LeastLoaded,
}

/// What a pool's handles share with the pool actor: every worker ever spawned (kept, so that
/// a borrowed `&ActorRef` stays valid while the pool resizes), and which of them serve now.
///
/// The serving list is never changed in place: the pool actor (the only writer, one resize at
/// a time) publishes a new one, so that routing reads it with one atomic load and no lock.
struct Shared<A: Dispatch> {
    workers: Slots<ActorRef<A>>,
    /// Every serving list there has been: indexes into `workers`, position `i` being the
    /// worker at `{pool}/{i}`.
    lists: Slots<Vec<usize>>,
    /// The index in `lists` of the one that serves now.
    now: AtomicUsize,
    next: AtomicUsize,
}

impl<A: Dispatch> Shared<A> {
    fn worker(&self, slot: usize) -> &ActorRef<A> {
        self.workers
            .get(slot)
            .expect("a pool's current workers are in its slots")
    }

    /// The workers serving now.
    fn current(&self) -> &[usize] {
        self.lists
            .get(self.now.load(Ordering::Acquire))
            .expect("a pool's serving list is in its lists")
    }

    /// Makes `list` the serving one (called by the pool actor only).
    fn publish(&self, list: Vec<usize>) {
        let at = self.lists.push(list);
        self.now.store(at, Ordering::Release);
    }
}

/// A handle to a pool of actors of type `A`: `Clone + Send + Sync`, and it dereferences to
/// `A`'s handle of the worker its [`Routing`] picks, once per method call.
///
/// Spawned by [`System::spawn_pool`] or [`Context::spawn_pool`]; see the guide's chapter on
/// pools (`aplay::guide::pools`).
///
/// # Examples
///
/// ```
/// use aplay_core::{System, pool::Routing};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let pool = system.spawn_pool("counters", 3, Counter::default).await?;
/// for _ in 0..6 {
///     pool.add(1).await?; // each call goes to the next worker
/// }
/// for worker in pool.workers() {
///     assert_eq!(worker.get().await?, 2);
/// }
/// assert_eq!(pool.by_key("ada").path(), pool.by_key("ada").path());
/// let busy_aware = pool.clone().with_routing(Routing::LeastLoaded);
/// busy_aware.add(1).await?;
/// pool.resize(1).await?;
/// assert_eq!(pool.size(), 1);
/// assert_eq!(system.lookup::<Counter>("/counters/0").map(|c| c.path().to_string()), Some("/counters/0".into()));
/// pool.stop().await;
/// # Ok(()) }
/// ```
pub struct Pool<A: Dispatch> {
    shared: Arc<Shared<A>>,
    actor: ActorRef<PoolActor<A>>,
    routing: Routing,
}

impl<A: Dispatch> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            shared: self.shared.clone(),
            actor: self.actor.clone(),
            routing: self.routing,
        }
    }
}

impl<A: Dispatch> fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("path", self.path())
            .field("size", &self.size())
            .field("routing", &self.routing)
            .finish()
    }
}

impl<A: Dispatch> Deref for Pool<A> {
    type Target = A::Handle;

    /// The handle of the worker picked for this call (see [`Routing`]).
    fn deref(&self) -> &A::Handle {
        self.pick()
    }
}

impl<A: Dispatch> Pool<A> {
    /// A handle on the pool of `actor`, routing by default.
    fn new(shared: Arc<Shared<A>>, actor: ActorRef<PoolActor<A>>) -> Self {
        Pool {
            shared,
            actor,
            routing: Routing::default(),
        }
    }

    /// This handle, routing by `routing` from now on (its clones keep their own routing; the
    /// round-robin counter is shared).
    #[must_use]
    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// How this handle routes.
    pub fn routing(&self) -> Routing {
        self.routing
    }

    /// The pool's address; its workers are at `{path}/0`, `{path}/1`, ...
    pub fn path(&self) -> &ActorPath {
        self.actor.path()
    }

    /// The pool actor's own ref: stop it, watch it, or find it in the tree.
    pub fn actor_ref(&self) -> &ActorRef<PoolActor<A>> {
        &self.actor
    }

    /// How many workers serve now.
    pub fn size(&self) -> usize {
        self.shared.current().len()
    }

    /// The worker the pool's routing picks for the next call: what `pool.method(..)` goes to.
    pub fn pick(&self) -> &ActorRef<A> {
        let current = self.shared.current();
        let n = current.len();
        assert!(n > 0, "a pool has at least one worker");
        let start = self.shared.next.fetch_add(1, Ordering::Relaxed) % n;
        let at = (0..n).map(|k| (start + k) % n);
        let chosen = match self.routing {
            Routing::RoundRobin => at
                .map(|i| current[i])
                .find(|&slot| running(self.shared.worker(slot))),
            Routing::LeastLoaded => at
                .map(|i| current[i])
                .filter(|&slot| running(self.shared.worker(slot)))
                .min_by_key(|&slot| self.shared.worker(slot).raw().queued()),
        };
        let slot = chosen.unwrap_or(current[start]);
        self.shared.worker(slot)
    }

    /// The worker for `key`, by a stable hash: the same key goes to the same worker while the
    /// size stays the same (in this build of the program: the hash is the standard library's
    /// `DefaultHasher` with fixed keys). The worker is picked by jump consistent hashing:
    /// growing from `n` to `m` workers moves only the keys that now belong to the new workers
    /// (about `(m - n) / m` of them), and shrinking moves only the keys of the workers that
    /// stopped. The worker is used even when it is restarting: its tells wait in its mailbox.
    pub fn by_key<K: Hash + ?Sized>(&self, key: &K) -> &ActorRef<A> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let current = self.shared.current();
        let slot = current[jump(hasher.finish(), current.len())];
        self.shared.worker(slot)
    }

    /// The workers serving now, in order (`{path}/0` first).
    pub fn workers(&self) -> Vec<&ActorRef<A>> {
        self.shared
            .current()
            .iter()
            .copied()
            .map(|slot| self.shared.worker(slot))
            .collect()
    }

    /// Sends to every worker: `pool.broadcast(|w| w.reset()).await` runs `f` on each
    /// worker's handle and awaits the results together, in worker order.
    pub async fn broadcast<'a, F, R>(&'a self, mut f: F) -> Vec<R::Output>
    where
        F: FnMut(&'a A::Handle) -> R,
        R: IntoFuture,
    {
        let sends: Vec<R::IntoFuture> = self
            .workers()
            .into_iter()
            .map(|w| f(&**w).into_future())
            .collect();
        futures::future::join_all(sends).await
    }

    /// Grows or shrinks the pool to `size` workers, and returns once that is done. New
    /// workers come from the pool's factory at the next free numbers; shrinking takes the
    /// highest-numbered workers out of routing at once, then stops them after the messages
    /// already queued for them (as [`ActorRef::stop`]).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyPool`] for a size of 0 (nothing changes); [`Error::Stopped`] when the
    /// pool has stopped; a new worker's start errors (the workers started before it stay).
    pub async fn resize(&self, size: usize) -> Result<(), Error> {
        if size == 0 {
            return Err(Error::EmptyPool {
                path: self.path().to_string(),
            });
        }
        let (reply, answer) = oneshot::channel();
        ActorRef::send(&self.actor, PoolMsg(Command::Resize(size, reply))).await?;
        answer.await.map_err(|_| Error::NoReply {
            path: self.path().clone(),
        })?
    }

    /// Stops the pool: its workers after their queued messages, then the pool actor.
    pub async fn stop(&self) -> StopReason {
        self.actor.stop().await
    }

    /// The pool of `A` workers at `path`, found by address.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], [`Error::WrongType`] (nothing there, or not a pool of `A`);
    /// [`Error::Stopped`] or [`Error::NoReply`] when the pool stops meanwhile.
    pub async fn lookup(system: &System, path: &str) -> Result<Pool<A>, Error> {
        let actor = system.address::<PoolActor<A>>(path)?;
        let (reply, answer) = oneshot::channel();
        ActorRef::send(&actor, PoolMsg(Command::Handle(reply))).await?;
        answer.await.map_err(|_| Error::NoReply {
            path: actor.path().clone(),
        })
    }
}

fn running<A: Dispatch>(worker: &ActorRef<A>) -> bool {
    ActorRef::state(worker) == ActorState::Running
}

/// Jump consistent hash (Lamping and Veach, 2014): the bucket in `0..buckets` of `key`.
fn jump(mut key: u64, buckets: usize) -> usize {
    let (mut b, mut j) = (0u64, 0u64);
    while j < buckets as u64 {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as u64;
    }
    b as usize
}

/// The actor at a pool's address: it spawns, supervises and resizes the workers. Reached
/// through [`Pool`]; its messages are not for users.
pub struct PoolActor<A: Dispatch> {
    shared: Arc<Shared<A>>,
    factory: Arc<dyn Fn() -> A + Send + Sync>,
    start_size: usize,
}

impl<A: Dispatch> fmt::Debug for PoolActor<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolActor")
            .field("size", &self.shared.current().len())
            .finish_non_exhaustive()
    }
}

/// A message to a [`PoolActor`], sent by [`Pool`]'s methods.
pub struct PoolMsg<A: Dispatch>(Command<A>);

impl<A: Dispatch> fmt::Debug for PoolMsg<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PoolActor::<A>::message_name(self))
    }
}

enum Command<A: Dispatch> {
    Resize(usize, oneshot::Sender<Result<(), Error>>),
    Handle(oneshot::Sender<Pool<A>>),
}

impl<A: Dispatch> PoolActor<A> {
    /// Starts workers up to `size`, and publishes the grown list once: every list published
    /// is kept (routing borrows it without a lock), so one per worker would keep `n²/2`
    /// indexes for a pool of `n`. A worker that fails to start ends the growth; the workers
    /// started before it serve.
    async fn grow(&self, size: usize, ctx: &mut Context<Self>) -> Result<(), Error> {
        let mut list = self.shared.current().to_vec();
        let mut started = Ok(());
        while list.len() < size {
            let factory = self.factory.clone();
            let name = list.len().to_string();
            match ctx
                .spawn_supervised(&name, Restart::Permanent, move || factory())
                .await
            {
                Ok(worker) => list.push(self.shared.workers.push(worker)),
                Err(error) => {
                    started = Err(error);
                    break;
                }
            }
        }
        if list.len() != self.shared.current().len() {
            self.shared.publish(list);
        }
        started
    }

    async fn resize(&self, size: usize, ctx: &mut Context<Self>) -> Result<(), Error> {
        let leaving = {
            let mut list = self.shared.current().to_vec();
            let leaving = list.split_off(size.min(list.len()));
            if !leaving.is_empty() {
                self.shared.publish(list);
            }
            leaving
        };
        if leaving.is_empty() {
            return self.grow(size, ctx).await;
        }
        let stops = leaving
            .iter()
            .rev()
            .map(|&slot| self.shared.worker(slot).stop());
        futures::future::join_all(stops).await;
        Ok(())
    }
}

// Not suggested in users' errors: the only impls in this crate, rustc would otherwise point
// at them in every "`X` is not an actor" / "has no messages" error (`ui-tests/`).
#[diagnostic::do_not_recommend]
impl<A: Dispatch> Actor for PoolActor<A> {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.grow(self.start_size, ctx).await?;
        Ok(())
    }
}

#[diagnostic::do_not_recommend]
impl<A: Dispatch> Dispatch for PoolActor<A> {
    type Msg = PoolMsg<A>;
    type Handle = BareHandle<Self>;

    async fn dispatch(&mut self, msg: PoolMsg<A>, ctx: &mut Context<Self>) {
        match msg.0 {
            Command::Resize(size, reply) => {
                let _ = reply.send(self.resize(size, ctx).await);
            }
            Command::Handle(reply) => {
                let _ = reply.send(Pool::new(self.shared.clone(), ctx.myself()));
            }
        }
    }

    fn message_name(msg: &PoolMsg<A>) -> &'static str {
        match msg.0 {
            Command::Resize(..) => "resize",
            Command::Handle(_) => "handle",
        }
    }

    fn is_ask(_: &PoolMsg<A>) -> bool {
        true
    }
}

fn pool_actor<A: Dispatch>(
    name: &str,
    size: usize,
    factory: impl Fn() -> A + Send + Sync + 'static,
) -> Result<(PoolActor<A>, Arc<Shared<A>>), Error> {
    if size == 0 {
        return Err(Error::EmptyPool {
            path: name.to_owned(),
        });
    }
    let shared = Arc::new(Shared {
        workers: Slots::new(),
        lists: Slots::new(),
        now: AtomicUsize::new(0),
        next: AtomicUsize::new(0),
    });
    shared.publish(Vec::new()); // filled by the pool actor's start
    let actor = PoolActor {
        shared: shared.clone(),
        factory: Arc::new(factory),
        start_size: size,
    };
    Ok((actor, shared))
}

impl System {
    /// Spawns a pool at `/{name}` of `size` workers built by `factory`, at `/{name}/0`,
    /// `/{name}/1`, ..., and returns once every worker has started. The workers are restarted
    /// as [`Restart::Permanent`] by the pool's one-for-one supervision (past its restart
    /// limit, the pool fails and stops them all); stopping the pool stops them all.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyPool`] for a size of 0; otherwise as [`spawn`](Self::spawn) (a worker
    /// that fails to start makes the pool fail to start: [`Error::StartFailed`]).
    ///
    /// See the example on [`Pool`].
    pub async fn spawn_pool<A, F>(
        &self,
        name: &str,
        size: usize,
        factory: F,
    ) -> Result<Pool<A>, Error>
    where
        A: Dispatch,
        F: Fn() -> A + Send + Sync + 'static,
    {
        let (actor, shared) = pool_actor(name, size, factory)?;
        Ok(Pool::new(shared, self.spawn(name, actor).await?))
    }
}

impl<B> Context<B> {
    /// Spawns a pool as a child of this actor, at `{this path}/{name}`; otherwise as
    /// [`System::spawn_pool`].
    ///
    /// # Errors
    ///
    /// As [`System::spawn_pool`].
    pub async fn spawn_pool<A, F>(
        &self,
        name: &str,
        size: usize,
        factory: F,
    ) -> Result<Pool<A>, Error>
    where
        A: Dispatch,
        F: Fn() -> A + Send + Sync + 'static,
    {
        let (actor, shared) = pool_actor(name, size, factory)?;
        Ok(Pool::new(shared, self.spawn(name, actor).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::jump;

    #[test]
    fn jump_hash_moves_few_keys_when_growing() {
        let keys = 10_000u64;
        let moved = (0..keys)
            .filter(|&k| {
                jump(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), 4)
                    != jump(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), 5)
            })
            .count();
        // About one key in five moves, all to the new bucket.
        assert!((1_500..2_500).contains(&moved), "{moved} moved");
        for k in 0..keys {
            let h = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let (before, after) = (jump(h, 4), jump(h, 5));
            assert!(before == after || after == 4);
        }
    }
}
