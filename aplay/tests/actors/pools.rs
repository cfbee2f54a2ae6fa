//! In-process pools: routing (round robin, least loaded, by key), broadcast, resizing,
//! supervision of the workers, stopping, and addresses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aplay::ActorState;
use aplay::pool::PoolActor;
use aplay::prelude::*;
use tokio::sync::Notify;

/// A worker: counts its own jobs, adds them to a total shared by the pool, holds on demand,
/// and panics on demand.
struct Job {
    count: u64,
    total: Arc<AtomicU64>,
}

#[actor]
impl Job {
    fn work(&mut self) {
        self.count += 1;
        self.total.fetch_add(1, Ordering::SeqCst);
    }

    fn count(&self) -> u64 {
        self.count
    }

    fn who(&self, ctx: &mut Context<Self>) -> String {
        ctx.path().to_string()
    }

    async fn hold(&self, open: Arc<Notify>) {
        open.notified().await;
    }

    fn crash(&self) {
        panic!("a worker fails on purpose");
    }
}

impl Actor for Job {}

fn jobs(total: &Arc<AtomicU64>) -> impl Fn() -> Job + Send + Sync + 'static {
    let total = total.clone();
    move || Job {
        count: 0,
        total: total.clone(),
    }
}

async fn counts(pool: &Pool<Job>) -> Vec<u64> {
    pool.broadcast(|w| w.count())
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap()
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn round_robin_spreads_evenly() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 4, jobs(&total)).await.unwrap();
    assert_eq!(pool.size(), 4);
    assert_eq!(pool.routing(), Routing::RoundRobin);
    for _ in 0..40 {
        pool.work().await.unwrap();
    }
    assert_eq!(counts(&pool).await, vec![10, 10, 10, 10]);
    system.shutdown().await;
}

#[tokio::test]
async fn least_loaded_avoids_a_busy_worker() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system
        .spawn_pool("jobs", 3, jobs(&total))
        .await
        .unwrap()
        .with_routing(Routing::LeastLoaded);
    let open = Arc::new(Notify::new());
    let busy = pool.workers()[0].clone();
    busy.hold(open.clone()).await.unwrap();
    for _ in 0..100 {
        busy.work().await.unwrap();
    }
    for _ in 0..30 {
        pool.work().await.unwrap();
    }
    open.notify_one();
    assert_eq!(counts(&pool).await, vec![100, 15, 15]);
    system.shutdown().await;
}

#[tokio::test]
async fn by_key_is_stable_and_spreads_keys() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 4, jobs(&total)).await.unwrap();
    let mut used = std::collections::BTreeSet::new();
    for user in 0..64 {
        let key = format!("user-{user}");
        let first = pool.by_key(&key).who().await.unwrap();
        for _ in 0..3 {
            assert_eq!(pool.by_key(&key).who().await.unwrap(), first);
            assert_eq!(pool.clone().by_key(key.as_str()).path(), first.as_str());
        }
        used.insert(first);
    }
    assert_eq!(used.len(), 4, "64 keys reach all 4 workers: {used:?}");
    system.shutdown().await;
}

#[tokio::test]
async fn broadcast_reaches_every_worker() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 5, jobs(&total)).await.unwrap();
    let sent = pool.broadcast(|w| w.work()).await;
    assert_eq!(sent.len(), 5);
    assert!(sent.iter().all(Result::is_ok));
    assert_eq!(counts(&pool).await, vec![1; 5]);
    let paths: Vec<String> = pool
        .workers()
        .iter()
        .map(|w| w.path().to_string())
        .collect();
    assert_eq!(
        paths,
        ["/jobs/0", "/jobs/1", "/jobs/2", "/jobs/3", "/jobs/4"]
    );
    system.shutdown().await;
}

#[tokio::test]
async fn resize_grows_and_shrinks_after_queued_messages() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 2, jobs(&total)).await.unwrap();
    pool.resize(4).await.unwrap();
    assert_eq!(pool.size(), 4);
    assert!(system.lookup::<Job>("/jobs/3").is_some());
    for _ in 0..8 {
        pool.work().await.unwrap();
    }
    assert_eq!(counts(&pool).await, vec![2; 4]);

    // Worker 3 holds, with 5 jobs queued behind: shrinking waits for them.
    let open = Arc::new(Notify::new());
    let last = pool.workers()[3].clone();
    last.hold(open.clone()).await.unwrap();
    for _ in 0..5 {
        last.work().await.unwrap();
    }
    let shrinking = tokio::spawn({
        let pool = pool.clone();
        async move { pool.resize(1).await }
    });
    until("worker 3 leaves routing", || pool.size() == 1).await;
    open.notify_one();
    shrinking.await.unwrap().unwrap();
    assert_eq!(total.load(Ordering::SeqCst), 8 + 5);
    assert!(!last.is_alive());
    for name in ["/jobs/1", "/jobs/2", "/jobs/3"] {
        assert!(system.lookup::<Job>(name).is_none(), "{name} stopped");
    }
    for _ in 0..3 {
        assert_eq!(pool.who().await.unwrap(), "/jobs/0");
    }
    // Growing again takes the freed numbers.
    pool.resize(2).await.unwrap();
    assert_eq!(pool.workers()[1].path(), "/jobs/1");

    assert!(matches!(pool.resize(0).await, Err(Error::EmptyPool { .. })));
    assert_eq!(pool.size(), 2);
    let empty = system.spawn_pool("none", 0, jobs(&total)).await;
    assert!(matches!(empty, Err(Error::EmptyPool { .. })));
    assert!(system.lookup::<PoolActor<Job>>("/none").is_none());
    system.shutdown().await;
}

