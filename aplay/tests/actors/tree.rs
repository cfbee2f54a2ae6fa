//! Snapshots of the actor tree (`System::tree`, `AnyRef::tree`) and their rendering, up to a
//! chain 10,000 actors deep.

use std::fmt;
use std::time::{Duration, Instant};

use crate::common::{Boss, Log, Probe, hold};
use aplay::prelude::*;
use aplay::{ActorState, TreeNode};

/// A kernel that spawns nothing by itself, so the rendering names a type of this file.
#[actor]
struct Root;

#[actor]
impl Root {
    fn ping(&self) {}
}

/// Spawns one child, `c`, in `on_start`, until `below` reaches 0: a chain of `below + 1`
/// actors.
struct Chain {
    below: u32,
}

impl Actor for Chain {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.below > 0 {
            ctx.spawn(
                "c",
                Chain {
                    below: self.below - 1,
                },
            )
            .await?;
        }
        Ok(())
    }
}

#[actor]
impl Chain {
    fn below(&self) -> u32 {
        self.below
    }
}

fn paths(tree: &TreeNode) -> Vec<String> {
    tree.walk().map(|n| n.path().to_string()).collect()
}

#[tokio::test]
async fn the_snapshot_has_paths_types_states_and_counts() {
    let system = System::new();
    let log = Log::default();
    let test = system.spawn("test", Probe::new(&log)).await.unwrap();
    test.spawn_child("count".into()).await.unwrap().unwrap();
    let count = system.lookup::<Probe>("/test/count").unwrap();
    for _ in 0..99 {
        count.add(1).await.unwrap();
    }
    assert_eq!(count.get().await.unwrap(), 99);
    system.spawn("other", Probe::new(&log)).await.unwrap();

    let tree = system.tree();
    assert_eq!(paths(&tree), ["/", "/test", "/test/count", "/other"]);
    assert_eq!(tree.subtree_size(), 4);
    assert_eq!(tree.subtree_size(), system.actor_count());
    assert_eq!(tree.state(), ActorState::Running);
    assert_eq!(tree.messages_handled(), 0);
    assert!(tree.parent().is_none());

    let count_node = tree.find("/test/count").unwrap();
    assert_eq!(count_node.name(), "count");
    assert_eq!(count_node.actor_type(), std::any::type_name::<Probe>());
    assert_eq!(count_node.state(), ActorState::Running);
    assert!(!count_node.stopped_by_person());
    // 99 tells and one ask; on a current-thread runtime the count is up to date once the ask
    // has returned.
    assert_eq!(count_node.messages_handled(), 100);
    assert_eq!(count_node.mailbox_len(), Some(0));
    assert_eq!(count_node.parent().unwrap().path().as_str(), "/test");
    assert_eq!(tree.find("/test").unwrap().messages_handled(), 1);
    assert!(tree.find("/test/nobody").is_none());
    assert!(tree.find("/tes").is_none());
    assert!(tree.find("test").is_none());

    // A snapshot of a subtree, from its ref, and the search inside it.
    let sub = ActorRef::to_any(&test).tree();
    assert_eq!(paths(&sub), ["/test", "/test/count"]);
    assert!(sub.parent().is_none());
    assert_eq!(sub.find("/test").unwrap().path().as_str(), "/test");
    assert_eq!(sub.find("/test/count").unwrap().messages_handled(), 100);
    assert!(sub.find("/other").is_none());
    assert!(sub.find("/testx").is_none());

    // Children are TreeNodes too, in start order, from both ends.
    let top: Vec<_> = tree.children().map(|c| c.name().to_owned()).collect();
    assert_eq!(top, ["test", "other"]);
    assert_eq!(tree.children().len(), 2);
    assert_eq!(tree.children().next_back().unwrap().name(), "other");

    // A snapshot does not change; a new one sees the changes.
    count.add(1).await.unwrap();
    assert_eq!(count.get().await.unwrap(), 100);
    assert_eq!(count_node.messages_handled(), 100);
    assert_eq!(
        system
            .tree()
            .find("/test/count")
            .unwrap()
            .messages_handled(),
        102
    );
    system.shutdown().await;
}

