//! The tree as JSON (`TreeNode: Serialize`, `to_json`). Needs the `observe` feature. (The
//! tree served over HTTP is the dashboard's: `aplay-dashboard`.)

mod common;

use aplay::prelude::*;
use aplay::{ActorState, TreeNode};
use common::{Log, Probe, hold};
use serde_json::{Value, json};

/// The record of `path` in a tree's JSON.
fn record<'a>(tree: &'a Value, path: &str) -> &'a Value {
    tree["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == path)
        .unwrap_or_else(|| panic!("no {path} in {tree:#}"))
}

#[tokio::test]
async fn the_json_of_a_small_tree_has_the_property_table_of_every_actor() {
    let system = System::builder().metered(true).build();
    let log = Log::default();
    let test = system.spawn("test", Probe::new(&log)).await.unwrap();
    test.spawn_child("count".into()).await.unwrap().unwrap();
    let count = system.lookup::<Probe>("/test/count").unwrap();
    // Three tells and an ask queue up before the actor takes the first: a peak of 4.
    for _ in 0..3 {
        count.add(1).await.unwrap();
    }
    assert_eq!(count.get().await.unwrap(), 3);
    let other = system
        .spawn("other", Probe::new(&log).with_mailbox(Mailbox::unbounded()))
        .await
        .unwrap();
    // `other` is inside a handler when a person asks it to stop: still running, marked.
    let release = hold(&other).await;
    let stopping = {
        let other = ActorRef::to_any(&other);
        tokio::spawn(async move { other.stop().await })
    };
    let other_any = ActorRef::to_any(&other);
    while !other_any.stopped_by_person() {
        tokio::task::yield_now().await;
    }

    let mut tree = serde_json::to_value(system.tree()).unwrap();
    // Handler times vary: checked, then set aside.
    for actor in tree["actors"].as_array_mut().unwrap() {
        let time = actor["handler_time"].take();
        let (total, max) = (time["total_ns"].as_u64(), time["max_ns"].as_u64());
        assert!(
            matches!((total, max), (Some(t), Some(m)) if m <= t),
            "{time}"
        );
    }
    assert!(record(&tree, "/test/count")["handler_time"].is_null());
    let kind = std::any::type_name::<Probe>();
    let kernel = system.root().type_name();
    assert_eq!(
        tree,
        json!({
            "top": "/",
            "actors": [
                {
                    "name": "", "path": "/", "parent": null, "children": ["/test", "/other"],
                    "type": kernel, "state": "running", "stopped_by_person": false,
                    "restarts": 0, "messages_handled": 0,
                    "mailbox": { "len": 0, "capacity": 1024, "high_water": 0 },
                    "handler_time": null,
                    "panics": 0, "asks_timed_out": 0, "last_error": null
                },
                {
                    "name": "test", "path": "/test", "parent": "/", "children": ["/test/count"],
                    "type": kind, "state": "running", "stopped_by_person": false,
                    "restarts": 0, "messages_handled": 1,
                    "mailbox": { "len": 0, "capacity": 1024, "high_water": 1 },
                    "handler_time": null,
                    "panics": 0, "asks_timed_out": 0, "last_error": null
                },
                {
                    "name": "count", "path": "/test/count", "parent": "/test", "children": [],
                    "type": kind, "state": "running", "stopped_by_person": false,
                    "restarts": 0, "messages_handled": 4,
                    "mailbox": { "len": 0, "capacity": 1024, "high_water": 4 },
                    "handler_time": null,
                    "panics": 0, "asks_timed_out": 0, "last_error": null
                },
                {
                    "name": "other", "path": "/other", "parent": "/", "children": [],
                    "type": kind, "state": "running", "stopped_by_person": true,
                    "restarts": 0, "messages_handled": 0,
                    "mailbox": { "len": null, "capacity": null, "high_water": 1 },
                    "handler_time": null,
                    "panics": 0, "asks_timed_out": 0, "last_error": null
                }
            ]
        })
    );
    // A subtree's JSON starts at its top; `to_json` is the same data.
    let sub = system.tree().find("/test").unwrap();
    let sub_json: Value = serde_json::from_str(&sub.to_json()).unwrap();
    assert_eq!(sub_json["top"], "/test");
    let paths: Vec<&str> = sub_json["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/test", "/test/count"]);
    assert_eq!(record(&sub_json, "/test")["parent"], "/");

    release.send(()).unwrap();
    assert_eq!(stopping.await.unwrap(), StopReason::StoppedByPerson);
    system.shutdown().await;
}

#[tokio::test]
async fn the_kernel_alone_and_a_stopped_system_serialize() {
    let system = System::new();
    let alone: Value = serde_json::from_str(&system.tree().to_json()).unwrap();
    assert_eq!(alone["actors"].as_array().unwrap().len(), 1);
    assert_eq!(record(&alone, "/")["children"], json!([]));
    assert!(record(&alone, "/")["mailbox"]["high_water"].is_null());
    system.shutdown().await;
    let stopped: Value = serde_json::from_str(&system.tree().to_json()).unwrap();
    assert_eq!(record(&stopped, "/")["state"], "stopped");
    assert_eq!(system.tree().state(), ActorState::Stopped);
}

/// The JSON of a tree is built without recursion: a chain a few thousand deep serializes
/// on a small stack.
#[test]
fn a_deep_chain_serializes_on_a_small_stack() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (system, tree): (System, TreeNode) = runtime.block_on(async {
        let system = System::new();
        let mut parent = system
            .spawn("c", Probe::new(&Log::default()))
            .await
            .unwrap();
        for _ in 0..2_000 {
            let path = parent.spawn_child("c".into()).await.unwrap().unwrap();
            parent = system.lookup::<Probe>(path.as_str()).unwrap();
        }
        let tree = system.tree();
        (system, tree)
    });
    let json = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || tree.to_json())
        .unwrap()
        .join()
        .expect("no stack overflow");
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["actors"].as_array().unwrap().len(), 2_002);
    runtime.block_on(system.shutdown());
}

/// A restarted actor's record says what went wrong: the panic counted, its text the last
/// error, with when it happened; refused mail is counted by the system.
#[tokio::test]
async fn the_json_shows_a_failed_actors_last_error_and_panics() {
    let system = System::new();
    let (started, mut starts) = tokio::sync::mpsc::unbounded_channel();
    let boss = system
        .spawn("boss", common::Boss::reporting_starts(started))
        .await
        .unwrap();
    let flaky = boss.hire().await.unwrap().unwrap();
    starts.recv().await.unwrap();
    flaky.boom().await.unwrap();
    starts.recv().await.unwrap(); // the second instance
    let tree: Value = serde_json::from_str(&system.tree().to_json()).unwrap();
    let flaky_json = record(&tree, "/boss/flaky");
    assert_eq!(flaky_json["restarts"], 1);
    assert_eq!(flaky_json["panics"], 1);
    assert_eq!(flaky_json["asks_timed_out"], 0);
    let error = flaky_json["last_error"]["text"].as_str().unwrap();
    assert!(error.contains("flaky fails"), "{error}");
    assert!(flaky_json["last_error"]["at_ms"].as_u64().unwrap() > 1_700_000_000_000);
    let restarts = ActorRef::to_any(&flaky).recent_restarts();
    assert_eq!(restarts.len(), 1);
    assert_eq!(restarts[0].reason.to_string(), error);
    assert!(record(&tree, "/boss")["last_error"].is_null());
    system.shutdown().await;
}
