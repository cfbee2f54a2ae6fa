//! Tracing: every handled message is a span of its own (no parent), with the actor's path and
//! the handler as fields, following from the span it was sent from; lifecycle events at
//! their levels, with the actor's path.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aplay::observe::{LIFECYCLE_TARGET, MESSAGE_TARGET};
use aplay::prelude::*;
use aplay::{Strategy, Supervision};
use common::{Boss, Log, Probe, hold};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Instrument, Level, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, filter};

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

/// Passes a message on to another actor from inside its own handler.
#[actor]
struct Relay;

#[actor]
impl Relay {
    async fn relay(&self, to: ActorRef<Chatty>, text: String) {
        to.say(text).await.unwrap();
    }
}

#[tokio::test]
async fn events_inside_a_handler_carry_the_actor_path_and_handler() {
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
    probe.wait_stopped().await;

    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let line = |needle: &str| {
        output
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{output}"))
    };
    // The message span is the only span around the handler: not under the actor's span.
    let inside = line("inside the handler");
    assert!(
        inside.contains(r#" message{actor=/chatty handler="say"}: "#),
        "{inside}"
    );
    let started = line("aplay::lifecycle: started actor=/chatty");
    assert!(started.contains(" DEBUG "), "{started}");
    let panic = line("a handler panicked");
    assert!(
        panic.contains("actor=/traced")
            && panic.contains("handler=\"boom\"")
            && panic.contains("for the log"),
        "{panic}"
    );
}

// ---- a subscriber that records spans, links and events ---------------------------------

/// A span as recorded: our own number (tracing reuses the ids of closed spans), its parent's
/// number, the spans it follows from, its fields, and whether it has closed.
#[derive(Clone, Debug)]
struct SpanRecord {
    name: &'static str,
    target: String,
    parent: Option<usize>,
    follows: Vec<usize>,
    fields: BTreeMap<String, String>,
    closed: bool,
}

#[derive(Clone, Debug)]
struct EventRecord {
    level: Level,
    target: String,
    message: String,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Records {
    spans: Vec<SpanRecord>,
    events: Vec<EventRecord>,
}

/// Our number for a span, kept in its extensions.
struct Number(usize);

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Records>>);

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

fn number<S>(ctx: &LayerContext<'_, S>, id: &Id) -> Option<usize>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    ctx.span(id)?.extensions().get::<Number>().map(|n| n.0)
}

impl<S> Layer<S> for Recorder
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = ctx.span(id).expect("a new span is known");
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<Number>().map(|n| n.0));
        let mut records = self.0.lock().unwrap();
        let n = records.spans.len();
        records.spans.push(SpanRecord {
            name: attrs.metadata().name(),
            target: attrs.metadata().target().to_owned(),
            parent,
            follows: Vec::new(),
            fields: fields.0,
            closed: false,
        });
        span.extensions_mut().insert(Number(n));
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: LayerContext<'_, S>) {
        let (Some(span), Some(follows)) = (number(&ctx, span), number(&ctx, follows)) else {
            panic!("a link names a span that is not open");
        };
        self.0.lock().unwrap().spans[span].follows.push(follows);
    }

    fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let message = fields.0.remove("message").unwrap_or_default();
        self.0.lock().unwrap().events.push(EventRecord {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            message,
            fields: fields.0,
        });
    }

    fn on_close(&self, id: Id, ctx: LayerContext<'_, S>) {
        if let Some(n) = number(&ctx, &id) {
            self.0.lock().unwrap().spans[n].closed = true;
        }
    }
}

