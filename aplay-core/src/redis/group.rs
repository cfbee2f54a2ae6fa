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

/// Frees the entries of `stream` that `group` has delivered and nobody still holds: those
/// older than its oldest pending entry, or (none pending) than the last one it delivered.
/// `XTRIM MINID ~` frees whole nodes of the stream at once, which costs far less than
/// deleting each acknowledged entry (`XDEL` walks the node of each), and never touches an
/// entry pending or not yet read. `KEYS[1]`: the stream, `ARGV[1]`: the group. Returns how
/// many entries went. Safe to send again. (The stream must have no other group: a mailbox
/// stream has only its namespace's.)
const TRIM: &str = r#"
local group = group_info(KEYS[1], ARGV[1])
if not group then
  return 0
end
local oldest = group['last-delivered-id']
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
if pending[1] > 0 then
  oldest = pending[2]
end
return redis.call('XTRIM', KEYS[1], 'MINID', '~', oldest)
"#;

/// A Lua function, `group_info(stream, name)`: the fields of `XINFO GROUPS` for the group
/// `name` of `stream` (`last-delivered-id`, `lag`, ...), or `nil`. Used by [`TRIM`] and
/// [`UNREAD`].
const GROUP_INFO_FN: &str = r#"
local function group_info(stream, name)
  for _, group in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local fields = {}
    for i = 1, #group, 2 do
      fields[group[i]] = group[i + 1]
    end
    if fields['name'] == name then
      return fields
    end
  end
  return nil
end
"#;

/// `EVAL` of `script` after [`GROUP_INFO_FN`], on `stream` and `group`: an `EVAL`, so that it
/// can go in a pipeline even to a server that forgot its scripts.
fn with_group_info(script: &str, stream: &str, group: &str) -> Cmd {
    let mut eval = redis::cmd("EVAL");
    eval.arg(format!("{GROUP_INFO_FN}{script}"))
        .arg(1)
        .arg(stream)
        .arg(group);
    eval
}

/// The command that frees what `group` is done with in `stream` (see [`TRIM`]).
pub(crate) fn trim_handled(stream: &str, group: &str) -> Cmd {
    with_group_info(TRIM, stream, group)
}

/// How many entries of `stream` `group` has not delivered yet: its `lag`, or, when Redis
/// cannot tell it (entries deleted beyond the group's last one), a count of the entries after
/// its last delivered one. All of them without the group; 0 without the stream. `KEYS[1]`:
/// the stream, `ARGV[1]`: the group. (Handled entries stay in a stream until whole nodes of
/// it can be trimmed: its length is not its backlog.)
const UNREAD: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local group = group_info(KEYS[1], ARGV[1])
if not group then
  return redis.call('XLEN', KEYS[1])
end
if group['lag'] then
  return group['lag']
end
return #redis.call('XRANGE', KEYS[1], '(' .. group['last-delivered-id'], '+')
"#;

/// The command that counts what `group` has not read of `stream` (see [`UNREAD`]).
pub(crate) fn unread(stream: &str, group: &str) -> Cmd {
    with_group_info(UNREAD, stream, group)
}
