//! Dead letters: entries that could not be handled, kept with why, for a person to look at
//! and replay.

use super::conn::{Conn, query};
use super::entry::{Entry, entries};
use crate::error::Error;

/// Up to `count` of the oldest dead letters of the dead-letter stream `dead`: what both an
/// actor's and a durable subscription's dead letters are read with.
pub(crate) async fn oldest(
    conn: &mut Conn,
    dead: &str,
    count: usize,
) -> Result<Vec<DeadLetter>, Error> {
    let mut range = redis::cmd("XRANGE");
    range
        .arg(dead)
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(count.min(i64::MAX as usize));
    let found = entries(query(conn, &range).await?)?;
    Ok(found.into_iter().map(DeadLetter::from_entry).collect())
}

/// The fields a dead letter adds to the original entry's fields.
pub(crate) const ERROR: &str = "dead.error";
pub(crate) const DELIVERIES: &str = "dead.deliveries";
pub(crate) const CONSUMER: &str = "dead.consumer";
pub(crate) const ENTRY: &str = "dead.entry";
const PREFIX: &[u8] = b"dead.";

/// An entry of a dead-letter stream (`{namespace}:dead:{path}`): a message that could not be
/// decoded, or whose handler failed on every delivery. A durable topic's subscription has
/// dead letters of its own (`{namespace}:topic-dead:{topic}:{subscription}`): the entries it
/// could not decode, read with [`RedisTopic::dead_letters`](super::RedisTopic::dead_letters).
///
/// Read them with [`RedisStation::dead_letters`](super::RedisStation::dead_letters); put one
/// back in its mailbox with [`RedisStation::replay_dead_letter`](super::RedisStation::replay_dead_letter).
///
/// See the example on [`RedisStation::serve`](super::RedisStation::serve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    id: String,
    entry: String,
    error: String,
    deliveries: u32,
    consumer: String,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

impl DeadLetter {
    pub(crate) fn from_entry(entry: Entry) -> Self {
        let text = |name: &str| entry.text(name.as_bytes()).unwrap_or_default().to_owned();
        let mut letter = DeadLetter {
            entry: text(ENTRY),
            error: text(ERROR),
            deliveries: entry
                .text(DELIVERIES.as_bytes())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            consumer: text(CONSUMER),
            fields: Vec::new(),
            id: String::new(),
        };
        letter.fields = original_fields(&entry)
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        letter.id = entry.id;
        letter
    }

    /// Its id in the dead-letter stream.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id the entry had in the mailbox stream.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn entry_id(&self) -> &str {
        &self.entry
    }

    /// Why it could not be handled: the last handler error, a panic, or why it did not
    /// decode.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn error(&self) -> &str {
        &self.error
    }

    /// How many times it was delivered.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn deliveries(&self) -> u32 {
        self.deliveries
    }

    /// The consumer (process) that gave up on it.
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    /// The entry's own fields, as they were in the mailbox (`m`: the encoded message; `r`
    /// and `q`: where an ask's reply goes).
    ///
    /// See the example on [`RedisStation::serve`](super::RedisStation::serve).
    pub fn fields(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.fields
    }
}

/// The fields of a dead letter that came from the original entry.
pub(crate) fn original_fields(entry: &Entry) -> impl Iterator<Item = (&[u8], &[u8])> {
    entry
        .fields
        .iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with(PREFIX))
        .map(|(k, v)| (k.as_slice(), v.as_slice()))
}

/// Moves an entry from its mailbox stream to the dead letters, atomically and at most once:
/// `KEYS[1]` the mailbox stream, `KEYS[2]` the dead-letter stream; `ARGV[1]` the group,
/// `ARGV[2]` the entry's id, `ARGV[3]` `1` to delete the entry from its stream once
/// acknowledged (a mailbox), `0` to keep it (a topic's stream, which other subscriptions
/// read), `keep` to leave it pending (one job of a pack whose other jobs have not ended:
/// see [`crate::redis::pack`]), then the dead letter's fields. Returns 1 when moved, 0 when
/// the entry is no longer pending (moved or acknowledged already: a move sent again after a
/// lost connection). The dead letter is appended before the entry is acknowledged, and a refused
/// append (a key of another type) stops the script before anything is written: an entry is
/// never acknowledged without its dead letter. Refused whole, before it starts, when Redis
/// cannot write (`OOM`, `READONLY`, `LOADING`): then sent again.
const MOVE: &str = r#"#!lua
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then
  return 0