impl Recorder {
    /// Installs the recorder for this thread (the tests run on a current-thread runtime),
    /// behind `filter`. A global filter rather than a per-layer one: with per-layer filters,
    /// `Subscriber::enabled` answers `true` for what only some callsites' interest rules out,
    /// and the tests of this file, running in parallel with different subscribers, make every
    /// callsite's interest "sometimes".
    fn install(&self, filter: filter::Targets) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(self.clone());
        tracing::subscriber::set_default(subscriber)
    }

    fn spans(&self) -> Vec<SpanRecord> {
        self.0.lock().unwrap().spans.clone()
    }

    fn events(&self) -> Vec<EventRecord> {
        self.0.lock().unwrap().events.clone()
    }

    /// The message spans of `handler`, in the order they were made.
    fn message_spans(&self, handler: &str) -> Vec<(usize, SpanRecord)> {
        self.spans()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.name == "message" && s.fields["handler"] == handler)
            .collect()
    }

    /// The number of the only span named `name`.
    fn span_named(&self, name: &str) -> usize {
        let found: Vec<usize> = self
            .spans()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == name)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(found.len(), 1, "spans named {name}");
        found[0]
    }

    /// The events with `message`.
    fn events_saying(&self, message: &str) -> Vec<EventRecord> {
        self.events()
            .into_iter()
            .filter(|e| e.message == message)
            .collect()
    }
}

/// Everything, at every level.
fn everything() -> filter::Targets {
    filter::Targets::new().with_default(Level::TRACE)
}

// ---- message spans -----------------------------------------------------------------------

#[tokio::test]
async fn message_spans_are_roots_not_nested_in_one_another_or_in_the_actor() {
    let recorder = Recorder::default();
    let _guard = recorder.install(everything());
    let system = System::new();
    let chatty = system.spawn("chatty", Chatty).await.unwrap();
    for text in ["one", "two", "three"] {
        chatty.say(text.into()).await.unwrap();
    }
    chatty.say("four".into()).ask().await.unwrap();

    let says = recorder.message_spans("say");
    assert_eq!(says.len(), 4);
    for (_, span) in &says {
        assert_eq!(span.target, MESSAGE_TARGET);
        assert_eq!(span.fields["actor"], "/chatty");
        // Sent from outside any span: no parent and nothing to follow.
        assert_eq!(span.parent, None, "{span:?}");
        assert!(span.follows.is_empty(), "{span:?}");
    }
    // Each closes once its message is handled: they do not pile up under one another.
    assert!(says.iter().all(|(_, s)| s.closed));
    system.shutdown().await;
}

#[tokio::test]
async fn a_message_span_follows_from_the_span_it_was_sent_from() {
    let recorder = Recorder::default();
    let _guard = recorder.install(everything());
    let system = System::new();
    let chatty = system.spawn("chatty", Chatty).await.unwrap();
    let relay = system.spawn("relay", Relay).await.unwrap();

    // From a span of the caller's own.
    async { chatty.say("from a request".into()).ask().await }
        .instrument(tracing::info_span!("request"))
        .await
        .unwrap();
    // From another actor's handler: its message span.
    relay
        .relay(chatty.clone(), "relayed".into())
        .ask()
        .await
        .unwrap();
    chatty.say("last".into()).ask().await.unwrap();

    let request = recorder.span_named("request");
    let says = recorder.message_spans("say");
    let relays = recorder.message_spans("relay");
    assert_eq!((says.len(), relays.len()), (3, 1));
    let (relay_span, relay_record) = &relays[0];
    assert_eq!(relay_record.fields["actor"], "/relay");

    assert_eq!(says[0].1.follows, [request]);
    assert_eq!(says[1].1.follows, [*relay_span]);
    assert!(says[2].1.follows.is_empty());
    // Linked, never nested.
    assert!(says.iter().all(|(_, s)| s.parent.is_none()));
    assert!(relay_record.parent.is_none());
    system.shutdown().await;
}

#[tokio::test]
async fn the_sender_span_is_kept_only_while_message_spans_are_wanted() {
    for wanted in [true, false] {
        let recorder = Recorder::default();
        let filter = if wanted {
            everything()
        } else {
            everything().with_target(MESSAGE_TARGET, filter::LevelFilter::OFF)
        };
        let _guard = recorder.install(filter);
        let system = System::new();
        let probe = system
            .spawn("p", Probe::new(&Log::default()))
            .await
            .unwrap();
        // The actor is busy: the next message waits in the mailbox.
        let release = hold(&probe).await;
        let request = tracing::info_span!("request");
        async { probe.add(1).await }
            .instrument(request)
            .await
            .unwrap();
        let request = recorder.span_named("request");
        // The link needs the sender's span to be open when the message is handled; without
        // message spans nothing is kept and the span closes at once.
        assert_eq!(
            recorder.spans()[request].closed,
            !wanted,
            "wanted: {wanted}"
        );
        release.send(()).unwrap();
        assert_eq!(probe.get().await.unwrap(), 1);
        let adds = recorder.message_spans("add");
        if wanted {
            assert_eq!(adds.len(), 1);
            assert_eq!(adds[0].1.follows, [request]);
            assert!(recorder.spans()[request].closed);
        } else {
            assert!(adds.is_empty());
        }
        system.shutdown().await;
    }
}