#[tokio::test]
async fn the_rendering_of_a_small_tree_is_exact() {
    let (system, _root) = System::with_kernel(Root).await.unwrap();
    let log = Log::default();
    let test = system.spawn("test", Probe::new(&log)).await.unwrap();
    test.spawn_child("count".into()).await.unwrap().unwrap();
    let count = system.lookup::<Probe>("/test/count").unwrap();
    for _ in 0..3 {
        count.add(1).await.unwrap();
    }
    count.get().await.unwrap();
    let other = system
        .spawn("other", Probe::new(&log).with_mailbox(Mailbox::unbounded()))
        .await
        .unwrap();
    other.get().await.unwrap();

    let tree = system.tree();
    assert_eq!(
        tree.to_string(),
        "\
/ (Root) running, mailbox 0, 0 handled
├── test (Probe) running, mailbox 0, 1 handled
│   └── count (Probe) running, mailbox 0, 4 handled
└── other (Probe) running, 1 handled"
    );
    // A subtree starts with its path.
    assert_eq!(
        tree.find("/test").unwrap().to_string(),
        "\
/test (Probe) running, mailbox 0, 1 handled
└── count (Probe) running, mailbox 0, 4 handled"
    );
    // Cut below some depth, with what is left out summed up.
    assert_eq!(
        tree.display_depth(1).to_string(),
        "\
/ (Root) running, mailbox 0, 0 handled
├── test (Probe) running, mailbox 0, 1 handled
│   └── … 1 more actor
└── other (Probe) running, 1 handled"
    );
    assert_eq!(
        tree.display_depth(0).to_string(),
        "/ (Root) running, mailbox 0, 0 handled\n└── … 3 more actors"
    );
    assert_eq!(tree.display_depth(2).to_string(), tree.to_string());
    // Debug shows one node, not the subtree.
    let debug = format!("{:?}", tree.find("/test").unwrap());
    assert!(debug.contains(r#"path: "/test""#), "{debug}");
    assert!(debug.contains("children: 1"), "{debug}");
    system.shutdown().await;
}

#[tokio::test]
async fn a_person_stopped_actor_shows_until_it_has_stopped() {
    let system = System::new();
    let log = Log::default();
    let mut probe = Probe::new(&log);
    // Its `on_stop` takes long enough to look at it while it stops.
    probe.stop_delay = Some(Duration::from_secs(3600));
    let probe = system.spawn("p", probe).await.unwrap();
    let any = ActorRef::to_any(&probe);

    // A person asks it to stop while it is inside a handler: still running, but marked.
    let release = hold(&probe).await;
    let stopping = {
        let any = any.clone();
        tokio::spawn(async move { any.stop().await })
    };
    while !any.stopped_by_person() {
        tokio::task::yield_now().await;
    }
    let node = system.tree().find("/p").unwrap();
    assert_eq!(node.state(), ActorState::Running);
    assert!(node.stopped_by_person());
    assert!(
        node.to_string()
            .starts_with("/p (Probe) running, stopped by a person, mailbox "),
        "{node}"
    );

    // Once the handler ends it stops, which takes a while (`on_stop`): still in the tree.
    release.send(()).unwrap();
    while any.state() != ActorState::Stopping {
        tokio::task::yield_now().await;
    }
    let tree = system.tree();
    let node = tree.find("/p").unwrap();
    assert_eq!(node.state(), ActorState::Stopping);
    assert!(node.stopped_by_person());
    assert!(
        tree.to_string()
            .contains("\n└── p (Probe) stopping, stopped by a person, "),
        "{tree}"
    );

    // Once stopped, it has left the tree; the old snapshot still shows it.
    any.kill();
    assert_eq!(any.wait_stopped().await, StopReason::Killed);
    assert!(stopping.await.is_ok());
    assert!(any.stopped_by_person());
    assert!(system.tree().find("/p").is_none());
    assert_eq!(paths(&system.tree()), ["/"]);
    assert!(tree.find("/p").is_some());
    system.shutdown().await;
}

#[tokio::test]
async fn restarts_are_counted_and_shown() {
    let system = System::new();
    let boss = system.spawn("boss", Boss::default()).await.unwrap();
    let flaky = boss.hire().await.unwrap().unwrap();
    assert_eq!(system.tree().find("/boss/flaky").unwrap().restarts(), 0);
    let _ = flaky.boom().ask().await;
    let any = ActorRef::to_any(&flaky);
    tokio::time::timeout(Duration::from_secs(10), async {
        while !(any.restarts() == 1 && any.state() == ActorState::Running) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the restart came");
    let node = system.tree().find("/boss/flaky").unwrap();
    assert_eq!(node.restarts(), 1);
    assert_eq!(node.state(), ActorState::Running);
    assert!(
        node.to_string()
            .starts_with("/boss/flaky (Flaky) running, 1 restart, mailbox 0, "),
        "{node}"
    );
    system.shutdown().await;
}

/// How deep the chain of the deep tests goes.
const DEPTH: u32 = 10_000;

/// Small enough that a recursion over `DEPTH` levels would overflow it (a debug build needs a
/// few hundred bytes per level for a recursive build, rendering or drop).
const SMALL_STACK: usize = 256 * 1024;

/// A sink that counts what is written, to render huge trees without keeping the text.
#[derive(Default)]
struct Count {
    bytes: usize,
    lines: usize,
    longest: usize,
    line: usize,
}

impl fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes += s.len();
        for piece in s.split_inclusive('\n') {
            if let Some(text) = piece.strip_suffix('\n') {
                self.lines += 1;
                self.longest = self.longest.max(self.line + text.len());
                self.line = 0;
            } else {
                self.line += piece.len();
            }
        }
        Ok(())
    }
}

/// Spawns the chain `/c/c/…/c`, `DEPTH` actors deep; returns once all have started.
async fn spawn_chain(system: &System) -> ActorRef<Chain> {
    let started = Instant::now();
    let top = system.spawn("c", Chain { below: DEPTH - 1 }).await.unwrap();
    eprintln!("spawning {DEPTH} levels: {:?}", started.elapsed());
    assert_eq!(top.below().await.unwrap(), DEPTH - 1);
    // The count goes up just after the reply has gone, maybe on another thread: wait for it.
    let any = ActorRef::to_any(&top);
    while any.messages_handled() < 1 {
        tokio::task::yield_now().await;
    }
    assert_eq!(system.actor_count(), DEPTH as usize + 1);
    top
}

/// Builds, walks, renders and drops a snapshot of the chain: on a thread with a small stack,
/// so that any recursion over the depth overflows it.
fn look_at_the_chain_on_a_small_stack(system: &System) {
    let system = system.clone();
    let times = std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let mut times = Vec::new();
            let clock = Instant::now();
            let tree = system.tree();
            times.push(("build", clock.elapsed()));
            assert_eq!(tree.subtree_size(), DEPTH as usize + 1);

            let clock = Instant::now();
            let mut deepest = tree.clone();
            let mut levels = 0;
            while let Some(child) = deepest.children().next() {
                assert_eq!(deepest.children().len(), 1);
                assert_eq!(child.subtree_size() + levels + 1, tree.subtree_size());
                deepest = child;
                levels += 1;
            }
            assert_eq!(levels, DEPTH as usize);
            assert_eq!(deepest.path().depth(), DEPTH as usize);
            assert_eq!(deepest.state(), ActorState::Running);
            assert_eq!(deepest.actor_type(), std::any::type_name::<Chain>());
            let found = tree.find(deepest.path().as_str()).unwrap();
            assert_eq!(found.path(), deepest.path());
            assert_eq!(tree.walk().count(), DEPTH as usize + 1);
            let mut up = 0;
            let mut node = deepest.clone();
            while let Some(parent) = node.parent() {
                node = parent;
                up += 1;
            }
            assert_eq!(up, DEPTH as usize);
            times.push(("walk", clock.elapsed()));

            // The full rendering grows with the square of the depth (each line is indented by
            // its level, 4 columns each): count it rather than keep it.
            let clock = Instant::now();
            let mut count = Count::default();
            fmt::write(&mut count, format_args!("{tree}\n")).unwrap();
            times.push(("render", clock.elapsed()));
            assert_eq!(count.lines, DEPTH as usize + 1);
            let deepest_line = format!(
                "{}└── c (Chain) running, mailbox 0, 0 handled",
                " ".repeat(4 * (DEPTH as usize - 1))
            );
            assert_eq!(count.longest, deepest_line.len());
            eprintln!("full rendering: {} MB", count.bytes / 1_000_000);

            assert_eq!(
                tree.display_depth(2).to_string(),
                format!(
                    "\
/ (Kernel) running, mailbox 0, 0 handled
└── c (Chain) running, mailbox 0, 1 handled
    └── c (Chain) running, mailbox 0, 0 handled
        └── … {} more actors",
                    DEPTH - 2
                )
            );

            let clock = Instant::now();
            drop((tree, deepest, node, found));
            times.push(("drop", clock.elapsed()));
            times
        })
        .unwrap()
        .join()
        .expect("the snapshot checks pass (a stack overflow would abort the process)");
    for (step, time) in times {
        eprintln!("snapshot of {DEPTH} levels, {step}: {time:?}");
    }
}