end
local add = {'XADD', KEYS[2], '*'}
for i = 4, #ARGV do
  add[#add + 1] = ARGV[i]
end
redis.call(unpack(add))
if ARGV[3] == 'keep' then
  return 1
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' then
  redis.call('XDEL', KEYS[1], ARGV[2])
end
return 1
"#;

/// The command that moves `entry` of `stream` (read through `group`) to `dead_stream`, with
/// why and how often it was delivered (see [`MOVE`]), and deletes it from `stream`. Safe to
/// send again.
pub(crate) fn move_to_dead_letters(
    stream: &str,
    dead_stream: &str,
    group: &str,
    entry: &Entry,
    error: &str,
    deliveries: u32,
    consumer: &str,
) -> redis::Cmd {
    move_cmd(
        stream,
        dead_stream,
        group,
        entry,
        error,
        deliveries,
        consumer,
        "1",
    )
}

/// The command that appends one job of the pack `job.id` (its fields `j` and `m`) to
/// `dead_stream`, with why, if the pack is still pending, and leaves the pack pending for its
/// other jobs (see [`MOVE`]). Sent again after a lost answer, it may append the job twice.
pub(crate) fn dead_letter_packed_job(
    stream: &str,
    dead_stream: &str,
    group: &str,
    job: &Entry,
    error: &str,
    deliveries: u32,
    consumer: &str,
) -> redis::Cmd {
    move_cmd(
        stream,
        dead_stream,
        group,
        job,
        error,
        deliveries,
        consumer,
        "keep",
    )
}

/// The command that acknowledges `entry` of a topic's `stream` for the subscription `group`
/// and appends it to `dead_stream`, with why, leaving it in `stream` for the other
/// subscriptions (see [`MOVE`]). Safe to send again.
pub(crate) fn dead_letter_topic_entry(
    stream: &str,
    dead_stream: &str,
    group: &str,
    entry: &Entry,
    error: &str,
    consumer: &str,
) -> redis::Cmd {
    move_cmd(stream, dead_stream, group, entry, error, 1, consumer, "0")
}

#[allow(clippy::too_many_arguments)]
fn move_cmd(
    stream: &str,
    dead_stream: &str,
    group: &str,
    entry: &Entry,
    error: &str,
    deliveries: u32,
    consumer: &str,
    mode: &str,
) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(MOVE)
        .arg(2)
        .arg(stream)
        .arg(dead_stream)
        .arg(group)
        .arg(&entry.id)
        .arg(mode);
    for (k, v) in original_fields(entry) {
        cmd.arg(k).arg(v);
    }
    cmd.arg(ERROR)
        .arg(error)
        .arg(DELIVERIES)
        .arg(deliveries)
        .arg(CONSUMER)
        .arg(consumer)
        .arg(ENTRY)
        .arg(&entry.id);
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_letter_keeps_the_original_fields_apart_from_its_own() {
        let entry = Entry {
            id: "9-0".to_owned(),
            fields: Some(vec![
                (b"m".to_vec(), vec![1, 2]),
                (ERROR.as_bytes().to_vec(), b"boom".to_vec()),
                (DELIVERIES.as_bytes().to_vec(), b"5".to_vec()),
                (CONSUMER.as_bytes().to_vec(), b"w1".to_vec()),
                (ENTRY.as_bytes().to_vec(), b"3-0".to_vec()),
            ]),
        };
        let letter = DeadLetter::from_entry(entry);
        assert_eq!(letter.id(), "9-0");
        assert_eq!(letter.entry_id(), "3-0");
        assert_eq!(letter.error(), "boom");
        assert_eq!(letter.deliveries(), 5);
        assert_eq!(letter.consumer(), "w1");
        assert_eq!(letter.fields(), [(b"m".to_vec(), vec![1, 2])]);
    }
}