// ---- lifecycle events --------------------------------------------------------------------

/// The lifecycle events about `actor` with `message`.
fn lifecycle(recorder: &Recorder, actor: &str, message: &str) -> Vec<EventRecord> {
    recorder
        .events_saying(message)
        .into_iter()
        .filter(|e| {
            e.target == LIFECYCLE_TARGET && e.fields.get("actor").map(String::as_str) == Some(actor)
        })
        .collect()
}

#[tokio::test]
async fn lifecycle_events_have_their_levels_and_the_actor_path() {
    let recorder = Recorder::default();
    let _guard = recorder.install(everything());
    let system = System::new();

    // Started, then stopped by a person.
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    let started = lifecycle(&recorder, "/p", "started");
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].level, Level::DEBUG);
    assert_eq!(probe.stop().await, StopReason::StoppedByPerson);
    let asked = lifecycle(&recorder, "/p", "stop requested by a person");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].level, Level::INFO);
    let stopped = lifecycle(&recorder, "/p", "stopped");
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0].level, Level::INFO);
    assert_eq!(
        stopped[0].fields["reason"],
        StopReason::StoppedByPerson.to_string()
    );

    // A failure, a restart, a second failure: the limit (one restart a minute), and the
    // supervisor fails.
    let one_a_minute =
        Supervision::new(Strategy::OneForOne).max_restarts(1, Duration::from_secs(60));
    let boss = system
        .spawn("boss", Boss::supervising(one_a_minute))
        .await
        .unwrap();
    let flaky = boss.hire().await.unwrap().unwrap();
    let _ = flaky.boom().ask().await;
    let flaky_any = ActorRef::to_any(&flaky);
    while !(flaky_any.restarts() == 1 && flaky_any.state() == aplay::ActorState::Running) {
        tokio::task::yield_now().await;
    }
    let failed = lifecycle(
        &recorder,
        "/boss/flaky",
        "failed; its parent decides on a restart",
    );
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].level, Level::WARN);
    assert!(
        failed[0].fields["reason"].contains("flaky fails"),
        "{failed:?}"
    );
    let restarted = lifecycle(&recorder, "/boss/flaky", "restarted");
    assert_eq!(restarted.len(), 1);
    assert_eq!(restarted[0].level, Level::INFO);
    assert_eq!(restarted[0].fields["restarts"], "1");

    let _ = flaky.boom().ask().await;
    let reason = boss.wait_stopped().await;
    assert!(reason.is_failure(), "{reason}");
    let limit = recorder
        .events_saying("restart limit reached; the supervisor gives up and fails")
        .into_iter()
        .filter(|e| e.target == LIFECYCLE_TARGET)
        .collect::<Vec<_>>();
    assert_eq!(limit.len(), 1);
    assert_eq!(limit[0].level, Level::ERROR);
    assert_eq!(limit[0].fields["actor"], "/boss/flaky");
    assert_eq!(limit[0].fields["supervisor"], "/boss");
    let boss_stopped = lifecycle(&recorder, "/boss", "stopped");
    assert_eq!(boss_stopped.len(), 1);
    assert_eq!(boss_stopped[0].level, Level::WARN);
    // A panic in a handler is an error, with the actor and the handler.
    let panicked = lifecycle(
        &recorder,
        "/boss/flaky",
        "a handler panicked; the actor stops",
    );
    assert_eq!(panicked.len(), 2);
    assert!(
        panicked
            .iter()
            .all(|e| e.level == Level::ERROR && e.fields["handler"] == "boom")
    );

    // An ordinary end is quiet: debug.
    system.shutdown().await;
    let root_stopped = lifecycle(&recorder, "/", "stopped");
    assert_eq!(root_stopped.len(), 1);
    assert_eq!(root_stopped[0].level, Level::DEBUG);
}
