//! actorio's per-actor logger: every event inside an actor carries a span with the actor's
//! path, and every handled message a span with its handler.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use aplay::prelude::*;
use common::{Log, Probe};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Logs from inside its handler, as user code does.
#[actor]
struct Chatty;

#[actor]
impl Chatty {
    fn say(&self, text: String) {
        tracing::info!(%text, "inside the handler");
    }
}

#[tokio::test]
async fn events_inside_an_actor_carry_its_path_and_handler() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let system = System::new();
    let chatty = system.spawn("chatty", Chatty).await.unwrap();
    chatty.say("hi".into()).ask().await.unwrap();
    let probe = system
        .spawn("traced", Probe::new(&Log::default()))
        .await
        .unwrap();
    let _ = probe.boom("for the log".into()).await;
    probe.join().await;

    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let line = |needle: &str| {
        output
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{output}"))
    };
    assert!(line("inside the handler").contains(r#"actor{path=/chatty}:message{handler="say"}"#));
    assert!(line("started").contains("actor{path=/"));
    let panic = line("a handler panicked");
    assert!(
        panic.contains("actor{path=/traced}")
            && panic.contains("handler=\"boom\"")
            && panic.contains("for the log"),
        "{panic}"
    );
}
