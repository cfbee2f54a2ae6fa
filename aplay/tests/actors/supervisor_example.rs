//! The supervision example runs to its end, on one thread or several, and does what it says:
//! restarts, escalation, the tree before and after, and a clean shutdown.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/supervisor.rs"]
mod supervisor;

use std::time::Duration;

use aplay::{ActorState, FailureKind, StopReason, TreeNode};
use supervisor::{JobDone, Summary};

/// The tree's actors, in the order the snapshot walks them: (path, restarts, handled), each
/// checked to be running.
fn actors(tree: &TreeNode) -> Vec<(String, u32, u64)> {
    tree.walk()
        .map(|actor| {
            assert_eq!(actor.state(), ActorState::Running, "{}", actor.path());
            assert_eq!(actor.mailbox_len(), Some(0), "{}", actor.path());
            (
                actor.path().to_string(),
                actor.restarts(),
                actor.messages_handled(),
            )
        })
        .collect()
}

fn row(path: &str, restarts: u32, handled: u64) -> (String, u32, u64) {
    (path.to_owned(), restarts, handled)
}

async fn run() -> Summary {
    tokio::time::timeout(Duration::from_secs(30), supervisor::run())
        .await
        .expect("the example ends by itself")
}

fn failure_kind(reason: &StopReason) -> Option<&FailureKind> {
    match reason {
        StopReason::Failed(failure) => Some(failure.kind()),
        _ => None,
    }
}

fn check(summary: &Summary) {
    // Breadth first, children in start order.
    assert_eq!(
        actors(&summary.tree_before),
        [
            row("/", 0, 0),
            row("/service", 0, 0),
            row("/service/worker", 0, 0),
            row("/service/batch", 0, 0),
            row("/service/batch/importer", 0, 0),
        ]
    );
    // After: the worker handled its hold and the 8 good jobs, across 2 restarts; the batch
    // supervisor was restarted once, and its importer is a new actor that imported one file.
    assert_eq!(
        actors(&summary.tree_after),
        [
            row("/", 0, 0),
            row("/service", 0, 0),
            row("/service/worker", 2, 9),
            row("/service/batch", 1, 0),
            row("/service/batch/importer", 0, 1),
        ]
    );
    let worker = summary.tree_after.find("/service/worker").unwrap();
    assert_eq!(worker.parent().unwrap().path().as_str(), "/service");

    // The worker: every job was queued behind the hold; 3 and 7 each ended an instance, and
    // the jobs behind them carried on with a fresh one (its count starts again at 1).
    assert_eq!(summary.queued, Some(10));
    let job = |job, instance, nth| JobDone { job, instance, nth };
    assert_eq!(
        summary.jobs,
        [
            job(1, 0, 1),
            job(2, 0, 2),
            job(4, 1, 1),
            job(5, 1, 2),
            job(6, 1, 3),
            job(8, 2, 1),
            job(9, 2, 2),
            job(10, 2, 3),
        ]
    );
    assert_eq!(summary.worker_restarts, 2);

    // What the supervisors heard, in order, and why.
    let heard: Vec<(&str, &str, Option<&FailureKind>)> = summary
        .stops
        .iter()
        .map(|stop| {
            let reason = failure_kind(&stop.reason);
            (stop.supervisor.as_str(), stop.child.as_str(), reason)
        })
        .collect();
    assert_eq!(
        heard,
        [
            (
                "/service",
                "/service/worker",
                Some(&FailureKind::HandlerPanic)
            ),
            (
                "/service",
                "/service/worker",
                Some(&FailureKind::HandlerPanic)
            ),
            (
                "/service/batch",
                "/service/batch/importer",
                Some(&FailureKind::HandlerError)
            ),
            (
                "/service/batch",
                "/service/batch/importer",
                Some(&FailureKind::HandlerError)
            ),
            (
                "/service",
                "/service/batch",
                Some(&FailureKind::RestartLimit)
            ),
        ]
    );
    let messages: Vec<String> = summary
        .stops
        .iter()
        .map(|stop| stop.reason.to_string())
        .collect();
    assert!(messages[0].contains("job 3 is poisoned"), "{messages:?}");
    assert!(messages[1].contains("job 7 is poisoned"), "{messages:?}");
    assert!(messages[3].contains("file 2 is corrupt"), "{messages:?}");
    assert!(
        messages[4].contains("the limit of 1 restarts within 60s was reached")
            && messages[4].contains("/service/batch/importer"),
        "the escalation names the limit and the child: {messages:?}"
    );

    // Escalation: the batch supervisor gave up on its importer (restarted once, then stopped
    // for good with its last failure) and the service restarted it, with a fresh importer.
    assert_eq!(summary.escalated, ["/service/batch"]);
    assert_eq!(summary.first_importer_restarts, 1);
    assert_eq!(
        summary.first_importer_end.as_ref().and_then(failure_kind),
        Some(&FailureKind::HandlerError)
    );
    assert_eq!(summary.batch_restarts, 1);
    assert_eq!(summary.importer_restarts, 0, "a new actor, not a restart");
    assert_eq!(summary.imported, [(3, 0)]);
    assert_eq!(summary.service_restarts, 0, "the service never failed");

    // The shutdown ended everything, for good, without restarts.
    assert_eq!(summary.shutdown, StopReason::Shutdown);
    let paths: Vec<&str> = summary.finals.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/",
            "/service",
            "/service/batch",
            "/service/batch/importer",
            "/service/worker"
        ]
    );
    for end in &summary.finals {
        assert_eq!(end.state, ActorState::Stopped, "{}", end.path);
        assert_eq!(end.reason, Some(StopReason::Shutdown), "{}", end.path);
    }
    assert_eq!(summary.left_running, 0);
}

#[tokio::test]
async fn on_one_thread() {
    check(&run().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_several_threads() {
    for _ in 0..5 {
        check(&run().await);
    }
}
