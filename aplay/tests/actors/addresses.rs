//! The address registry: hierarchical paths, typed lookups, names and their uniqueness.

use crate::common::{Log, Probe};
use aplay::prelude::*;

#[actor]
struct Other;

#[actor]
impl Other {
    fn ping(&self) -> &'static str {
        "pong"
    }
}

#[tokio::test]
async fn children_live_under_their_parent_path() {
    let system = System::new();
    let log = Log::default();
    let test = system.spawn("test", Probe::new(&log)).await.unwrap();
    assert_eq!(test.path(), "/test");
    assert_eq!(test.path().name(), "test");
    let child = test.spawn_child("count".into()).await.unwrap().unwrap();
    assert_eq!(child, ActorPath::parse("/test/count").unwrap());
    let count = system.lookup::<Probe>("/test/count").unwrap();
    count.add(3).await.unwrap();
    assert_eq!(count.get().await.unwrap(), 3);
    let children: Vec<_> = ActorRef::to_any(&test)
        .children()
        .iter()
        .map(|c| c.path().clone())
        .collect();
    assert_eq!(children, [child]);
}

#[tokio::test]
async fn lookup_is_typed() {
    let system = System::new();
    system
        .spawn("probe", Probe::new(&Log::default()))
        .await
        .unwrap();
    system.spawn("other", Other).await.unwrap();
    assert!(system.lookup::<Probe>("/probe").is_some());
    assert!(
        system.lookup::<Other>("/probe").is_none(),
        "wrong type is None"
    );
    assert!(
        system.lookup::<Probe>("/nobody").is_none(),
        "unknown path is None"
    );
    assert!(
        system.lookup::<Probe>("probe").is_none(),
        "paths are absolute"
    );
    assert_eq!(
        system
            .lookup::<Other>("/other")
            .unwrap()
            .ping()
            .await
            .unwrap(),
        "pong"
    );
    assert_eq!(
        system.lookup_any("/other").unwrap().type_name(),
        std::any::type_name::<Other>()
    );
}

#[tokio::test]
async fn address_says_what_is_wrong() {
    let system = System::new();
    system
        .spawn("probe", Probe::new(&Log::default()))
        .await
        .unwrap();
    let err = system.address::<Probe>("/missing").unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
    assert_eq!(err.to_string(), "no actor at /missing");
    let err = system.address::<Other>("/probe").unwrap_err();
    assert!(matches!(err, Error::WrongType { .. }));
    assert!(err.to_string().contains("not a"), "{err}");
    system
        .address::<Probe>("/probe")
        .unwrap()
        .add(1)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_taken_name_is_an_error_and_nothing_is_spawned() {
    let system = System::new();
    let log = Log::default();
    let first = system.spawn("same", Probe::new(&log)).await.unwrap();
    let err = system.spawn("same", Probe::new(&log)).await.unwrap_err();
    assert!(
        matches!(err, Error::NameTaken { ref path } if path == "/same"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "the name /same is taken");
    // The second actor never started, and the first one is untouched.
    assert_eq!(
        log.entries()
            .iter()
            .filter(|e| e.starts_with("start /same"))
            .count(),
        1
    );
    assert_eq!(system.lookup::<Probe>("/same").unwrap(), first);
    assert_eq!(system.actor_count(), 2);
}

#[tokio::test]
async fn siblings_need_unique_names_but_cousins_do_not() {
    let system = System::new();
    let log = Log::default();
    let a = system.spawn("a", Probe::new(&log)).await.unwrap();
    let b = system.spawn("b", Probe::new(&log)).await.unwrap();
    a.spawn_child("x".into()).await.unwrap().unwrap();
    b.spawn_child("x".into()).await.unwrap().unwrap();
    let err = a.spawn_child("x".into()).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::NameTaken { .. }));
}

#[tokio::test]
async fn invalid_names_are_errors_and_nothing_is_spawned() {
    let system = System::new();
    let log = Log::default();
    for bad in ["", "a/b", "..", "with space"] {
        let err = system.spawn(bad, Probe::new(&log)).await.unwrap_err();
        assert!(matches!(err, Error::InvalidName { .. }), "{bad:?}: {err:?}");
    }
    assert!(log.entries().is_empty());
    assert_eq!(system.actor_count(), 1, "only the kernel");
}

#[tokio::test]
async fn the_kernel_is_at_the_root() {
    let system = System::new();
    assert_eq!(system.root().path(), "/");
    assert!(system.lookup_any("/").is_some());
    let log = Log::default();
    let probe = system.spawn("p", Probe::new(&log)).await.unwrap();
    let parent = system.root().children();
    assert_eq!(parent.len(), 1);
    assert!(parent[0].same_actor(&ActorRef::to_any(&probe)));
}
