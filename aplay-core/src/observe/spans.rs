//! The spans of handled messages, and the link from each to the span it was sent from.
//!
//! A message span has no parent: a long-lived actor would otherwise gather every message it
//! ever handled into one trace, and a span per message nested in the previous one would grow
//! without bound. It *follows from* the sender's span instead. To know that span, the sender
//! captures it when it enqueues the message, and only when a subscriber wants message spans
//! (one cached check of the callsite's interest): otherwise nothing is captured and the
//! message travels in the plain envelope, as it would without tracing.
//!
//! The captured span is a [`Span`] handle rather than its id: it keeps the sender's span open
//! until the message is handled, so the id the link names is still that span's (a closed span's
//! id may be reused by the next one).

#[cfg(feature = "tracing")]
use tracing::Span;

/// The target of message spans: `RUST_LOG=aplay::message=debug` shows them alone.
///
/// # Examples
///
/// ```
/// use aplay_core::observe::{LIFECYCLE_TARGET, MESSAGE_TARGET};
/// // The directives of an `EnvFilter` (tracing-subscriber) that show message spans and
/// // lifecycle events and nothing else of aplay's:
/// let directives = format!("{MESSAGE_TARGET}=debug,{LIFECYCLE_TARGET}=info");
/// assert_eq!(directives, "aplay::message=debug,aplay::lifecycle=info");
/// ```
pub const MESSAGE_TARGET: &str = "aplay::message";

/// The target of lifecycle events (started, restarted, stopped, stop by a person, restart
/// limit): `RUST_LOG=aplay::lifecycle=debug`.
///
/// See the example on [`MESSAGE_TARGET`].
pub const LIFECYCLE_TARGET: &str = "aplay::lifecycle";

/// Whether a message sent now should carry the sender's span: a subscriber wants message
/// spans. Without any subscriber, this is one relaxed atomic load; with one that filters out
/// `DEBUG`, two.
#[cfg(feature = "tracing")]
#[inline(always)]
pub(crate) fn wants_sender_span() -> bool {
    tracing::dispatcher::has_been_set()
        && tracing::level_enabled!(tracing::Level::DEBUG)
        && message_spans_enabled()
}

/// The full check, behind the level filter: the callsite's cached interest, then the
/// subscriber.
#[cfg(feature = "tracing")]
#[inline(never)]
fn message_spans_enabled() -> bool {
    tracing::enabled!(
        kind: tracing::metadata::Kind::SPAN,
        target: MESSAGE_TARGET,
        tracing::Level::DEBUG
    )
}

/// The span a message being sent now should follow from: the current span, if any. Asked only
/// when [`wants_sender_span`].
#[cfg(feature = "tracing")]
#[cold]
pub(crate) fn sender_span() -> Option<Span> {
    let current = Span::current();
    (!current.is_disabled()).then_some(current)
}

/// Links a message span to its sender's, and lets the sender's go.
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
pub(crate) fn follow(span: &Span, from: &mut Option<Span>) {
    if let Some(from) = from.take() {
        span.follows_from(&from);
    }
}