#[tokio::test]
async fn a_panicking_worker_is_restarted_and_the_pool_keeps_serving() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 2, jobs(&total)).await.unwrap();
    let first = pool.workers()[0].clone();
    first.work().await.unwrap();
    first.crash().await.unwrap();
    for _ in 0..10 {
        pool.work().await.unwrap();
    }
    until("all 11 jobs are handled", || {
        total.load(Ordering::SeqCst) == 11
    })
    .await;
    // The same address and mailbox, a fresh instance (its count started again).
    assert!(first.is_alive());
    assert_eq!(pool.workers()[0].path(), "/jobs/0");
    let after: u64 = counts(&pool).await.iter().sum();
    assert!(
        after < 11,
        "worker 0 lost its count at the restart: {after}"
    );
    system.shutdown().await;
}

#[tokio::test]
async fn stopping_the_pool_stops_its_workers() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 3, jobs(&total)).await.unwrap();
    let workers: Vec<ActorRef<Job>> = pool.workers().into_iter().cloned().collect();
    pool.stop().await;
    assert!(workers.iter().all(|w| !w.is_alive()));
    assert!(!pool.actor_ref().is_alive());
    assert!(system.lookup::<Job>("/jobs/0").is_none());
    assert!(matches!(pool.resize(2).await, Err(Error::Stopped(_))));
    assert!(matches!(pool.work().await, Err(Error::Stopped(_))));
    system.shutdown().await;
}

#[tokio::test]
async fn the_pool_and_its_workers_are_found_by_address() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let pool = system.spawn_pool("jobs", 2, jobs(&total)).await.unwrap();
    assert_eq!(pool.path(), "/jobs");
    let actor = system.lookup::<PoolActor<Job>>("/jobs").unwrap();
    assert_eq!(actor.path(), "/jobs");
    assert_eq!(
        system
            .lookup::<Job>("/jobs/1")
            .unwrap()
            .who()
            .await
            .unwrap(),
        "/jobs/1"
    );
    let found = Pool::<Job>::lookup(&system, "/jobs").await.unwrap();
    assert_eq!(found.size(), 2);
    for _ in 0..4 {
        found.work().await.unwrap();
    }
    assert_eq!(counts(&pool).await, vec![2, 2]);
    assert!(matches!(
        Pool::<Job>::lookup(&system, "/jobs/0").await,
        Err(Error::WrongType { .. })
    ));
    system.shutdown().await;
}

/// A service that runs its own pool as a child.
struct Service {
    total: Arc<AtomicU64>,
    pool: Option<Pool<Job>>,
}

impl Actor for Service {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.pool = Some(ctx.spawn_pool("workers", 2, jobs(&self.total)).await?);
        Ok(())
    }
}

#[actor]
impl Service {
    async fn serve(&mut self) -> Result<String, Error> {
        let pool = self.pool.as_ref().expect("started");
        pool.work().await?;
        pool.who().await
    }
}

#[tokio::test]
async fn an_actor_spawns_a_pool_as_its_child() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let service = system
        .spawn(
            "service",
            Service {
                total: total.clone(),
                pool: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        service.serve().await.unwrap().unwrap(),
        "/service/workers/1"
    );
    assert!(system.lookup::<Job>("/service/workers/0").is_some());
    service.stop().await;
    assert!(system.lookup::<Job>("/service/workers/0").is_none());
    assert_eq!(total.load(Ordering::SeqCst), 1);
    system.shutdown().await;
}

/// A worker whose restarts wait in `on_start` until `restarted` is let through: a worker
/// that stays restarting as long as a test likes.
struct Slow {
    starts: Arc<AtomicU64>,
    restarted: Arc<Notify>,
    count: u64,
}

impl Actor for Slow {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // The pool's first two starts go through; any later one is a restart, and waits.
        if self.starts.fetch_add(1, Ordering::SeqCst) >= 2 {
            self.restarted.notified().await;
        }
        Ok(())
    }
}

#[actor]
impl Slow {
    fn work(&mut self) {
        self.count += 1;
    }

    fn count(&self) -> u64 {
        self.count
    }

    fn crash(&self) {
        panic!("a worker fails on purpose");
    }
}

#[tokio::test]
async fn routing_skips_a_restarting_worker_whose_mailbox_keeps_tells() {
    let system = System::new();
    let starts = Arc::new(AtomicU64::new(0));
    let restarted = Arc::new(Notify::new());
    let pool = system
        .spawn_pool("slow", 2, {
            let (starts, restarted) = (starts.clone(), restarted.clone());
            move || Slow {
                starts: starts.clone(),
                restarted: restarted.clone(),
                count: 0,
            }
        })
        .await
        .unwrap();
    let first = pool.workers()[0].clone();
    first.crash().await.unwrap();
    until("worker 0 is restarting", || {
        starts.load(Ordering::SeqCst) == 3 && ActorRef::state(&first) != ActorState::Running
    })
    .await;
    for routing in [Routing::RoundRobin, Routing::LeastLoaded] {
        let pool = pool.clone().with_routing(routing);
        for _ in 0..5 {
            assert_eq!(pool.pick().path(), "/slow/1");
            pool.work().await.unwrap();
        }
    }
    // A tell to the restarting worker waits in its mailbox for the next instance.
    first.work().await.unwrap();
    restarted.notify_one();
    until("worker 0 runs again", || {
        ActorRef::state(&first) == ActorState::Running
    })
    .await;
    let counts: Vec<u64> = pool
        .broadcast(|w| w.count())
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(counts, vec![1, 10]);
    system.shutdown().await;
}

#[test]
fn a_pool_handle_is_clone_send_and_sync() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Pool<Job>>();
    shareable::<Pool<Slow>>();
}
