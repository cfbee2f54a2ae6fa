//! The reads of a stream through a consumer group, as a served mailbox and a durable topic's
//! subscription both make them: a consumer's own pending entries, new entries (waiting for
//! some), and the entries other consumers left idle.

use std::time::Duration;

use redis::Cmd;

/// A duration in whole milliseconds, as Redis takes them (`u64::MAX` past that).
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Up to `count` of the entries of `stream` that `consumer` of `group` read and did not
/// acknowledge, after the id `after` (`"0-0"` for the first).
pub(crate) fn read_pending(
    stream: &str,
    group: &str,
    consumer: &str,
    count: usize,
    after: &str,
) -> Cmd {
    let mut read = read_group(group, consumer, count);
    read.arg("STREAMS").arg(stream).arg(after);
    read
}

/// Up to `count` entries of `stream` that no consumer of `group` has had, for `consumer`,
/// waiting up to `block` for the first.
pub(crate) fn read_new(
    stream: &str,
    group: &str,
    consumer: &str,
    count: usize,
    block: Duration,
) -> Cmd {
    read_new_of(&[stream], group, consumer, count, block)
}

/// [`read_new`] on several streams at once: up to `count` of each, returning as soon as one
/// has some.
pub(crate) fn read_new_of(
    streams: &[&str],
    group: &str,
    consumer: &str,
    count: usize,
    block: Duration,
) -> Cmd {
    let mut read = read_group(group, consumer, count);
    read.arg("BLOCK").arg(millis(block)).arg("STREAMS");
    for stream in streams {
        read.arg(*stream);
    }
    for _ in streams {
        read.arg(">");
    }
    read
}

/// Up to `count` entries of `stream` that no consumer of `group` has had, for `consumer`,
/// without waiting.
pub(crate) fn read_new_now(stream: &str, group: &str, consumer: &str, count: usize) -> Cmd {
    let mut read = read_group(group, consumer, count);
    read.arg("STREAMS").arg(stream).arg(">");
    read
}

/// `XREADGROUP GROUP {group} {consumer} COUNT {count}`: what both reads begin with.
fn read_group(group: &str, consumer: &str, count: usize) -> Cmd {
    let mut read = redis::cmd("XREADGROUP");
    read.arg("GROUP")
        .arg(group)
        .arg(consumer)
        .arg("COUNT")
        .arg(count);
    read
}

/// Up to `count` entries of `stream` pending longer than `idle` at other consumers of
/// `group`, taken over by `consumer`, from `cursor` (`"0-0"` for the first call; the reply
/// gives the next).
pub(crate) fn claim_idle(
    stream: &str,
    group: &str,
    consumer: &str,
    idle: Duration,
    cursor: &str,
    count: usize,
) -> Cmd {
    let mut claim = redis::cmd("XAUTOCLAIM");
    claim
        .arg(stream)
        .arg(group)
        .arg(consumer)
        .arg(millis(idle))
        .arg(cursor)
        .arg("COUNT")
        .arg(count);
    claim
}
