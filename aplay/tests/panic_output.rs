//! A panic the runtime catches (a handler's, here) is reported as one tracing event, and kept
//! out of the panic hook's output; every other panic still reaches the program's hook. One
//! test in a binary of its own: the hook is installed once per process, by the first system.

use std::sync::Mutex;

use aplay::prelude::*;

/// What the program's own panic hook saw: each panic's message.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[actor]
#[derive(Default)]
struct Fragile;

#[actor]
impl Fragile {
    fn crash(&mut self) {
        panic!("crash inside a handler");
    }
}

/// Panics in its `on_start`.
struct BadStart;

impl Actor for BadStart {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        panic!("crash in on_start");
    }
}

#[actor]
impl BadStart {}

#[tokio::test]
async fn a_caught_panic_stays_out_of_the_panic_output_and_others_do_not() {
    // The program's hook, set before any system: aplay's wraps it.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        SEEN.lock().unwrap().push(message);
    }));
    let system = System::new();
    let fragile = system.spawn("fragile", Fragile).await.unwrap();
    fragile.crash().await.unwrap();
    // The panic ended the actor, as a failure the runtime reports; the hook never saw it.
    let reason = fragile.wait_stopped().await;
    assert!(
        reason.to_string().contains("crash inside a handler"),
        "{reason}"
    );
    // A hook's panic too: the spawn fails with it, and the hook never saw it.
    let start = system.spawn("bad", BadStart).await.unwrap_err();
    assert!(start.to_string().contains("crash in on_start"), "{start}");
    // (Read first, then asserted: a failing assert panics, and its hook locks SEEN.)
    let seen = SEEN.lock().unwrap().clone();
    assert!(seen.is_empty(), "the program's hook saw {seen:?}");

    // A panic of the program's own, outside any actor, reaches its hook as before.
    let outside = std::panic::catch_unwind(|| panic!("outside any actor"));
    assert!(outside.is_err());
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen, ["outside any actor"]);
    system.shutdown().await;
}