#[test]
fn a_chain_ten_thousand_deep_is_read_rendered_dropped_and_shut_down() {
    // The runtime's threads and this one keep their default stacks (2 MiB): building,
    // rendering, shutting down and dropping a chain this deep must not recurse.
    let main = std::thread::Builder::new()
        .name("deep-chain".into())
        .spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let system = System::new();
                let top = spawn_chain(&system).await;
                let on_small_stack = {
                    let system = system.clone();
                    tokio::task::spawn_blocking(move || look_at_the_chain_on_a_small_stack(&system))
                };
                on_small_stack.await.unwrap();

                // The same from inside the runtime, on a worker's stack, from a ref.
                let tree = ActorRef::to_any(&top).tree();
                assert_eq!(tree.subtree_size(), DEPTH as usize);
                drop(tree);

                let started = Instant::now();
                let reason = tokio::time::timeout(Duration::from_secs(120), system.shutdown())
                    .await
                    .expect("the shutdown of the chain ends");
                eprintln!("shutdown of {DEPTH} levels: {:?}", started.elapsed());
                assert_eq!(reason, StopReason::Shutdown);
                assert!(!top.is_alive());
                assert_eq!(system.actor_count(), 0);
                let tree = system.tree();
                assert_eq!(tree.state(), ActorState::Stopped);
                assert_eq!(tree.subtree_size(), 1);
            });
            let started = Instant::now();
            drop(runtime);
            eprintln!(
                "dropping the runtime and the system: {:?}",
                started.elapsed()
            );
        })
        .unwrap();
    main.join().expect("the deep chain test ran to its end");
}

/// After a shutdown, a stopped chain is freed without recursion: notices that stopping
/// children left for their (stopping) parents do not keep the chain linked, so dropping the
/// last `System` clone on a 2 MiB stack does not overflow it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shut_down_deep_chain_drops_without_recursion() {
    let system = System::new();
    let top = spawn_chain(&system).await;
    assert_eq!(system.shutdown().await, StopReason::Shutdown);
    drop(top);
    let dropper = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || drop(system))
        .unwrap();
    tokio::task::spawn_blocking(move || dropper.join())
        .await
        .unwrap()
        .expect("the system dropped without a stack overflow");
}
